/**
 * Repo ids and policy layer ids in their one canonical form. Rules and settings are keyed by repo
 * id, so two spellings of one repo (`Strict/Svc`, `strict/svc.git`) must never be two keys: every id
 * is canonicalized where it enters the API, and an id that cannot be read unambiguously is refused.
 */

/** A canonical repo id: lower case, `owner/name` or `name`. */
export const CANONICAL_REPO_ID = /^[a-z0-9][a-z0-9._-]{0,99}(\/[a-z0-9._-]{1,100})?$/;

/** The layer id of rules and settings for the whole deployment. */
export const GLOBAL_LAYER = "*";

/** A canonical layer id: `*`, `owner/*` or a canonical repo id. */
export const CANONICAL_LAYER_ID =
  /^(\*|[a-z0-9][a-z0-9._-]{0,99}\/\*|[a-z0-9][a-z0-9._-]{0,99}(\/[a-z0-9._-]{1,100})?)$/;

/** What canonicalizing gave: the id, or a message that says what to send instead. */
export type CanonicalResult = { ok: true; id: string } | { ok: false; message: string };

const FORM = "must look like 'owner/name' or 'name' (letters, digits, '.', '_', '-'), e.g. 'acme/app'";

/**
 * The canonical form of a repo id: surrounding whitespace, one trailing `/` and a trailing `.git`
 * go, letters become lower case. URLs, `host:path` forms, `.` and `..` segments and anything outside
 * ASCII letters, digits, `.`, `_` and `-` are refused rather than guessed at.
 */
export function canonicalRepoId(raw: string): CanonicalResult {
  let id = raw.trim();
  if (/[:@\\]|\/\//.test(id)) {
    return { ok: false, message: `${FORM}; send the repo's owner/name, not a URL or host path` };
  }
  if (id.endsWith("/")) id = id.slice(0, -1);
  if (id.toLowerCase().endsWith(".git")) id = id.slice(0, -4);
  id = id.toLowerCase();
  if (!CANONICAL_REPO_ID.test(id)) return { ok: false, message: FORM };
  if (id.split("/").some((segment) => segment === "." || segment === "..")) {
    return { ok: false, message: `${FORM}; '.' and '..' are not names` };
  }
  return { ok: true, id };
}

/**
 * The canonical form of a layer id: `*` (the whole deployment), `owner/*` (every repo of an owner)
 * or a repo id.
 */
export function canonicalLayerId(raw: string): CanonicalResult {
  const text = raw.trim();
  if (text === GLOBAL_LAYER) return { ok: true, id: GLOBAL_LAYER };
  if (text.endsWith("/*")) {
    const owner = canonicalRepoId(text.slice(0, -2));
    if (owner.ok && !owner.id.includes("/")) return { ok: true, id: `${owner.id}/*` };
    return { ok: false, message: "a prefix layer looks like 'owner/*', e.g. 'acme/*'" };
  }
  const repo = canonicalRepoId(text);
  return repo.ok
    ? repo
    : { ok: false, message: `${repo.message}; or '*' for every repo, or 'owner/*' for an owner's repos` };
}

/**
 * The layers that judge a repo (or a wider layer), widest first and ending with itself: `acme/app` is
 * judged by `*`, `acme/*` and `acme/app`; `acme/*` by `*` and `acme/*`; `*` by itself.
 */
export function layersOf(layerId: string): string[] {
  if (layerId === GLOBAL_LAYER) return [GLOBAL_LAYER];
  const slash = layerId.indexOf("/");
  if (slash === -1) return [GLOBAL_LAYER, layerId];
  const prefix = `${layerId.slice(0, slash)}/*`;
  return prefix === layerId ? [GLOBAL_LAYER, prefix] : [GLOBAL_LAYER, prefix, layerId];
}

/** Whether a layer id names a set of repos (`*`, `owner/*`) rather than one repo. */
export function isWideLayer(layerId: string): boolean {
  return layerId === GLOBAL_LAYER || layerId.endsWith("/*");
}

/** Whether a layer covers a repo: `*` covers all, `acme/*` covers `acme/…`, a repo covers itself. */
export function layerCovers(layerId: string, repo: string): boolean {
  if (layerId === GLOBAL_LAYER) return true;
  if (layerId.endsWith("/*")) return repo.startsWith(layerId.slice(0, -1));
  return layerId === repo;
}
