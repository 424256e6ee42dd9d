import { cpSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { AssetHashType, DockerImage } from "aws-cdk-lib";
import { Architecture, Code, type ILayerVersion, LayerVersion } from "aws-cdk-lib/aws-lambda";
import { Construct } from "constructs";
import { GATES_RUNTIME } from "./gates-function";

/** One npm package a layer carries, and the parts of it that Node needs at run time. */
export interface LayerModule {
  readonly name: string;
  /** Files and folders inside the package to copy, e.g. `["package.json", "nodejs"]`. */
  readonly paths: readonly string[];
}

/** Props of {@link ModuleLayer}. */
export interface ModuleLayerProps {
  /** The layer's package folder, whose package.json pins each module to an exact version. */
  readonly layerDir: string;
  readonly modules: readonly LayerModule[];
  /** What the layer is for, in its description. */
  readonly purpose: string;
  /** Where the installed modules are copied from. @default "<repo>/node_modules" */
  readonly nodeModulesDir?: string;
  /** Modules of our own built into the layer: each writes itself into the directory it is given. */
  readonly builtModules?: readonly BuiltModule[];
}

/** A module of this repository that a layer carries, built when the layer is. */
export interface BuiltModule {
  readonly name: string;
  build(moduleDir: string): void;
}

const REPO_ROOT = join(__dirname, "..", "..");

/**
 * A Lambda layer of npm packages pinned in a layer folder's package.json. It is assembled on
 * this machine — no Docker, no network — by copying the installed packages (the npm workspace
 * resolves them to exactly the pins), and synth fails if an installed version differs from its
 * pin. The asset hash follows the layer folder, so changing a pin publishes a new layer version.
 */
export class ModuleLayer extends Construct {
  /** The layer to attach to the functions that load these modules. */
  readonly layer: ILayerVersion;
  /** The pinned version of each module. */
  readonly versions: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: ModuleLayerProps) {
    super(scope, id);
    const nodeModules = props.nodeModulesDir ?? join(REPO_ROOT, "node_modules");
    const versions = Object.fromEntries(
      props.modules.map((m) => [m.name, pinnedVersion(props.layerDir, m.name)]),
    );
    this.versions = versions;
    this.layer = new LayerVersion(this, "Layer", {
      description: `${props.purpose}: ${props.modules.map((m) => `${m.name} ${versions[m.name]}`).join(", ")}`,
      compatibleRuntimes: [GATES_RUNTIME],
      compatibleArchitectures: [Architecture.ARM_64, Architecture.X86_64],
      code: Code.fromAsset(props.layerDir, {
        // The built modules' sources live outside the layer folder, so the hash follows what ships.
        ...(props.builtModules?.length ? { assetHashType: AssetHashType.OUTPUT } : {}),
        bundling: {
          // Never run: local bundling always succeeds or throws, and the image is only a required field.
          image: DockerImage.fromRegistry("docker-bundling-is-not-used"),
          local: {
            tryBundle(outputDir: string): boolean {
              for (const m of props.modules) {
                const moduleDir = join(nodeModules, ...m.name.split("/"));
                copyPinnedModule(m, moduleDir, versions[m.name] as string, outputDir);
              }
              for (const m of props.builtModules ?? []) {
                const moduleDir = join(outputDir, "nodejs", "node_modules", ...m.name.split("/"));
                mkdirSync(moduleDir, { recursive: true });
                m.build(moduleDir);
              }
              return true;
            },
          },
        },
      }),
    });
  }
}

/** The exact version a layer folder's package.json pins a module to. */
export function pinnedVersion(layerDir: string, name: string): string {
  const manifest: unknown = JSON.parse(readFileSync(join(layerDir, "package.json"), "utf8"));
  const version = dependencyVersion(manifest, name);
  if (version === undefined || !/^\d+\.\d+\.\d+$/.test(version)) {
    throw new Error(
      `${join(layerDir, "package.json")} must pin ${name} to an exact version, found "${version}".`,
    );
  }
  return version;
}

/**
 * Copies what Node needs of an installed module into the layer's `nodejs/node_modules` tree.
 *
 * @throws when the module is missing or is not the pinned version, so a stale install never ships
 */
export function copyPinnedModule(
  module: LayerModule,
  moduleDir: string,
  pinned: string,
  outputDir: string,
): void {
  const manifestPath = join(moduleDir, "package.json");
  if (!existsSync(manifestPath)) {
    throw new Error(`${module.name} is not installed at ${moduleDir}; run npm ci first.`);
  }
  const installed: unknown = JSON.parse(readFileSync(manifestPath, "utf8"));
  const version = isRecord(installed) ? installed.version : undefined;
  if (version !== pinned) {
    throw new Error(
      `${module.name} ${String(version)} is installed but the layer pins ${pinned}; run npm ci.`,
    );
  }
  const target = join(outputDir, "nodejs", "node_modules", ...module.name.split("/"));
  mkdirSync(target, { recursive: true });
  for (const path of module.paths) {
    mkdirSync(dirname(join(target, path)), { recursive: true });
    cpSync(join(moduleDir, path), join(target, path), { recursive: true });
  }
}

function dependencyVersion(manifest: unknown, name: string): string | undefined {
  if (!isRecord(manifest) || !isRecord(manifest.dependencies)) return undefined;
  const version = manifest.dependencies[name];
  return typeof version === "string" ? version : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
