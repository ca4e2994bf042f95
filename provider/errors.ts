/**
 * One error class per failure kind, each named for what happened. Messages say what failed, on which
 * resource, and what to do; they surface verbatim in `pulumi up` output, which is where users read them.
 */

/** A required environment variable (credential or endpoint) is missing or incomplete. */
export class MissingEnvironmentError extends Error {
  override name = "MissingEnvironmentError";
  constructor(readonly variables: readonly string[], message: string) {
    super(message);
  }
}

/** Input validation failed before any API call; one entry per offending property. */
export class InvalidInputError extends Error {
  override name = "InvalidInputError";
  constructor(readonly failures: readonly { property: string; reason: string }[], subject = "SpotRunner") {
    super(`${subject}: invalid input: ${failures.map((f) => `${f.property}: ${f.reason}`).join("; ")}`);
  }
}

/** An Aliyun API call failed, classified (see aliyun/errors.ts). Keeps the API's code and request id. */
export class AliyunApiError extends Error {
  override name = "AliyunApiError";
  constructor(
    message: string,
    readonly action: string,
    readonly kind: AliyunErrorKind,
    readonly code: string,
    readonly statusCode?: number,
    readonly requestId?: string,
  ) {
    super(message);
  }
}

/**
 * What an Aliyun error means for us:
 * - capacity: this (type, zone) cannot be launched now; try the next candidate
 * - price: the spot price moved above our limit; try the next candidate
 * - candidate: this type does not fit the request (disk category, image); try the next candidate
 * - throttled / transient: retry the same call with backoff
 * - credentials: the AccessKey is unknown, disabled or the signature is wrong; stop
 * - permission: RAM denied the action; stop and name the action
 * - account: balance, arrears or quota; stop
 * - notFound: the resource does not exist
 * - invalid: a request the API rejects as malformed; stop
 */
export type AliyunErrorKind =
  | "capacity"
  | "price"
  | "candidate"
  | "throttled"
  | "transient"
  | "credentials"
  | "permission"
  | "account"
  | "notFound"
  | "invalid";
