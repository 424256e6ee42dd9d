// Lone halves of surrogate pairs; the pattern has no `u` flag so it sees UTF-16 code units.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const ANY_SURROGATE = /[\ud800-\udfff]/;

/**
 * The text with every lone UTF-16 surrogate replaced by U+FFFD, so it can cross into
 * Rust/wasm or UTF-8 storage. Same result as `String.prototype.toWellFormed`, which is not
 * used because Node 20's optimizing compiler crashes the process when code calling it in a
 * hot loop deoptimizes.
 */
export function wellFormed(text: string): string {
  return ANY_SURROGATE.test(text) ? text.replace(LONE_SURROGATE, "\ufffd") : text;
}
