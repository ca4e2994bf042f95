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

/** A GitHub API call failed. `kind` says what it means for us; the message says what to do. */
export class GitHubApiError extends Error {
  override name = "GitHubApiError";
  constructor(
    message: string,
    readonly operation: string,
    readonly kind: "credentials" | "permission" | "notFound" | "conflict" | "invalid" | "unavailable",
    readonly status?: number,
  ) {
    super(message);
  }
}

/** The image cannot run this runner: it does not exist in the region, or its architecture does not match. */
export class ImageUnusableError extends Error {
  override name = "ImageUnusableError";
  constructor(readonly imageId: string, message: string) {
    super(message);
  }
}

/** One launch attempt and what became of it; kept in outputs and errors so a failure says what was tried. */
export interface LaunchAttempt {
  readonly instanceTypeId: string;
  readonly zoneId: string;
  readonly source: "ranked" | "available" | "preset";
  readonly outcome: "launched" | "capacity" | "price" | "candidate" | "vanished";
  readonly code?: string;
  readonly instanceId?: string;
}

export function describeAttempts(attempts: readonly LaunchAttempt[]): string {
  return attempts
    .map((a) => `${a.instanceTypeId}@${a.zoneId}: ${a.outcome === "launched" ? "launched" : a.code ?? a.outcome}`)
    .join("; ");
}

/** Every launch candidate failed for capacity or price reasons; nothing is left behind. */
export class NoInstanceLaunchedError extends Error {
  override name = "NoInstanceLaunchedError";
  constructor(readonly subject: string, readonly attempts: readonly LaunchAttempt[]) {
    super(
      `${subject}: no spot instance could be launched after ${attempts.length} attempt(s): ${describeAttempts(attempts)}. ` +
        `Nothing was left behind. To widen the search: add vSwitches in more zones, allow more families or a wider ` +
        `vCPU/memory range, raise priceLimitFactor, or use spotStrategy SpotAsPriceGo.`,
    );
  }
}

/** The instance runs but its GitHub runner never came online; the console log says why. */
export class RunnerNeverOnlineError extends Error {
  override name = "RunnerNeverOnlineError";
  constructor(readonly runnerName: string, readonly instanceId: string, waitedMinutes: number, consoleTail: string | undefined) {
    super(
      `runner ${runnerName} on instance ${instanceId} did not come online within ${waitedMinutes} min; the instance ` +
        `was released. Check that the instance can reach GitHub (public IP or NAT, proxy settings) and the image. ` +
        (consoleTail ? `Last console output:\n${consoleTail}` : "No console output was available."),
    );
  }
}

/**
 * A create that failed after something was made, and whose cleanup could not be verified. Pulumi's
 * dynamic-provider host turns an error with `id` into a partially created resource kept in state, so
 * `pulumi destroy` (our delete) finishes the job. `properties` must include the inputs (with __provider).
 */
export class PartialCreateError extends Error {
  override name = "PartialCreateError";
  constructor(
    message: string,
    readonly id: string,
    readonly properties: Record<string, unknown>,
    readonly reasons: string[],
  ) {
    super(message);
  }
}

/** Delete could not verify that the instance and the runner are gone; the resource stays in state. */
export class ReleaseNotVerifiedError extends Error {
  override name = "ReleaseNotVerifiedError";
}
