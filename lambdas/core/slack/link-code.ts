/** Crockford's base32 alphabet: no I, L, O or U, so a code read aloud or retyped survives. */
const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** Characters in a code; 8 × 5 bits = 40 random bits. */
export const LINK_CODE_LENGTH = 8;

/** How long a code stays usable. */
export const LINK_CODE_TTL_S = 10 * 60;

/**
 * A new one-time link code from 5 random bytes (40 bits), as 8 Crockford base32 characters.
 *
 * @param randomBytes - a source of cryptographically strong bytes, e.g. `crypto.randomBytes`
 */
export function newLinkCode(randomBytes: (size: number) => Uint8Array): string {
  const bytes = randomBytes(5);
  if (bytes.length !== 5) throw new Error("the random source returned the wrong number of bytes");
  let bits = 0n;
  for (const byte of bytes) bits = (bits << 8n) | BigInt(byte);
  let code = "";
  for (let i = LINK_CODE_LENGTH - 1; i >= 0; i -= 1) {
    code += CROCKFORD[Number((bits >> BigInt(i * 5)) & 31n)];
  }
  return code;
}

/** A code as shown to people: `ABCD-EFGH`. */
export function displayLinkCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/**
 * The canonical form of a code someone typed — hyphens, spaces and case optional, and the
 * look-alikes Crockford folds (I and L as 1, O as 0) accepted — or `undefined` when it cannot
 * be a code at all.
 */
export function normalizeLinkCode(typed: string): string | undefined {
  const folded = typed.replace(/[\s-]/g, "").toUpperCase().replace(/[IL]/g, "1").replace(/O/g, "0");
  if (folded.length !== LINK_CODE_LENGTH) return undefined;
  for (const char of folded) if (!CROCKFORD.includes(char)) return undefined;
  return folded;
}
