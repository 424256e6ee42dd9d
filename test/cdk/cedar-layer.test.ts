import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildShellParserAdapter, SHELL_PARSER_ADAPTER } from "../../cdk/bundling";
import {
  copyCedarModule,
  pinnedCedarVersion,
  SHELL_PARSER_LAYER_MODULES,
} from "../../cdk/constructs/cedar-layer";
import { copyPinnedModule, pinnedVersion } from "../../cdk/constructs/module-layer";

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

describe("the shell parser layer", () => {
  it("copies web-tree-sitter and the Bash grammar, at their pins, where Lambda looks for layer modules", () => {
    // Prepare
    const layerDir = join(REPO, "layers", "shell-parser");

    // Act
    for (const m of SHELL_PARSER_LAYER_MODULES)
      copyPinnedModule(m, join(REPO, "node_modules", m.name), pinnedVersion(layerDir, m.name), scratch);

    // Assess
    const modules = join(scratch, "nodejs", "node_modules");
    expect(existsSync(join(modules, "web-tree-sitter", "web-tree-sitter.cjs"))).toBe(true);
    expect(existsSync(join(modules, "web-tree-sitter", "web-tree-sitter.wasm"))).toBe(true);
    expect(existsSync(join(modules, "tree-sitter-bash", "tree-sitter-bash.wasm"))).toBe(true);
    expect(existsSync(join(modules, "tree-sitter-bash", "src"))).toBe(false);
  });

  it("loads a working parser, our adapter included, from nothing but the layer", () => {
    // Prepare
    const layerDir = join(REPO, "layers", "shell-parser");
    for (const m of SHELL_PARSER_LAYER_MODULES)
      copyPinnedModule(m, join(REPO, "node_modules", m.name), pinnedVersion(layerDir, m.name), scratch);
    const modules = join(scratch, "nodejs", "node_modules");
    buildShellParserAdapter(join(modules, ...SHELL_PARSER_ADAPTER.split("/")));

    // Act: a fresh Node that resolves modules only from the layer, as Lambda does.
    const script = [
      `require(${JSON.stringify(SHELL_PARSER_ADAPTER)}).loadBashParser().then((parser) => {`,
      '  const { body } = parser.parse("git push -f");',
      '  const words = (body.kind === "command" ? body : body.items[0]).words;',
      '  process.stdout.write(words.map((w) => w.source).join(" "));',
      "});",
    ].join("\n");
    const child = spawnSync(process.execPath, ["-e", script], {
      cwd: scratch,
      encoding: "utf8",
      env: { PATH: process.env.PATH ?? "", NODE_PATH: modules },
    });

    // Assess
    expect(child.stderr).toBe("");
    expect(child.stdout).toBe("git push -f");
  });
});
