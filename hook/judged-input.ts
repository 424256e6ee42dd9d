import { createHash } from "node:crypto";

/** The tools that write files: their content can be large, their path is what the rules judge. */
export const FILE_WRITE_TOOLS: ReadonlySet<string> = new Set(["Write", "Edit", "MultiEdit", "NotebookEdit"]);

/** Characters of a long text that stay in the judged input, so the approver sees how it starts. */
const PREVIEW_CHARS = 1024;

/** What the control plane is asked about a call: the input itself, or a digest of a large write. */
export type JudgedInput =
  | { readonly kind: "whole"; readonly input: Record<string, unknown> }
  | { readonly kind: "digest"; readonly input: Record<string, unknown> }
  | { readonly kind: "too_large"; readonly bytes: number };

const bytesOf = (value: unknown) => Buffer.byteLength(JSON.stringify(value), "utf8");

/**
 * The input the control plane judges. Small inputs go whole. A file write over `limitBytes`
 * is still judged: every long text in it is cut to a preview and its SHA-256 and size are added
 * beside it (`content` → `content`, `content_sha256`, `content_bytes`), while the path, the tool
 * and every short field stay as they are, so path rules still match and the approver sees what
 * the file will hold. Any other tool that large cannot be judged and is denied.
 */
export function judgedInput(
  toolName: string,
  input: Record<string, unknown>,
  limitBytes: number,
): JudgedInput {
  const bytes = bytesOf(input);
  if (bytes <= limitBytes) return { kind: "whole", input };
  if (!FILE_WRITE_TOOLS.has(toolName)) return { kind: "too_large", bytes };
  const digest = digestLongTexts(input) as Record<string, unknown>;
  return bytesOf(digest) <= limitBytes ? { kind: "digest", input: digest } : { kind: "too_large", bytes };
}

function digestLongTexts(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(digestLongTexts);
  if (typeof value !== "object" || value === null) return value;
  const out: Record<string, unknown> = {};
  const digests: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    if (typeof inner === "string" && inner.length > PREVIEW_CHARS) {
      out[key] = `${inner.slice(0, PREVIEW_CHARS)}…`;
      digests[`${key}_sha256`] = createHash("sha256").update(inner, "utf8").digest("hex");
      digests[`${key}_bytes`] = Buffer.byteLength(inner, "utf8");
    } else {
      out[key] = digestLongTexts(inner);
    }
  }
  // Written last, so a field the caller named like a digest can never stand in for the real one.
  return Object.assign(out, digests);
}
