import { timingSafeEqual } from "node:crypto";
import type { ScenarioAccessKey } from "../scenario/types";
import type { TemporaryKey } from "../sts/registry";
import { EcsApiError, ecsError } from "./errors";
import { IncomingSignedRequest, MalformedSignatureError, readCredentials, verifyAcs3, verifyRpcV1 } from "./signature";

/** How far a request's timestamp may be from wall time, either way. Aliyun documents 15 minutes. */
export const TIMESTAMP_TOLERANCE_MS = 15 * 60_000;

/**
 * Nonces seen per access key within the tolerance window, so a replayed request fails with SignatureNonceUsed.
 * Keyed on real wall time: the SDK stamps requests with the host's clock, whatever the emulated clock says.
 */
export class NonceCache {
  private readonly seen = new Map<string, number>();

  /** Records the nonce; false when it was already used within the window. */
  remember(accessKeyId: string, nonce: string, wallNow: number): boolean {
    this.prune(wallNow);
    const key = `${accessKeyId}\u0000${nonce}`;
    if (this.seen.has(key)) return false;
    this.seen.set(key, wallNow + TIMESTAMP_TOLERANCE_MS);
    return true;
  }

  private prune(wallNow: number): void {
    // Map iteration is insertion order, and expiries grow with insertion, so stop at the first live entry.
    for (const [key, expires] of this.seen) {
      if (expires > wallNow) break;
      this.seen.delete(key);
    }
  }
}

export interface AuthenticatedCaller {
  readonly accessKey: ScenarioAccessKey;
  readonly signatureStyle: "ACS3-HMAC-SHA256" | "HMAC-SHA1";
}

/** Temporary credentials STS issued (emulator/sts/registry.ts), and the emulated time their expiry is judged by. */
export interface TemporaryCredentials {
  readonly find: (accessKeyId: string) => TemporaryKey | undefined;
  readonly now: number;
}

/**
 * Checks who is calling, in the gateway's order: a readable signature, a known key (a permanent one, or a temporary
 * one STS issued), an enabled key, a temporary key's security token, a matching signature, a fresh timestamp, an
 * unused nonce.
 */
export function authenticate(
  request: IncomingSignedRequest,
  keys: readonly ScenarioAccessKey[],
  nonces: NonceCache,
  wallNow: number,
  temporary?: TemporaryCredentials,
): AuthenticatedCaller {
  let credentials;
  try {
    credentials = readCredentials(request);
  } catch (err) {
    if (err instanceof MalformedSignatureError) throw ecsError("IncompleteSignature", `The request signature does not conform to Aliyun standards: ${err.message}.`);
    throw err;
  }
  const permanent = keys.find((k) => k.accessKeyId === credentials.accessKeyId);
  const session = permanent ? undefined : temporary?.find(credentials.accessKeyId);
  const accessKey = permanent ?? session?.key;
  if (!accessKey) throw ecsError("InvalidAccessKeyId.NotFound");
  if (accessKey.disabled) throw ecsError("Forbidden.AccessKeyDisabled");
  if (session) checkSecurityToken(session, credentials.securityToken, temporary!.now);
  else if (credentials.securityToken !== undefined) {
    throw ecsError("InvalidSecurityToken.Malformed", "The specified SecurityToken is malformed: this AccessKey is not a temporary one; sign with the AccessKey pair alone.");
  }
  const valid =
    credentials.style === "ACS3-HMAC-SHA256"
      ? verifyAcs3(request, credentials, accessKey.accessKeySecret)
      : verifyRpcV1(request, credentials.signature, accessKey.accessKeySecret);
  if (!valid) {
    throw ecsError(
      "SignatureDoesNotMatch",
      `Specified signature is not matched with our calculation (${credentials.style}). Check the AccessKey secret and that the request was not changed after signing.`,
    );
  }
  checkTimestamp(credentials.timestamp, wallNow);
  if (!credentials.nonce) throw ecsError("MissingParameter", `The input parameter "SignatureNonce" that is mandatory for processing this request is not supplied.`);
  if (!nonces.remember(accessKey.accessKeyId, credentials.nonce, wallNow)) throw ecsError("SignatureNonceUsed");
  return { accessKey, signatureStyle: credentials.style };
}

/**
 * A temporary AccessKey is only half a credential: the SecurityToken STS issued with it must come along, and must
 * not have expired. Codes as the gateway answers (assumed where no page documents them):
 * - no token: MissingSecurityToken, "SecurityToken is mandatory for this action." (Alibaba's "common STS errors"
 *   page; status assumed 400);
 * - expired: InvalidParameter, 'The specified parameter "SecurityToken.Expired" is not valid.' (what ECS answered
 *   in kubevela/terraform-controller#52; status assumed 400);
 * - another token: InvalidSecurityToken.Malformed (assumed).
 */
function checkSecurityToken(session: TemporaryKey, token: string | undefined, now: number): void {
  if (token === undefined) throw new EcsApiError("MissingSecurityToken", 400, "SecurityToken is mandatory for this action.");
  const sent = Buffer.from(token);
  const issued = Buffer.from(session.securityToken);
  if (sent.length !== issued.length || !timingSafeEqual(sent, issued)) {
    throw ecsError("InvalidSecurityToken.Malformed", "The specified SecurityToken is malformed: it is not the one issued with this AccessKeyId.");
  }
  if (now >= session.expiresAt) throw new EcsApiError("InvalidParameter", 400, 'The specified parameter "SecurityToken.Expired" is not valid.');
}

function checkTimestamp(timestamp: string | undefined, wallNow: number): void {
  if (!timestamp) throw ecsError("MissingParameter", `The input parameter "Timestamp" that is mandatory for processing this request is not supplied.`);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(timestamp)) throw ecsError("InvalidTimeStamp.Format");
  const at = Date.parse(timestamp);
  if (Number.isNaN(at)) throw ecsError("InvalidTimeStamp.Format");
  if (Math.abs(wallNow - at) > TIMESTAMP_TOLERANCE_MS) throw ecsError("InvalidTimeStamp.Expired");
}
