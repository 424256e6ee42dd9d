import { clean, countdown, Output } from "../../cli/cli-io";
import { humanIdOfToken } from "../../cli/commands/doctor-command";
import { judgeCase, parsePolicyCases } from "../../cli/commands/policy-cases";
import { runCli } from "../../cli/main";

const io = (env: Record<string, string> = {}, isTTY = true) => ({
  stdout: { write: () => true, isTTY },
  stderr: { write: () => true },
  env,
});

describe("terminal output", () => {
  it("colours severity only on a TTY without NO_COLOR or --json", () => {
    expect(new Output(io(), false).paint("critical")).toContain("\u001b[");
    expect(new Output(io({ NO_COLOR: "1" }), false).paint("critical")).toBe("critical");
    expect(new Output(io({}, false), false).paint("critical")).toBe("critical");
    expect(new Output(io(), true).paint("critical")).toBe("critical");
  });

  it("aligns table columns ignoring colour codes", () => {
    const out = new Output(io(), false);
    const table = out
      .table(
        ["A", "B"],
        [
          [out.paint("high"), "x"],
          ["low-ish", "y"],
        ],
      )
      .split("\n");
    expect(table[0]).toBe("A        B");
    expect(table[2]).toBe("low-ish  y");
  });

  it("strips escapes and control characters from server text", () => {
    expect(clean("ok\u001b[2J\u0007 done")).toBe("ok done");
  });

  it("counts down to a deadline", () => {
    expect(countdown(new Date(10_000 + 125_000).toISOString(), 10_000)).toBe("2m05s");
    expect(countdown(new Date(0).toISOString(), 10_000)).toBe("expired");
  });
});

describe("doctor tokens", () => {
  it("reads the human id from a local token or a JWT's sub", () => {
    expect(humanIdOfToken("local:human:doctor")).toBe("doctor");
    const jwt = ["h", Buffer.from(JSON.stringify({ sub: "abc-123" })).toString("base64url"), "s"].join(".");
    expect(humanIdOfToken(`Bearer ${jwt}`)).toBe("abc-123");
    expect(humanIdOfToken("local:agent:x")).toBeUndefined();
  });
});

describe("policy test cases", () => {
  const [c] = parsePolicyCases(
    "- name: push\n  tool_name: Bash\n  tool_input: {command: git push -f}\n  expect: {decision: REQUIRE_APPROVAL, rule_ids: [b, a]}\n",
    "cases.yaml",
  );
  it("compares the decision and the rule ids as a set", () => {
    if (!c) throw new Error("no case parsed");
    const base = { source: "policy", reason: "" };
    expect(judgeCase(c, { ...base, decision: "REQUIRE_APPROVAL", rule_ids: ["a", "b"] }).passed).toBe(true);
    expect(judgeCase(c, { ...base, decision: "REQUIRE_APPROVAL", rule_ids: ["a"] }).passed).toBe(false);
    expect(judgeCase(c, { ...base, decision: "DENY", rule_ids: ["a", "b"] }).passed).toBe(false);
  });

  it("rejects a file that is not a list of cases", () => {
    expect(() => parsePolicyCases("name: x\n", "f.yaml")).toThrow(/not a list of cases/);
  });
});

describe("usage", () => {
  it("exits 0 for --help and 2 for an unknown option", async () => {
    expect(await runCli(["--help"], io())).toBe(0);
    expect(await runCli(["pending", "--bogus"], io())).toBe(2);
  });
});
