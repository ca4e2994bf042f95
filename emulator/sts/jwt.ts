/**
 * The OIDC token (a JWT) as STS reads it: three base64url parts, an RS256 signature by one of the identity
 * provider's keys. Failures carry the STS error-code page's own messages (see errors.ts for the source).
 */
import { createPublicKey, KeyObject, verify } from "node:crypto";
import { stsError } from "./errors";

export interface DecodedJwt {
  readonly header: Readonly<Record<string, unknown>>;
  readonly payload: Readonly<Record<string, unknown>>;
  /** "<header>.<payload>" as sent: what the signature covers. */
  readonly signedPart: string;
  readonly signature: Buffer;
}

/** STS's length rule for OIDCToken (AssumeRoleWithOIDC request parameters). */
export const OIDC_TOKEN_LENGTH = { min: 4, max: 20_000 } as const;

const BASE64URL = /^[A-Za-z0-9_-]*$/;

function decodeJsonPart(part: string): Record<string, unknown> {
  if (!BASE64URL.test(part)) throw stsError("AuthenticationFail.OIDCToken.Invalid", "Cannot decode base64 encoded response(format invalided).");
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
  } catch {
    throw stsError("AuthenticationFail.OIDCToken.Invalid", "Cannot decode base64 encoded response(format invalided).");
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw stsError("AuthenticationFail.OIDCToken.Invalid");
  return value as Record<string, unknown>;
}

/** Splits and decodes a token without trusting anything in it yet. */
export function decodeJwt(token: string): DecodedJwt {
  if (token.trim() === "") throw stsError("AuthenticationFail.OIDCToken.Invalid", "The OIDCToken can not empty.");
  const parts = token.split(".");
  if (parts.length !== 3) {
    throw stsError("AuthenticationFail.OIDCToken.Invalid", "The number of Jwt field should be divided into 3 parts with '.' .");
  }
  const header = decodeJsonPart(parts[0]);
  const payload = decodeJsonPart(parts[1]);
  if (!BASE64URL.test(parts[2])) throw stsError("AuthenticationFail.OIDCToken.Invalid", "Cannot decode base64 encoded response(format invalided).");
  // GitHub signs with RS256; anything else (HS256 above all, which would make the public key a shared secret) is refused.
  if (header.alg !== "RS256") {
    throw stsError("AuthenticationFail.OIDCToken.Invalid", `The algorithm ${String(header.alg)} that be specified in Jwt header is unknown.`);
  }
  return { header, payload, signedPart: `${parts[0]}.${parts[1]}`, signature: Buffer.from(parts[2], "base64url") };
}

/** Public keys of an issuer (its JWKS), PEM (SPKI) text, optionally named by key id. */
export interface IssuerKey {
  readonly kid?: string;
  readonly publicKeyPem: string;
}

/**
 * Checks the signature against the issuer's keys: the one the header names by `kid` when it names one, else any.
 * Throws InvalidSignature when none verifies.
 */
export function verifySignature(jwt: DecodedJwt, keys: readonly IssuerKey[]): void {
  const kid = typeof jwt.header.kid === "string" ? jwt.header.kid : undefined;
  const candidates = kid === undefined ? keys : keys.filter((k) => k.kid === undefined || k.kid === kid);
  const holds = candidates.some((k) => {
    let key: KeyObject;
    try {
      key = createPublicKey(k.publicKeyPem);
    } catch {
      return false;
    }
    return verify("RSA-SHA256", Buffer.from(jwt.signedPart), key, jwt.signature);
  });
  if (!holds) throw stsError("AuthenticationFail.OIDCToken.InvalidSignature");
}

/** The token's `aud` as a list (a JWT may carry one string or an array). */
export function audiencesOf(payload: Readonly<Record<string, unknown>>): string[] {
  const aud = payload.aud;
  if (typeof aud === "string") return [aud];
  if (Array.isArray(aud) && aud.every((a) => typeof a === "string")) return aud as string[];
  return [];
}

/** A numeric-date claim (seconds since the epoch), or undefined. */
export function numericDate(payload: Readonly<Record<string, unknown>>, claim: "exp" | "iat" | "nbf"): number | undefined {
  const value = payload[claim];
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}
