import {
  canonicalLayerId,
  canonicalRepoId,
  isWideLayer,
  layerCovers,
  layersOf,
} from "../../contracts/repo-id";

describe("canonicalRepoId", () => {
  it.each([
    ["strict/svc", "strict/svc"],
    ["Strict/Svc", "strict/svc"],
    ["STRICT/SVC", "strict/svc"],
    ["strict/svc.git", "strict/svc"],
    ["Strict/Svc.GIT", "strict/svc"],
    ["strict/svc/", "strict/svc"],
    ["strict/svc.git/", "strict/svc"],
    ["  strict/svc\t", "strict/svc"],
    ["svc", "svc"],
    ["acme/my.repo_name-2", "acme/my.repo_name-2"],
  ])("reads %j as %j", (raw, id) => {
    expect(canonicalRepoId(raw)).toEqual({ ok: true, id });
  });

  it.each([
    ["https://github.com/strict/svc", "URL"],
    ["git@github.com:strict/svc.git", "URL"],
    ["github.com/strict/svc", "owner/name"],
    ["strict//svc", "URL"],
    ["strict/svc/extra", "owner/name"],
    ["strict/..", "'.' and '..'"],
    ["./svc", "owner/name"],
    ["strict/ѕvc", "owner/name"],
    ["ｓtrict/svc", "owner/name"],
    ["strict/s\u200bvc", "owner/name"],
    ["strict\\svc", "URL"],
    ["", "owner/name"],
    [".git", "owner/name"],
    ["a".repeat(101), "owner/name"],
  ])("refuses %j rather than guess", (raw, hint) => {
    const result = canonicalRepoId(raw);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain(hint);
  });
});

describe("canonicalLayerId", () => {
  it.each([
    ["*", "*"],
    [" * ", "*"],
    ["acme/*", "acme/*"],
    ["Acme/*", "acme/*"],
    ["Acme/App.git", "acme/app"],
  ])("reads %j as %j", (raw, id) => {
    expect(canonicalLayerId(raw)).toEqual({ ok: true, id });
  });

  it.each(["acme/app*", "*/app", "acme/*/x", "acme/**", "a/b/*", "**"])("refuses %j", (raw) => {
    expect(canonicalLayerId(raw).ok).toBe(false);
  });
});

describe("layers", () => {
  it.each([
    ["acme/app", ["*", "acme/*", "acme/app"]],
    ["acme/*", ["*", "acme/*"]],
    ["svc", ["*", "svc"]],
    ["*", ["*"]],
  ])("judges %s by %j, widest first", (layer, expected) => {
    expect(layersOf(layer)).toEqual(expected);
  });

  it.each([
    ["*", "acme/app", true],
    ["acme/*", "acme/app", true],
    ["acme/*", "acme", false],
    ["acme/*", "acmecorp/app", false],
    ["acme/app", "acme/app", true],
    ["acme/app", "acme/app2", false],
  ])("%s covers %s: %s", (layer, repo, covers) => {
    expect(layerCovers(layer, repo)).toBe(covers);
  });

  it("tells wide layers from repos", () => {
    expect(["*", "acme/*", "acme/app"].map(isWideLayer)).toEqual([true, true, false]);
  });
});
