import { randomUUID } from "node:crypto";
import { Octokit } from "@octokit/rest";
import { throttling } from "@octokit/plugin-throttling";
import { retry } from "@octokit/plugin-retry";
import { createAppAuth } from "@octokit/auth-app";
import { readGitHubCredentials } from "./credentials";
import { githubApiUrlFromEnv, unreachableReason } from "./endpoint";

export { githubCredentialsSet, readGitHubCredentials } from "./credentials";
export { checkGitHubApiUrl, GITHUB_API_URL_VARIABLE, githubApiUrlFromEnv } from "./endpoint";

/** GitHub's 4xx answers that no retry changes (plugin-retry's list, which we pass it too). */
const DO_NOT_RETRY = [400, 401, 403, 404, 409, 410, 422, 451];

/**
 * Runs before plugin-retry decides (an error hook registered earlier sits closer to the request): a network
 * failure that cannot heal (nothing listens, no such host, not TLS) gets no retries (plugin-retry reads the failed
 * request's `retries` before its own default), and every retry that will happen is announced through the client's
 * `retryNotice` option, so a wait is never silent.
 */
function failFastAndAnnounceRetries(octokit: { hook: Octokit["hook"] }, octokitOptions: { retryNotice?: (line: string) => void; retry?: { retries?: number } }): void {
  octokit.hook.error("request", (error, options) => {
    const request = options.request as { retries?: number; retryCount?: number };
    if (unreachableReason(error) !== undefined) {
      request.retries = 0;
    } else if (octokitOptions.retryNotice) {
      const status = (error as { status?: number }).status ?? 0;
      const limit = request.retries ?? octokitOptions.retry?.retries ?? 3;
      if (status >= 400 && !DO_NOT_RETRY.includes(status) && (request.retryCount ?? 0) < limit) {
        const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
        octokitOptions.retryNotice(`GitHub ${options.method} ${options.url} failed (HTTP ${status}: ${message}), attempt ${(request.retryCount ?? 0) + 1}`);
      }
    }
    throw error;
  });
}

/** Octokit with GitHub's rate-limit handling (throttling) and retries of 5xx/network failures that can heal. */
const RunnerOctokit = Octokit.plugin(throttling, failFastAndAnnounceRetries, retry);
export type GitHubClient = InstanceType<typeof RunnerOctokit>;

export interface GitHubClientOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** Multiplier for retry/throttle waits in ms (tests shrink it); GitHub's Retry-After is honoured. */
  readonly retryBaseMs?: number;
  /** Retries after a rate limit or a 5xx before giving up. */
  readonly retries?: number;
  /**
   * GitHub's rate-limit handling: waits out primary and secondary rate limits (Retry-After) and spaces this
   * client's write requests one second apart. On by default.
   */
  readonly throttle?: boolean;
  /** Told of every retry before it waits (the CLI prints it). */
  readonly onRetry?: (line: string) => void;
  /**
   * Whose requests are spaced together (the throttling plugin's limiter id). Default: this client alone. The
   * plugin's limiters are process-wide, so with one shared id twenty concurrent creates in one plugin host would
   * wait for each other's writes: the last registration 19 s after the first. Per client, each create's own writes
   * are still spaced, and GitHub's secondary limits (100 concurrent requests, 900 points and 80 content-creating
   * requests a minute) are far from what a few dozen creates send; if GitHub answers one anyway, its Retry-After
   * is honoured.
   */
  readonly limiterId?: string;
}

/**
 * The Octokit options for the credentials in the environment (provider/github/credentials.ts reads and checks them):
 * a token, or a GitHub App installation through @octokit/auth-app.
 */
export function githubAuthFromEnv(env: NodeJS.ProcessEnv): { readonly auth: unknown; readonly authStrategy?: unknown } {
  const credentials = readGitHubCredentials(env);
  return "token" in credentials ? { auth: credentials.token } : { authStrategy: createAppAuth, auth: credentials.app };
}

/** A new client per call site; never cached at module level (the provider runs inside Pulumi's plugin host). */
export function createGitHubClient(options: GitHubClientOptions = {}): GitHubClient {
  const env = options.env ?? process.env;
  const baseUrl = githubApiUrlFromEnv(env);
  const retries = options.retries ?? 4;
  const quiet = () => undefined;
  return new RunnerOctokit({
    ...githubAuthFromEnv(env),
    baseUrl,
    userAgent: "aliyun-spot-runner",
    // Octokit logs every 4xx to the console; our errors carry the details instead.
    log: { debug: quiet, info: quiet, warn: quiet, error: quiet },
    retry: { retries, retryAfterBaseValue: options.retryBaseMs ?? 1000, doNotRetry: DO_NOT_RETRY },
    ...(options.onRetry ? { retryNotice: options.onRetry } : {}),
    throttle: options.throttle === false ? { enabled: false } : {
      id: options.limiterId ?? `spot-runner-${randomUUID()}`,
      retryAfterBaseValue: options.retryBaseMs ?? 1000,
      onRateLimit: (_after: number, _opts: unknown, _octokit: unknown, retryCount: number) => retryCount < retries,
      onSecondaryRateLimit: (_after: number, _opts: unknown, _octokit: unknown, retryCount: number) => retryCount < retries,
    },
  });
}
