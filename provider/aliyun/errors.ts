import { AliyunApiError, AliyunErrorKind } from "../errors";

/** Codes documented for RunInstances when a zone cannot supply the type right now. */
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
/** The request is fine but this instance type cannot honour part of it; another type may. */
const CANDIDATE_CODES = new Set([
  "InvalidSystemDiskCategory.ValueNotSupported",
  "OperationDenied.CloudSSDNotSupported",
  "OperationDenied.ZoneSystemCategoryNotMatch",
  "ImageNotSupportInstanceType",
  "InvalidInstanceType.NotSupported",
  "InvalidInstanceType.ValueNotSupported",
]);
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
const ACCOUNT_PREFIXES = ["InvalidAccountStatus", "Account.Arrearage", "QuotaExceed", "OperationDenied.QuotaExceed"];
const TRANSIENT_CODES = new Set(["ServiceUnavailable", "InternalError", "UnknownError", "OperationConflict", "SignatureNonceUsed"]);

interface SdkErrorShape {
  name?: string;
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

/** Network failures and SDK timeouts: the call may or may not have reached the API. */
function isNetworkError(err: SdkErrorShape): boolean {
  const text = `${err.name ?? ""} ${err.code ?? ""} ${err.message ?? ""}`;
  return /RequestTimeoutError|ConnectTimeout|ReadTimeout|ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|socket hang up|EAI_AGAIN/.test(text);
}

/**
 * Turns whatever the ECS SDK threw into an AliyunApiError with a kind and a message that names the action.
 * Errors that are not from the SDK (programming errors) are returned unchanged.
 */
export function toAliyunApiError(action: string, err: unknown): Error {
  if (err instanceof AliyunApiError) return err;
  const e = (err ?? {}) as SdkErrorShape;
  if (isNetworkError(e)) {
    return new AliyunApiError(`ECS ${action} did not answer: ${firstLine(e.message)}`, action, "transient", "NetworkError");
  }
  if (typeof e.code !== "string" || e.code === "" || e.code === "undefined") {
    if (e.statusCode !== undefined && e.statusCode >= 500) {
      return new AliyunApiError(`ECS ${action} failed with HTTP ${e.statusCode}`, action, "transient", "ServerError", e.statusCode);
    }
    return err instanceof Error ? err : new Error(String(err));
  }
  const kind = classifyAliyunErrorCode(e.code, e.statusCode, e.name);
  const apiMessage = e.data?.Message ?? firstLine(e.message);
  return new AliyunApiError(
    `ECS ${action} failed: ${e.code}: ${apiMessage}${e.requestId ? ` (request id ${e.requestId})` : ""}${advice(kind, action, e)}`,
    action,
    kind,
    e.code,
    e.statusCode,
    e.requestId,
  );
}

function firstLine(text: string | undefined): string {
  return (text ?? "").split("\n")[0];
}

/** What to do about the failures a user can fix. */
function advice(kind: AliyunErrorKind, action: string, e: SdkErrorShape): string {
  switch (kind) {
    case "credentials":
      return ". Check ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET (or ALICLOUD_ACCESS_KEY and " +
        "ALICLOUD_SECRET_KEY): the AccessKey must exist, be enabled, and the secret must match.";
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
