import { createHmac, timingSafeEqual } from "node:crypto";
import { ValidationError } from "./errors";
import type { SigningKey } from "./ports";

/** Names what a MAC is for, so a page token can never pass as another signed value. */
const PURPOSE = "gates page token v1";

function mac(key: Uint8Array, owner: string, payload: string): Buffer {
  return createHmac("sha256", key).update(`${PURPOSE}\n${owner}\n${payload}`, "utf8").digest();
}

function refused(): ValidationError {
  const message = "is not a token this API issued for you";
  return new ValidationError(
    "next_token is not valid; pass the next_token of the previous page unchanged, or omit it to start over.",
    [{ field: "next_token", message }],
  );
}

/**
 * A position in a list, sealed for one caller: `<payload>.<HMAC-SHA256>` in base64url, the caller's
 * id inside the MAC. Only the API can make one, and a token works only for the caller it was made
 * for, so a forged or borrowed token is refused rather than read as a position.
 */
export async function sealPageToken(key: SigningKey, owner: string, position: string): Promise<string> {
  const payload = Buffer.from(position, "utf8").toString("base64url");
  return `${payload}.${mac(await key.get(), owner, payload).toString("base64url")}`;
}

/**
 * The position sealed in a token made by {@link sealPageToken} for `owner`.
 *
 * @throws ValidationError for any token that is not one, named as `next_token`.
 */
export async function openPageToken(key: SigningKey, owner: string, token: string): Promise<string> {
  const [payload, signature, ...rest] = token.split(".");
  if (!payload || !signature || rest.length > 0) throw refused();
  const expected = mac(await key.get(), owner, payload);
  const given = Buffer.from(signature, "base64url");
  // base64url decoding skips stray characters and ignores spare bits; only our own spelling passes.
  if (given.toString("base64url") !== signature) throw refused();
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw refused();
  return Buffer.from(payload, "base64url").toString("utf8");
}
