import { createHash, createHmac, timingSafeEqual } from "node:crypto";

/**
 * Server-side twins of the two ways `@alicloud/openapi-core` signs an RPC call (utils.ts getAuthorization and
 * getRPCSignature): ACS3-HMAC-SHA256 in an Authorization header (the SDK's default), and the older HMAC-SHA1 query
 * signature (`signatureAlgorithm: 'v2'`, also what the aliyun CLI and the Go SDK send).
 */

/** RFC 3986 percent-encoding as the SDK does it: encodeURIComponent plus ! ' ( ) *. */
export function percentEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export interface IncomingSignedRequest {
  readonly method: string;
  readonly path: string;
  /** Query string parameters only (ACS3 signs the query; the body is covered by its hash). */
  readonly query: Readonly<Record<string, string>>;
  /** Query and form-body parameters together (v1 signs both). */
  readonly allParams: Readonly<Record<string, string>>;
  /** Lower-case header names, as node gives them. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
}

/** What the request claims about its caller; verification against the secret comes after the key lookup. */
export type SignedCredentials =
  | {
      readonly style: "ACS3-HMAC-SHA256";
      readonly accessKeyId: string;
      readonly signedHeaders: readonly string[];
      readonly signature: string;
      readonly timestamp?: string;
      readonly nonce?: string;
      readonly securityToken?: string;
    }
  | {
      readonly style: "HMAC-SHA1";
      readonly accessKeyId: string;
      readonly signature: string;
      readonly timestamp?: string;
      readonly nonce?: string;
      readonly securityToken?: string;
    };

export class MalformedSignatureError extends Error {
  override name = "MalformedSignatureError";
}

const ACS3_HEADER = /^ACS3-HMAC-SHA256\s+Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-fA-F]+)\s*$/;

export function readCredentials(request: IncomingSignedRequest): SignedCredentials {
  const authorization = header(request.headers, "authorization");
  if (authorization !== undefined) {
    const m = ACS3_HEADER.exec(authorization);
    if (!m) throw new MalformedSignatureError("the Authorization header is not of the form ACS3-HMAC-SHA256 Credential=...,SignedHeaders=...,Signature=...");
    return {
      style: "ACS3-HMAC-SHA256",
      accessKeyId: m[1],
      signedHeaders: m[2].split(";"),
      signature: m[3].toLowerCase(),
      timestamp: header(request.headers, "x-acs-date"),
      nonce: header(request.headers, "x-acs-signature-nonce"),
      securityToken: header(request.headers, "x-acs-security-token"),
    };
  }
  const p = request.allParams;
  if (p.Signature !== undefined || p.AccessKeyId !== undefined) {
    if (!p.Signature || !p.AccessKeyId) throw new MalformedSignatureError("the request has one of AccessKeyId and Signature but not both");
    if (p.SignatureMethod !== undefined && p.SignatureMethod !== "HMAC-SHA1") {
      throw new MalformedSignatureError(`SignatureMethod "${p.SignatureMethod}" is not supported; use HMAC-SHA1`);
    }
    return {
      style: "HMAC-SHA1",
      accessKeyId: p.AccessKeyId,
      signature: p.Signature,
      timestamp: p.Timestamp,
      nonce: p.SignatureNonce,
      securityToken: p.SecurityToken,
    };
  }
  throw new MalformedSignatureError("the request carries no signature: neither an ACS3 Authorization header nor AccessKeyId/Signature parameters");
}

/** The ACS3 string to sign, recomputed from what arrived (raw Host with port, signed headers as sent). */
export function acs3StringToSign(request: IncomingSignedRequest, signedHeaders: readonly string[]): string {
  const canonicalQuery = Object.keys(request.query)
    .sort()
    .map((key) => `${key}=${percentEncode(request.query[key])}`)
    .join("&");
  const canonicalHeaders = signedHeaders.map((name) => `${name}:${(header(request.headers, name) ?? "").trim()}\n`).join("");
  const payloadHash = createHash("sha256").update(request.body).digest("hex");
  const canonicalRequest = [request.method, request.path, canonicalQuery, canonicalHeaders, signedHeaders.join(";"), payloadHash].join("\n");
  return `ACS3-HMAC-SHA256\n${createHash("sha256").update(canonicalRequest).digest("hex")}`;
}

export function verifyAcs3(request: IncomingSignedRequest, credentials: { signedHeaders: readonly string[]; signature: string }, secret: string): boolean {
  const payloadHash = createHash("sha256").update(request.body).digest("hex");
  const declaredHash = header(request.headers, "x-acs-content-sha256");
  if (declaredHash !== undefined && declaredHash !== payloadHash) return false;
  const expected = createHmac("sha256", secret).update(acs3StringToSign(request, credentials.signedHeaders)).digest("hex");
  return safeEqual(expected, credentials.signature);
}

/** The v1 string to sign: METHOD&%2F&encode(sorted encoded params without Signature). */
export function rpcV1StringToSign(method: string, params: Readonly<Record<string, string>>): string {
  const canonical = Object.keys(params)
    .filter((key) => key !== "Signature")
    .sort()
    .map((key) => `${percentEncode(key)}=${percentEncode(params[key])}`)
    .join("&");
  return `${method}&${percentEncode("/")}&${percentEncode(canonical)}`;
}

export function verifyRpcV1(request: IncomingSignedRequest, signature: string, secret: string): boolean {
  const expected = createHmac("sha1", `${secret}&`).update(rpcV1StringToSign(request.method, request.allParams)).digest("base64");
  return safeEqual(expected, signature);
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function header(headers: IncomingSignedRequest["headers"], name: string): string | undefined {
  const value = headers[name];
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(",") : value;
}
