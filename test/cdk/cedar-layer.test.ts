import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { copyCedarModule, pinnedCedarVersion } from "../../cdk/constructs/cedar-layer";

const REPO = join(__dirname, "..", "..");
const INSTALLED = join(REPO, "node_modules", "@cedar-policy", "cedar-wasm");

let scratch: string;
beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), "gates-cedar-layer-"));
});
afterEach(() => rmSync(scratch, { recursive: true, force: true }));

describe("the Cedar layer", () => {
  it("reads the one version pin from layers/cedar-wasm/package.json", () => {
    // Act
    const pinned = pinnedCedarVersion(join(REPO, "layers", "cedar-wasm"));

    // Assess
    const manifest = JSON.parse(readFileSync(join(REPO, "layers", "cedar-wasm", "package.json"), "utf8"));
    expect(pinned).toBe(manifest.dependencies["@cedar-policy/cedar-wasm"]);
  });

  it("copies the installed module's Node build where Lambda looks for layer modules", () => {
    // Prepare
    const pinned = pinnedCedarVersion(join(REPO, "layers", "cedar-wasm"));

    // Act
    copyCedarModule(INSTALLED, pinned, scratch);

    // Assess
    const target = join(scratch, "nodejs", "node_modules", "@cedar-policy", "cedar-wasm");
    expect(JSON.parse(readFileSync(join(target, "package.json"), "utf8")).version).toBe(pinned);
    expect(existsSync(join(target, "nodejs", "cedar_wasm_bg.wasm"))).toBe(true);
    expect(existsSync(join(target, "web"))).toBe(false);
  });

  it("refuses an installed module that is not the pinned version", () => {
    // Act, Assess
    expect(() => copyCedarModule(INSTALLED, "0.0.1", scratch)).toThrow(/layer pins 0\.0\.1; run npm ci/);
  });

  it("refuses a pin that is a range rather than an exact version", () => {
    // Prepare
    const layer = join(scratch, "layer");
    mkdirSync(layer);
    writeFileSync(
      join(layer, "package.json"),
      JSON.stringify({ dependencies: { "@cedar-policy/cedar-wasm": "^4.0.0" } }),
    );

    // Act, Assess
    expect(() => pinnedCedarVersion(layer)).toThrow(/exact version/);
  });
});
