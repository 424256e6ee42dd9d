// `npm run build:packages`: the `gates` CLI and the TypeScript SDK as npm packages, built from
// where their code lives (cli/, sdk/ and what they import) into dist/packages/, and packed.
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { isBuiltin } from "node:module";
import { join } from "node:path";
import { generateDtsBundle } from "dts-bundle-generator";
import { type BuildOptions, build, type Metafile } from "esbuild";

const ROOT = join(__dirname, "..");

interface RootManifest {
  readonly version: string;
  readonly dependencies: Readonly<Record<string, string>>;
}

/** One built package: its directory, its manifest and, once packed, its tarball. */
export interface BuiltPackage {
  readonly dir: string;
  readonly manifest: Record<string, unknown>;
  readonly tarball?: string;
}

/** `@scope/name/sub/path` → `@scope/name`; `name/sub` → `name`. */
export function packageNameOf(specifier: string): string {
  const parts = specifier.split("/");
  return (specifier.startsWith("@") ? parts.slice(0, 2) : parts.slice(0, 1)).join("/");
}

/**
 * The runtime dependencies of a bundle: every package it leaves external, at the range the
 * root package.json gives it. A package only the root's devDependencies hold cannot be one.
 */
export function dependenciesOf(
  imports: Iterable<string>,
  root: RootManifest,
  what: string,
): Record<string, string> {
  const deps: Record<string, string> = {};
  for (const specifier of imports) {
    if (isBuiltin(specifier) || specifier.startsWith(".")) continue;
    const name = packageNameOf(specifier);
    const range = root.dependencies[name];
    if (!range) throw new Error(`${what} imports ${name}, which is not a runtime dependency in package.json`);
    deps[name] = range;
  }
  return Object.fromEntries(Object.entries(deps).sort(([a], [b]) => a.localeCompare(b)));
}

function externalsOf(metafile: Metafile | undefined): string[] {
  if (!metafile) throw new Error("esbuild wrote no metafile");
  return Object.values(metafile.inputs).flatMap((input) =>
    input.imports.filter((i) => i.external).map((i) => i.path),
  );
}

/** The packages a declaration file imports from, so its types resolve for consumers. */
function declarationImports(text: string): string[] {
  return [...text.matchAll(/(?:from|import\()\s*["']([^"']+)["']/g)].map((m) => m[1] ?? "");
}

const COMMON: BuildOptions = {
  bundle: true,
  platform: "node",
  target: "node20",
  packages: "external",
  metafile: true,
  logLevel: "warning",
  legalComments: "eof",
};

function writeManifest(dir: string, template: string, extra: Record<string, unknown>) {
  const manifest = { ...JSON.parse(readFileSync(join(ROOT, template, "manifest.json"), "utf8")), ...extra };
  writeFileSync(join(dir, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  copyFileSync(join(ROOT, template, "README.md"), join(dir, "README.md"));
  return manifest as Record<string, unknown>;
}

function rootManifest(): RootManifest {
  return JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as RootManifest;
}

/** Builds the CLI package alone into `dir` (the start-up benchmark runs its bin). */
export async function buildCliPackage(dir: string): Promise<BuiltPackage> {
  mkdirSync(dir, { recursive: true });
  return buildCli(dir, rootManifest());
}

async function buildCli(dir: string, root: RootManifest): Promise<BuiltPackage> {
  // cli/main.ts runs main() when it is the process's entry, so the bundle is the bin itself.
  const result = await build({
    ...COMMON,
    entryPoints: [join(ROOT, "cli/main.ts")],
    outfile: join(dir, "gates.cjs"),
    format: "cjs",
    banner: { js: "#!/usr/bin/env node" },
  });
  const dependencies = dependenciesOf(externalsOf(result.metafile), root, "the CLI");
  return { dir, manifest: writeManifest(dir, "packaging/cli", { version: root.version, dependencies }) };
}

async function buildSdk(dir: string, root: RootManifest): Promise<BuiltPackage> {
  const entry = join(ROOT, "sdk/index.ts");
  const cjs = await build({
    ...COMMON,
    entryPoints: [entry],
    outfile: join(dir, "index.cjs"),
    format: "cjs",
  });
  const esm = await build({
    ...COMMON,
    entryPoints: [entry],
    outfile: join(dir, "index.mjs"),
    format: "esm",
    // The SDK loads the AWS signer with require() only when SigV4 is used; ESM has no require of its own.
    banner: {
      js: 'import { createRequire as __gatesRequire } from "node:module";\nconst require = __gatesRequire(import.meta.url);',
    },
  });
  // One declaration file, with only what the SDK's exports reach; the same text types both formats.
  const [declarations = ""] = generateDtsBundle(
    [{ filePath: entry, output: { noBanner: true, exportReferencedTypes: false } }],
    { preferredConfigPath: join(ROOT, "tsconfig.build.json") },
  );
  writeFileSync(join(dir, "index.d.cts"), declarations);
  writeFileSync(join(dir, "index.d.mts"), declarations);
  const imports = [
    ...externalsOf(cjs.metafile),
    ...externalsOf(esm.metafile),
    ...declarationImports(declarations),
  ];
  const dependencies = dependenciesOf(imports, root, "the SDK");
  return { dir, manifest: writeManifest(dir, "packaging/sdk", { version: root.version, dependencies }) };
}

/** `npm pack` of a built package into `dest`; returns the tarball's path. */
function pack(dir: string, dest: string): string {
  const out = execFileSync("npm", ["pack", "--json", "--pack-destination", dest], {
    cwd: dir,
    encoding: "utf8",
    env: { ...process.env, npm_config_update_notifier: "false", npm_config_fund: "false" },
  });
  const [info] = JSON.parse(out) as { filename: string }[];
  if (!info) throw new Error(`npm pack in ${dir} reported nothing`);
  return join(dest, info.filename);
}

/** Builds both packages into `outDir` (wiped first) and packs them there. */
export async function buildPackages(
  outDir = join(ROOT, "dist/packages"),
  options: { readonly pack?: boolean } = {},
): Promise<{ readonly cli: BuiltPackage; readonly sdk: BuiltPackage }> {
  const root = rootManifest();
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(join(outDir, "cli"), { recursive: true });
  mkdirSync(join(outDir, "sdk"), { recursive: true });
  const cli = await buildCli(join(outDir, "cli"), root);
  const sdk = await buildSdk(join(outDir, "sdk"), root);
  if (options.pack === false) return { cli, sdk };
  return {
    cli: { ...cli, tarball: pack(cli.dir, outDir) },
    sdk: { ...sdk, tarball: pack(sdk.dir, outDir) },
  };
}

if (require.main === module) {
  buildPackages().then(
    ({ cli, sdk }) => {
      for (const p of [cli, sdk]) console.log(`${p.manifest.name}@${p.manifest.version}  ${p.tarball}`);
    },
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
