import { cpSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { DockerImage } from "aws-cdk-lib";
import { Architecture, Code, type ILayerVersion, LayerVersion } from "aws-cdk-lib/aws-lambda";
import { Construct } from "constructs";
import { CEDAR_MODULE, GATES_RUNTIME } from "./gates-function";

/** Props of {@link CedarLayer}. */
export interface CedarLayerProps {
  /** The layer's package folder, whose package.json pins the Cedar version. @default "<repo>/layers/cedar-wasm" */
  readonly layerDir?: string;
  /** Where the installed module is copied from. @default "<repo>/node_modules/@cedar-policy/cedar-wasm" */
  readonly installedModuleDir?: string;
}

const REPO_ROOT = join(__dirname, "..", "..");

/**
 * The Lambda layer that carries `@cedar-policy/cedar-wasm` at the version pinned in the layer's
 * package.json. It is assembled on this machine — no Docker, no network — by copying the installed
 * module (the npm workspace resolves it to exactly the pin), and synth fails if the two disagree.
 * The asset hash follows the layer folder, so changing the pin publishes a new layer version.
 */
export class CedarLayer extends Construct {
  /** The layer to attach to functions that load Cedar. */
  readonly layer: ILayerVersion;
  /** The Cedar version in the layer. */
  readonly cedarVersion: string;

  constructor(scope: Construct, id: string, props: CedarLayerProps = {}) {
    super(scope, id);
    const layerDir = props.layerDir ?? join(REPO_ROOT, "layers", "cedar-wasm");
    const moduleDir = props.installedModuleDir ?? join(REPO_ROOT, "node_modules", ...CEDAR_MODULE.split("/"));
    this.cedarVersion = pinnedCedarVersion(layerDir);
    const pinned = this.cedarVersion;
    this.layer = new LayerVersion(this, "Layer", {
      description: `${CEDAR_MODULE} ${pinned}`,
      compatibleRuntimes: [GATES_RUNTIME],
      compatibleArchitectures: [Architecture.ARM_64, Architecture.X86_64],
      code: Code.fromAsset(layerDir, {
        bundling: {
          // Never run: local bundling always succeeds or throws, and the image is only a required field.
          image: DockerImage.fromRegistry("docker-bundling-is-not-used"),
          local: {
            tryBundle(outputDir: string): boolean {
              copyCedarModule(moduleDir, pinned, outputDir);
              return true;
            },
          },
        },
      }),
    });
  }
}

/** The exact version that the layer's package.json pins. */
export function pinnedCedarVersion(layerDir: string): string {
  const manifest: unknown = JSON.parse(readFileSync(join(layerDir, "package.json"), "utf8"));
  const version = dependencyVersion(manifest, CEDAR_MODULE);
  if (version === undefined || !/^\d+\.\d+\.\d+$/.test(version)) {
    throw new Error(
      `${join(layerDir, "package.json")} must pin ${CEDAR_MODULE} to an exact version, found "${version}".`,
    );
  }
  return version;
}

/**
 * Copies what Node needs of the installed module into the layer's `nodejs/node_modules` tree: its
 * package.json and the `nodejs` build (the browser and ESM builds are left behind).
 *
 * @throws when the module is missing or is not the pinned version, so a stale install never ships
 */
export function copyCedarModule(moduleDir: string, pinned: string, outputDir: string): void {
  const manifestPath = join(moduleDir, "package.json");
  if (!existsSync(manifestPath)) {
    throw new Error(`${CEDAR_MODULE} is not installed at ${moduleDir}; run npm ci first.`);
  }
  const installed: unknown = JSON.parse(readFileSync(manifestPath, "utf8"));
  const version = isRecord(installed) ? installed.version : undefined;
  if (version !== pinned) {
    throw new Error(
      `${CEDAR_MODULE} ${String(version)} is installed but the layer pins ${pinned}; run npm ci.`,
    );
  }
  const target = join(outputDir, "nodejs", "node_modules", ...CEDAR_MODULE.split("/"));
  mkdirSync(dirname(target), { recursive: true });
  mkdirSync(target, { recursive: true });
  cpSync(manifestPath, join(target, "package.json"));
  cpSync(join(moduleDir, "nodejs"), join(target, "nodejs"), { recursive: true });
}

function dependencyVersion(manifest: unknown, name: string): string | undefined {
  if (!isRecord(manifest) || !isRecord(manifest.dependencies)) return undefined;
  const version = manifest.dependencies[name];
  return typeof version === "string" ? version : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
