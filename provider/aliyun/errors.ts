import { AliyunApiError, AliyunErrorKind } from "../errors";
import { UNREACHABLE } from "../unreachable";

/**
 * RunInstances codes that mean "not this (type, zone) now": another candidate may succeed. Names as Alibaba
 * Cloud's RunInstances error list spells them (see docs/emulator.md, conformance table).
 */
const CAPACITY_CODES = new Set([
  "OperationDenied.NoStock",
  "Zone.NotOnSale",
  "Zone.NotOpen",
  "InvalidResourceType.NotSupported",
  "InvalidInstanceType.ZoneNotSupported",
  "InstanceType.Offline",
  "OperationDenied.ZoneNotAllowed",
  "ResourceNotAvailable",
  "InvalidVpcZone.NotSupported",
  "SystemFailure.Delete",
]);
const PRICE_CODES = new Set(["InvalidSpotPriceLimit.LowerThanPublicPrice"]);
/** The request is fine but this type or zone cannot honour part of it (disk, quota, authorization); another may. */
const CANDIDATE_CODES = new Set([
  "InvalidSystemDiskCategory.ValueNotSupported",
  "OperationDenied.CloudSSDNotSupported",
  "OperationDenied.ZoneSystemCategoryNotMatch",
  "ImageNotSupportInstanceType",
  "InvalidInstanceType.NotSupported",
  "InvalidInstanceType.ValueNotSupported",
  // "flavor not support spot duration instance": the type has no protection period (see launch.ts).
  "OperationDenied.FlavorNotSupported",
  // "instanceType or zone is not available or not authorized"
  "OperationDenied",
  "InvalidInstanceType.ValueUnauthorized",
  "CategoryNotSupported",
  "InvalidDiskCategory.NotSupported",
  "InvalidInstanceType.NotSupportDiskCategory",
  "IoOptimized.NotSupported",
  // Quotas of one type, one vSwitch or one zone, not of the account.
  "QuotaExceed.ElasticQuota",
  "QuotaExceeded.PrivateIpAddress",
  "QuotaExceed.DiskCapacity",
]);
/**
 * How far a per-candidate failure reaches: the whole zone (every type there fails the same way), the whole
 * type (in every zone), or just this pair. The launcher skips the candidates a failure already rules out.
 */
const ZONE_WIDE_CODES = new Set(["Zone.NotOnSale", "Zone.NotOpen", "InvalidVpcZone.NotSupported", "CategoryNotSupported",
  "QuotaExceeded.PrivateIpAddress", "QuotaExceed.DiskCapacity", "OperationDenied.ZoneSystemCategoryNotMatch"]);
const TYPE_WIDE_CODES = new Set(["InstanceType.Offline", "InvalidInstanceType.ValueUnauthorized", "InvalidInstanceType.NotSupportDiskCategory",
  "QuotaExceed.ElasticQuota", "OperationDenied.FlavorNotSupported", "ImageNotSupportInstanceType", "InvalidInstanceType.ValueNotSupported",
  "IoOptimized.NotSupported", "OperationDenied.CloudSSDNotSupported", "InvalidSystemDiskCategory.ValueNotSupported"]);

export type CandidateFailureReach = "zone" | "type" | "pair";

export function candidateFailureReach(code: string): CandidateFailureReach {
  if (ZONE_WIDE_CODES.has(code)) return "zone";
  if (TYPE_WIDE_CODES.has(code)) return "type";
  return "pair";
}

const CREDENTIAL_CODES = new Set([
  "InvalidAccessKeyId.NotFound",
  "InvalidAccessKeyId.Inactive",
  "InvalidAccessKeyId",
  "SignatureDoesNotMatch",
  "IncompleteSignature",
  "Forbidden.AccessKeyDisabled",
  "InvalidSecurityToken.Expired",
  "InvalidSecurityToken.MismatchWithAccessKey",
  "InvalidSecurityToken.Malformed",
]);
/** Account-wide: balance, arrears, account quotas. Checked after the per-type and per-zone quota codes above. */
const ACCOUNT_PREFIXES = ["InvalidAccountStatus", "Account.Arrearage", "QuotaExceed", "OperationDenied.QuotaExceed"];
/**
 * Retried with the same request (and so the same ClientToken). IdempotentProcessing: the first request with
 * this ClientToken is still being processed; asking again returns its result once it is done.
 */
const TRANSIENT_CODES = new Set(["ServiceUnavailable", "InternalError", "UnknownError", "OperationConflict", "SignatureNonceUsed",
  "IdempotentProcessing"]);

interface SdkErrorShape {
  name?: string;
  /** ThrottlingError: the x-acs-retry-after header, in milliseconds. */
  retryAfter?: number;
  code?: string;
  statusCode?: number;
  message?: string;
  requestId?: string;
  data?: { Message?: string; AccessDeniedDetail?: { AuthAction?: string } };
  accessDeniedDetail?: { AuthAction?: string };
}

export function classifyAliyunErrorCode(code: string, statusCode?: number, name?: string): AliyunErrorKind {
  if (name === "ThrottlingError" || code.includes("Throttling")) return "throttled";
  if (CAPACITY_CODES.has(code)) return "capacity";
  if (PRICE_CODES.has(code)) return "price";
  if (CANDIDATE_CODES.has(code)) return "candidate";
  if (CREDENTIAL_CODES.has(code)) return "credentials";
  if (code === "Forbidden.RAM" || code.startsWith("Forbidden") || code === "NoPermission") return "permission";
  if (ACCOUNT_PREFIXES.some((p) => code.startsWith(p))) return "account";
  if (code.endsWith(".NotFound") || code.endsWith(".NotExist")) return "notFound";
  if (TRANSIENT_CODES.has(code) || (statusCode !== undefined && statusCode >= 500)) return "transient";
  return "invalid";
}

