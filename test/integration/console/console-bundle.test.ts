import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  BUNDLE_BUDGETS,
  buildConsole,
  bundleSizes,
  CONSOLE_DIR,
  type ConsoleSite,
} from "../../../console/build";

let site: ConsoleSite;
beforeAll(() => {
  site = buildConsole();
});

/** Every TypeScript source of the console, by path. */
function sources(dir = join(CONSOLE_DIR, "src")): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sources(join(dir, entry.name))
      : entry.name.endsWith(".ts")
        ? [join(dir, entry.name)]
        : [],
  );
}

describe("the console's build", () => {
  it("stays within its bundle budgets", () => {
    // Act
    const sizes = bundleSizes(site);

    // Assess
    expect(sizes.initialJs).toBeLessThanOrEqual(BUNDLE_BUDGETS.initialJs);
    expect(sizes.totalJs).toBeLessThanOrEqual(BUNDLE_BUDGETS.totalJs);
    expect(sizes.css).toBeLessThanOrEqual(BUNDLE_BUDGETS.css);
    // The Cognito sign-in and SigV4 signing load only in a deployed console.
    expect(sizes.initialJs).toBeLessThan(sizes.totalJs);
  });

  it("is the same, byte for byte, every time it is built", () => {
    // Act
    const again = buildConsole();

    // Assess
    expect([...again.keys()].sort()).toEqual([...site.keys()].sort());
    for (const [path, file] of site)
      expect(Buffer.from(again.get(path)?.body ?? []).equals(Buffer.from(file.body))).toBe(true);
  });

  it("loads its script and stylesheet from files, with nothing inline for the CSP to allow", () => {
    // Act
    const html = Buffer.from(site.get("/index.html")?.body ?? []).toString("utf8");

    // Assess
    expect(html).toContain('<script type="module" src="/app.js"></script>');
    expect(html).toContain('<link rel="stylesheet" href="/app.css" />');
    expect(html).not.toMatch(/<script>|<style|\son[a-z]+=/i);
  });

  it("has no HTML sink or code evaluation in its sources: text reaches the page as text", () => {
    // Prepare
    const sinks = /\.(innerHTML|outerHTML)\b|insertAdjacentHTML|document\.write|\beval\(|new Function\(/;

    // Act
    const offenders = sources().filter((path) => sinks.test(readFileSync(path, "utf8")));

    // Assess
    expect(offenders).toEqual([]);
  });
});
