import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { type BuildOptions, buildSync } from "esbuild";

/** One file of the built site. */
export interface SiteFile {
  readonly body: Uint8Array;
  readonly contentType: string;
}

/** The built console: site paths (`/index.html`, `/app.js`, …) to their files. */
export type ConsoleSite = ReadonlyMap<string, SiteFile>;

/** The console's sources, next to this file. */
export const CONSOLE_DIR = __dirname;

/**
 * Bundle budgets, in bytes of minified output (see {@link bundleSizes}). A test builds the site and
 * holds it to them; sizes of a build are deterministic.
 */
export const BUNDLE_BUDGETS = {
  initialJs: 40 * 1024,
  totalJs: 96 * 1024,
  css: 12 * 1024,
} as const;

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".map": "application/json",
};

/** esbuild's settings for the console: ES modules split at dynamic imports, minified, for browsers. */
export function consoleBuildOptions(): BuildOptions {
  return {
    absWorkingDir: CONSOLE_DIR,
    entryPoints: { app: join(CONSOLE_DIR, "src", "main.ts") },
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "browser",
    target: ["es2022"],
    minify: true,
    legalComments: "none",
    chunkNames: "chunks/[name]-[hash]",
    outdir: join(CONSOLE_DIR, "out"),
    write: false,
    metafile: true,
    // The ledger's hashing imports node:crypto; in the browser the same calls run on a pure-JS SHA-256.
    alias: { "node:crypto": "./src/shims/node-crypto.ts" },
    logLevel: "silent",
  };
}

/** Builds the site in memory: the bundle, the page and the stylesheet. Deterministic for given sources. */
export function buildConsole(): ConsoleSite {
  const result = buildSync(consoleBuildOptions());
  const outdir = join(CONSOLE_DIR, "out");
  const files = new Map<string, SiteFile>();
  for (const file of result.outputFiles ?? []) {
    const path = `/${relative(outdir, file.path).split("\\").join("/")}`;
    files.set(path, { body: file.contents, contentType: contentTypeOf(path) });
  }
  for (const name of ["index.html", "app.css"]) {
    files.set(`/${name}`, { body: readFileSync(join(CONSOLE_DIR, name)), contentType: contentTypeOf(name) });
  }
  return files;
}

/** Writes the built site into `dir`, for the deployment to upload. */
export function writeConsole(site: ConsoleSite, dir: string): void {
  for (const [path, file] of site) {
    const target = join(dir, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, file.body);
  }
}

/**
 * The sizes that the budgets bound, in bytes: the JavaScript the page loads before it shows
 * anything (the entry and what it imports statically), all JavaScript of the site (lazy chunks
 * included: what a deployed console fetches on demand), and the stylesheet.
 */
export function bundleSizes(site: ConsoleSite): { initialJs: number; totalJs: number; css: number } {
  const result = buildSync(consoleBuildOptions());
  const outputs = new Map(
    Object.entries(result.metafile?.outputs ?? {}).map(([path, meta]) => [sitePath(path), meta]),
  );
  const initial = new Set<string>();
  const walk = (path: string) => {
    if (initial.has(path)) return;
    initial.add(path);
    for (const imported of outputs.get(path)?.imports ?? []) {
      if (imported.kind !== "dynamic-import") walk(sitePath(imported.path));
    }
  };
  walk("/app.js");
  const size = (paths: Iterable<string>) =>
    [...paths].reduce((sum, p) => sum + (site.get(p)?.body.length ?? 0), 0);
  return {
    initialJs: size(initial),
    totalJs: size([...site.keys()].filter((p) => p.endsWith(".js"))),
    css: site.get("/app.css")?.body.length ?? 0,
  };
}

/** An esbuild output path (relative to the console folder) as a site path. */
function sitePath(outputPath: string): string {
  return `/${relative("out", outputPath).split("\\").join("/")}`;
}

function contentTypeOf(path: string): string {
  const dot = path.lastIndexOf(".");
  return CONTENT_TYPES[dot === -1 ? "" : path.slice(dot)] ?? "application/octet-stream";
}
