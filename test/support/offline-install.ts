import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";

const ROOT = join(__dirname, "../..");

interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [key: string]: unknown;
}

/** A packed package to install: its tarball and the manifest inside it. */
export interface Tarball {
  readonly path: string;
  readonly manifest: Record<string, unknown>;
}

/** Where Node would find `name` from the package at `from`: its own node_modules, then each parent's. */
function locate(packages: Record<string, LockEntry>, from: string, name: string): string | undefined {
  let base = from;
  for (;;) {
    const candidate = base ? `${base}/node_modules/${name}` : `node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (!base) return undefined;
    const at = base.lastIndexOf("/node_modules/");
    base = at >= 0 ? base.slice(0, at) : "";
  }
}

/**
 * The part of the checkout's lockfile tree that the tarballs' dependencies need, found the
 * way Node resolves them, so `npm ci --offline` installs it from the npm cache alone.
 */
function lockFor(tarballs: readonly Tarball[]): Record<string, unknown> {
  const rootLock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as {
    packages: Record<string, LockEntry>;
  };
  const source = rootLock.packages;
  const picked: Record<string, LockEntry> = {};
  const queue: { from: string; deps: Record<string, string> }[] = [];
  const rootDeps: Record<string, string> = {};
  for (const t of tarballs) {
    const name = String(t.manifest.name);
    const file = `file:${basename(t.path)}`;
    rootDeps[name] = file;
    const deps = (t.manifest.dependencies ?? {}) as Record<string, string>;
    const integrity = `sha512-${createHash("sha512").update(readFileSync(t.path)).digest("base64")}`;
    picked[`node_modules/${name}`] = {
      version: String(t.manifest.version),
      resolved: file,
      integrity,
      dependencies: deps,
      ...(t.manifest.bin ? { bin: t.manifest.bin } : {}),
    };
    queue.push({ from: `node_modules/${name}`, deps });
  }
  while (queue.length > 0) {
    const { from, deps } = queue.shift() as { from: string; deps: Record<string, string> };
    for (const name of Object.keys(deps)) {
      const path = locate(source, from, name);
      if (!path) throw new Error(`${name} (needed by ${from}) is not in package-lock.json`);
      if (picked[path]) continue;
      const { dev: _dev, devOptional: _devOptional, peer: _peer, ...entry } = source[path] as LockEntry;
      picked[path] = entry;
      const required = Object.fromEntries(
        Object.entries(entry.peerDependencies ?? {}).filter(
          ([p]) => !entry.peerDependenciesMeta?.[p]?.optional,
        ),
      );
      queue.push({ from: path, deps: { ...entry.dependencies, ...entry.optionalDependencies, ...required } });
    }
  }
  return {
    name: "gates-consumer",
    lockfileVersion: 3,
    requires: true,
    packages: { "": { name: "gates-consumer", dependencies: rootDeps }, ...picked },
  };
}

/**
 * Makes `dir` a fresh project that depends on the tarballs and installs them with
 * `npm ci --offline`: our packages from their tarballs, everything else from the npm cache.
 */
export function installOffline(dir: string, tarballs: readonly Tarball[]): void {
  mkdirSync(dir, { recursive: true });
  for (const t of tarballs) copyFileSync(t.path, join(dir, basename(t.path)));
  const lock = lockFor(tarballs);
  const dependencies = (lock.packages as Record<string, { dependencies?: object }>)[""]?.dependencies;
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({ name: "gates-consumer", private: true, dependencies }, null, 2),
  );
  writeFileSync(join(dir, "package-lock.json"), JSON.stringify(lock, null, 2));
  execFileSync("npm", ["ci", "--offline", "--no-audit", "--no-fund", "--ignore-scripts"], {
    cwd: dir,
    encoding: "utf8",
    stdio: "pipe",
    env: { ...process.env, npm_config_update_notifier: "false" },
  });
}
