import { join } from "node:path";
import type { ILayerVersion } from "aws-cdk-lib/aws-lambda";
import { Construct } from "constructs";
import { buildShellParserAdapter, SHELL_PARSER_ADAPTER } from "../bundling";
import { CEDAR_MODULE, SHELL_PARSER_MODULES } from "./gates-function";
import { copyPinnedModule, type LayerModule, ModuleLayer, pinnedVersion } from "./module-layer";

const REPO_ROOT = join(__dirname, "..", "..");

/** What Node needs of Cedar: its package.json and the `nodejs` build (the browser and ESM builds stay behind). */
const CEDAR: LayerModule = { name: CEDAR_MODULE, paths: ["package.json", "nodejs"] };

/** What Node needs of each shell parser module: the CommonJS build with its WebAssembly, and the Bash grammar. */
const SHELL_PARSER_FILES: Record<(typeof SHELL_PARSER_MODULES)[number], readonly string[]> = {
  "web-tree-sitter": ["package.json", "web-tree-sitter.cjs", "web-tree-sitter.wasm"],
  "tree-sitter-bash": ["package.json", "tree-sitter-bash.wasm"],
};

/** The modules of the shell parser layer: exactly those the functions leave out of their bundles. */
export const SHELL_PARSER_LAYER_MODULES: readonly LayerModule[] = SHELL_PARSER_MODULES.map((name) => ({
  name,
  paths: SHELL_PARSER_FILES[name],
}));

/** Props of {@link CedarLayer}. */
export interface CedarLayerProps {
  /** The layer's package folder, whose package.json pins the Cedar version. @default "<repo>/layers/cedar-wasm" */
  readonly layerDir?: string;
}

/**
 * The Lambda layer that carries `@cedar-policy/cedar-wasm` at the version pinned in
 * `layers/cedar-wasm/package.json`, copied from the installed module without Docker or network.
 */
export class CedarLayer extends Construct {
  /** The layer to attach to functions that load Cedar. */
  readonly layer: ILayerVersion;
  /** The Cedar version in the layer. */
  readonly cedarVersion: string;

  constructor(scope: Construct, id: string, props: CedarLayerProps = {}) {
    super(scope, id);
    const layerDir = props.layerDir ?? join(REPO_ROOT, "layers", "cedar-wasm");
    const built = new ModuleLayer(this, "Modules", {
      layerDir,
      modules: [CEDAR],
      purpose: "Cedar",
    });
    this.layer = built.layer;
    this.cedarVersion = built.versions[CEDAR_MODULE] as string;
  }
}

/**
 * The Lambda layer that carries the shell parser (web-tree-sitter and tree-sitter's Bash grammar)
 * at the versions pinned in `layers/shell-parser/package.json`, and our adapter that translates its
 * syntax. Its WebAssembly is loaded from files, so it ships here rather than in the bundles.
 */
export class ShellParserLayer extends Construct {
  /** The layer to attach to functions that evaluate tool calls. */
  readonly layer: ILayerVersion;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.layer = new ModuleLayer(this, "Modules", {
      layerDir: join(REPO_ROOT, "layers", "shell-parser"),
      modules: SHELL_PARSER_LAYER_MODULES,
      builtModules: [{ name: SHELL_PARSER_ADAPTER, build: buildShellParserAdapter }],
      purpose: "Shell parser",
    }).layer;
  }
}

/** The exact version that the Cedar layer's package.json pins. */
export function pinnedCedarVersion(layerDir: string): string {
  return pinnedVersion(layerDir, CEDAR_MODULE);
}

/**
 * Copies what Node needs of the installed Cedar module into a layer's `nodejs/node_modules` tree.
 *
 * @throws when the module is missing or is not the pinned version, so a stale install never ships
 */
export function copyCedarModule(moduleDir: string, pinned: string, outputDir: string): void {
  copyPinnedModule(CEDAR, moduleDir, pinned, outputDir);
}
