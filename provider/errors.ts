/**
 * One error class per failure kind, each named for what happened. Messages say what failed, on which
 * resource, and what to do; they surface verbatim in `pulumi up` output, which is where users read them.
 */

/**
 * The base of every failure a user can meet. The error that caused it is kept as `cause` (not flattened into
 * text), so a stack trace, a test or a tool can still see the original SDK or network error.
 */
export class SpotRunnerError extends Error {
  override name = "SpotRunnerError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A required environment variable (credential or endpoint) is missing or incomplete. */
export class MissingEnvironmentError extends SpotRunnerError {
  override name = "MissingEnvironmentError";
  constructor(readonly variables: readonly string[], message: string) {
    super(message);
  }
}

/** Input validation failed before any API call; one entry per offending property. */
export class InvalidInputError extends SpotRunnerError {
  override name = "InvalidInputError";
  constructor(readonly failures: readonly { property: string; reason: string }[], subject = "SpotRunner") {
    super(`${subject}: invalid input: ${failures.map((f) => `${f.property}: ${f.reason}`).join("; ")}`);
  }
}

/** An Aliyun API call failed, classified (see aliyun/errors.ts). Keeps the API's code and request id. */
export class AliyunApiError extends SpotRunnerError {
  override name = "AliyunApiError";
  constructor(
    message: string,
    readonly action: string,
    readonly kind: AliyunErrorKind,
    readonly code: string,
    readonly statusCode?: number,
    readonly requestId?: string,
    options?: { cause?: unknown; retryAfterMs?: number },
  ) {
    super(message, options);
    if (options?.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
  }

  /** How long the API asked us to wait before asking again (x-acs-retry-after, on throttling). */
  readonly retryAfterMs?: number;
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
export class GitHubApiError extends SpotRunnerError {
  override name = "GitHubApiError";
  constructor(
    message: string,
    readonly operation: string,
    readonly kind: "credentials" | "permission" | "notFound" | "conflict" | "invalid" | "unavailable",
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The image cannot run this runner: it does not exist in the region, or its architecture does not match. */
export class ImageUnusableError extends SpotRunnerError {
  override name = "ImageUnusableError";
  constructor(readonly imageId: string, message: string) {
    super(message);
  }
}

/** One launch attempt and what became of it; kept in outputs and errors so a failure says what was tried. */
export interface LaunchAttempt {
  readonly instanceTypeId: string;
  readonly zoneId: string;
  readonly source: "ranked" | "available" | "preset" | "on-demand";
  /** How it was to be paid: spot, or pay-as-you-go (the on-demand fallback). */
  readonly chargeType: "spot" | "on-demand";
  readonly outcome: "launched" | "capacity" | "price" | "candidate" | "vanished";
  readonly code?: string;
  readonly instanceId?: string;
}

export function describeAttempts(attempts: readonly LaunchAttempt[]): string {
  return attempts
    .map((a) => `${a.instanceTypeId}@${a.zoneId}${a.chargeType === "on-demand" ? " (on-demand)" : ""}: ${a.outcome === "launched" ? "launched" : a.code ?? a.outcome}`)
    .join("; ");
}

/** Every launch candidate failed for capacity or price reasons; nothing is left behind. */
export class NoInstanceLaunchedError extends SpotRunnerError {
  override name = "NoInstanceLaunchedError";
  constructor(readonly subject: string, readonly attempts: readonly LaunchAttempt[], readonly onDemandTried = false) {
    super(
      `${subject}: no ${onDemandTried ? "spot or pay-as-you-go" : "spot"} instance could be launched after ${attempts.length} attempt(s)` +
        `${attempts.length ? `: ${describeAttempts(attempts)}` : ""}. Nothing was left behind. To widen the search: add vSwitches in more zones, ` +
        "allow more families or a wider vCPU/memory range, raise priceLimitFactor, use spotStrategy SpotAsPriceGo" +
        (onDemandTried ? ", or raise onDemandMaxHourlyPrice." : ", or set onDemandFallback to launch pay-as-you-go when spot has no capacity."),
    );
  }
}

/** The instance runs but its GitHub runner never came online; the console log says why. */
export class RunnerNeverOnlineError extends SpotRunnerError {
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
export class PartialCreateError extends SpotRunnerError {
  override name = "PartialCreateError";
  constructor(
    message: string,
    readonly id: string,
    readonly properties: Record<string, unknown>,
    readonly reasons: string[],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Delete could not verify that the instance and the runner are gone; the resource stays in state. */
export class ReleaseNotVerifiedError extends SpotRunnerError {
  override name = "ReleaseNotVerifiedError";
}

/** The launched instance stopped being usable while the runner was starting (stopped, reclaimed, released). */
export class InstanceLostError extends SpotRunnerError {
  override name = "InstanceLostError";
  constructor(readonly instanceId: string, message: string) {
    super(message);
  }
}

/** The runner's GitHub registration disappeared while the instance was starting (deleted by someone else). */
export class RunnerRegistrationLostError extends SpotRunnerError {
  override name = "RunnerRegistrationLostError";
  constructor(readonly runnerName: string, message: string) {
    super(message);
  }
}

/** The text of any thrown value, for messages that must say what went wrong. */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
