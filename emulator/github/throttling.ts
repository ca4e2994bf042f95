import type { FaultSpec } from "../faults";
import { GitHubError, REST_DOCS } from "./errors";

/** Fault codes that stand for GitHub's rate-limit answers (GitHub's REST API has no error codes of its own). */
export const SECONDARY_RATE_LIMIT = "secondary-rate-limit";
export const PRIMARY_RATE_LIMIT = "rate-limit";

const RATE_LIMIT_DOCS = "https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api";
/** GitHub: without a retry-after header, "wait for at least one minute before retrying". */
const DEFAULT_RETRY_AFTER_S = 60;

/**
 * The error a GitHub fault answers with. Rate limits are answered as GitHub documents them, which is what
 * @octokit/plugin-throttling recognises:
 * - a secondary rate limit (a 429 fault, or code "secondary-rate-limit", 403 unless a status is given): 403/429, a
 *   message containing "secondary rate limit", and `retry-after` in seconds;
 * - the primary rate limit (code "rate-limit"): 403, `x-ratelimit-remaining: 0` and `x-ratelimit-reset` (epoch
 *   seconds, wall time, as clients compare it with their own clock).
 * Anything else: the fault's status (default 500) and its message, or its code as the message.
 */
export function githubFaultError(spec: FaultSpec, wallNow: number): GitHubError {
  const retryAfter = String(spec.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_S);
  if (spec.code === SECONDARY_RATE_LIMIT || spec.status === 429) {
    const message = spec.message ?? "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.";
    return new GitHubError(spec.status ?? 403, message, `${RATE_LIMIT_DOCS}#about-secondary-rate-limits`, { "retry-after": retryAfter });
  }
  if (spec.code === PRIMARY_RATE_LIMIT) {
    const reset = Math.floor(wallNow / 1000) + Number(retryAfter);
    return new GitHubError(spec.status ?? 403, spec.message ?? "API rate limit exceeded for user.", RATE_LIMIT_DOCS, {
      "x-ratelimit-remaining": "0",
      "x-ratelimit-used": "5000",
      "x-ratelimit-reset": String(reset),
    });
  }
  return new GitHubError(spec.status ?? 500, spec.message ?? spec.code ?? "Server Error", REST_DOCS);
}
