import { Sha256 } from "@aws-crypto/sha256-js";

/**
 * The part of `node:crypto` that the ledger's hashing uses, for the browser: the console's build
 * resolves `node:crypto` here, so the page verifies the chain with the server's own code.
 * SHA-256 only, synchronous like Node's (Web Crypto's digest is asynchronous).
 */
export function createHash(algorithm: string) {
  if (algorithm !== "sha256")
    throw new TypeError(`only sha256 is available in the browser, not ${algorithm}`);
  const hash = new Sha256();
  const api = {
    update(text: string, _encoding?: "utf8") {
      hash.update(new TextEncoder().encode(text));
      return api;
    },
    digest(_encoding: "hex"): string {
      return Array.from(hash.digestSync(), (byte) => byte.toString(16).padStart(2, "0")).join("");
    },
  };
  return api;
}
