import { setTimeout as sleep } from "node:timers/promises";
import pRetry from "p-retry";
import { AliyunApiError } from "../errors";
import { toAliyunApiError } from "./errors";

/** Backoff for throttling, 5xx and network errors. Jittered (p-retry's randomize) so parallel jobs spread out. */
export interface RetryPolicy {
  /** Retries after the first attempt. */
  readonly retries: number;
  readonly minDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_ECS_RETRY: RetryPolicy = { retries: 6, minDelayMs: 500, maxDelayMs: 15_000 };

/** One finished attempt, for call logs, benchmarks and tests. */
export interface EcsCallRecord {
  readonly action: string;
  readonly attempt: number;
  readonly ok: boolean;
  readonly code?: string;
  readonly ms: number;
}

export interface CallEcsOptions {
  readonly retry?: RetryPolicy;
  readonly onAttempt?: (record: EcsCallRecord) => void;
  readonly signal?: AbortSignal;
}

/**
 * Runs one ECS API call with classified retries: throttling, 5xx and network failures are retried with
 * backoff; everything else fails at once as an AliyunApiError that names the action and the API's code.
 * RunInstances is safe to retry only because every launch carries a ClientToken.
 */
export async function callEcs<T>(action: string, call: () => Promise<T>, options: CallEcsOptions = {}): Promise<T> {
  const policy = options.retry ?? DEFAULT_ECS_RETRY;
  let attempt = 0;
  return pRetry(
    async () => {
      attempt += 1;
      const started = Date.now();
      try {
        const result = await call();
        options.onAttempt?.({ action, attempt, ok: true, ms: Date.now() - started });
        return result;
      } catch (err) {
        const classified = toAliyunApiError(action, err);
        options.onAttempt?.({
          action,
          attempt,
          ok: false,
          code: classified instanceof AliyunApiError ? classified.code : classified.name,
          ms: Date.now() - started,
        });
        throw classified;
      }
    },
    {
      retries: policy.retries,
      minTimeout: policy.minDelayMs,
      maxTimeout: policy.maxDelayMs,
      factor: 2,
      randomize: true,
      signal: options.signal,
      shouldRetry: async ({ error }) => {
        if (!(error instanceof AliyunApiError && (error.kind === "throttled" || error.kind === "transient"))) return false;
        // Throttled with x-acs-retry-after: wait what the API asked (capped like any backoff), then back off as usual.
        if (error.retryAfterMs !== undefined) await sleep(Math.min(error.retryAfterMs, policy.maxDelayMs));
        return true;
      },
    },
  );
}