/** Network failures and SDK timeouts that can heal: the call may or may not have reached the API; retried. */
function isNetworkError(err: SdkErrorShape): boolean {
  const text = `${err.name ?? ""} ${err.code ?? ""} ${err.message ?? ""}`;
  return /RequestTimeoutError|ConnectTimeout|ReadTimeout|ECONNRESET|EPIPE|ETIMEDOUT|socket hang up|EAI_AGAIN/.test(text);
}


/** The URL the SDK was calling: its network errors end with "POST https://host/ failed." glued to the cause. */
function urlOf(message: string | undefined): URL | undefined {
  const match = /(?:GET|POST|PUT|DELETE) (https?:\/\/\S+?) failed\.?\s*$/.exec(message ?? "");
  try {
    return match ? new URL(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What to do about an endpoint that cannot be reached. Aliyun's own hosts: the network. Any other host can only have
 * come from ALIBABA_CLOUD_ECS_ENDPOINT, so the variable is named, with the scheme hint: a value without a scheme
 * means https:// (endpoint.ts), which a plain-HTTP server such as the emulator does not speak.
 */
function unreachableAdvice(url: URL | undefined, code: string): string {
  if (url === undefined || /(^|\.)aliyuncs\.com$/i.test(url.hostname)) {
    return "Check this machine's network and proxy settings (HTTPS_PROXY), and the region id.";
  }
  const certificate = UNREACHABLE.get(code)?.includes("certificate") ?? false;
  const httpHint = url.protocol === "https:" && !certificate
    ? `; without a scheme it means https://, so for a plain-HTTP server such as the emulator write http://${url.host}`
    : "";
  return `It comes from ALIBABA_CLOUD_ECS_ENDPOINT: start the server it names or correct the variable${httpHint}.`;
}

/**
 * Turns whatever the ECS SDK threw into an AliyunApiError with a kind and a message that names the action.
 * Errors that are not from the SDK (programming errors) are returned unchanged.
 */
export function toAliyunApiError(action: string, err: unknown): Error {
  if (err instanceof AliyunApiError) return err;
  const e = (err ?? {}) as SdkErrorShape;
  const unreachable = typeof e.code === "string" ? UNREACHABLE.get(e.code) : undefined;
  if (unreachable !== undefined) {
    const url = urlOf(e.message);
    return new AliyunApiError(
      `ECS ${action}: cannot reach ${url ? url.origin : "the ECS endpoint"}: ${unreachable} (${e.code}). ${unreachableAdvice(url, e.code!)}`,
      action, "unreachable", e.code!, undefined, undefined, { cause: err });
  }
  if (isNetworkError(e)) {
    return new AliyunApiError(`ECS ${action} did not answer: ${networkText(e)}`, action, "transient", "NetworkError",
      undefined, undefined, { cause: err });
  }
  if (typeof e.code !== "string" || e.code === "" || e.code === "undefined") {
    if (e.statusCode !== undefined && e.statusCode >= 500) {
      return new AliyunApiError(`ECS ${action} failed with HTTP ${e.statusCode}`, action, "transient", "ServerError", e.statusCode,
        undefined, { cause: err });
    }
    return err instanceof Error ? err : new Error(String(err));
  }
  const apiMessage = e.data?.Message ?? firstLine(e.message);
  // Real ECS answers an expired STS token as InvalidParameter "SecurityToken.Expired" (kubevela/terraform-controller
  // #52, #191): a credentials problem the user fixes by getting a fresh token, not a malformed request.
  const kind = /SecurityToken\.(Expired|Malformed|Invalid)/.test(`${e.code} ${apiMessage}`) ? "credentials" : classifyAliyunErrorCode(e.code, e.statusCode, e.name);
  return new AliyunApiError(
    `ECS ${action} failed: ${e.code}: ${apiMessage}${e.requestId ? ` (request id ${e.requestId})` : ""}${advice(kind, action, e)}`,
    action,
    kind,
    e.code,
    e.statusCode,
    e.requestId,
    { cause: err, ...(typeof e.retryAfter === "number" && e.retryAfter > 0 ? { retryAfterMs: e.retryAfter } : {}) },
  );
}

/** The cause without the "POST https://host/ failed." the SDK glues to it without a space. */
function networkText(e: SdkErrorShape): string {
  const text = firstLine(e.message);
  const url = urlOf(text);
  return url ? `${text.replace(/(?:GET|POST|PUT|DELETE) https?:\/\/\S+? failed\.?\s*$/, "").trim()} (${url.origin})` : text;
}

function firstLine(text: string | undefined): string {
  return (text ?? "").split("\n")[0];
}

/** What to do about the failures a user can fix. */
function advice(kind: AliyunErrorKind, action: string, e: SdkErrorShape): string {
  switch (kind) {
    case "credentials":
      return ". Check ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET (or ALICLOUD_ACCESS_KEY and " +
        "ALICLOUD_SECRET_KEY): the AccessKey must exist, be enabled, and the secret must match; with temporary " +
        "credentials (ALIBABA_CLOUD_SECURITY_TOKEN, keyless CI) the token must not have expired: assume the role again.";
    case "permission": {
      const denied = e.accessDeniedDetail?.AuthAction ?? e.data?.AccessDeniedDetail?.AuthAction ?? `ecs:${action}`;
      return `. RAM denied ${denied}: attach the infra stack's runner policy to this AccessKey's user ` +
        `(it grants exactly the actions this tool calls), or add ${denied} to your own policy.`;
    }
    case "account":
      return ". This is an account limit (balance, arrears or quota): resolve it in the Aliyun console.";
    default:
      return "";
  }
}
