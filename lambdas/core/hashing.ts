import { createHash } from "node:crypto";
import { canonicalJson } from "./canonical-json";

/** The SHA-256 digest of `text` encoded as UTF-8, as 64 lowercase hex characters. */
export function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/**
 * The SHA-256 of a tool input's canonical JSON, so the same input hashes the same whatever its key order.
 *
 * @throws TypeError when the input is not plain JSON data (see {@link canonicalJson}).
 */
export function inputSha256(toolInput: unknown): string {
  return sha256Hex(canonicalJson(toolInput));
}
