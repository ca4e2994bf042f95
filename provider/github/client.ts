import { randomUUID } from "node:crypto";
import { Octokit } from "@octokit/rest";
import { throttling } from "@octokit/plugin-throttling";
import { retry } from "@octokit/plugin-retry";
import { createAppAuth } from "@octokit/auth-app";
import { MissingEnvironmentError } from "../errors";

/** Octokit with GitHub's rate-limit handling (throttling) and retries of 5xx/network failures. */
const RunnerOctokit = Octokit.plugin(throttling, retry);
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

export const GITHUB_API_URL_VARIABLE = "GITHUB_API_URL";
const APP_VARIABLES = ["GITHUB_APP_ID", "GITHUB_APP_PRIVATE_KEY", "GITHUB_APP_INSTALLATION_ID"] as const;

/**
 * How we authenticate to GitHub, from the environment at call time: a token with repository (or organization)
 * administration rights in GITHUB_TOKEN or GH_TOKEN, or a GitHub App installation (GITHUB_APP_ID,
 * GITHUB_APP_PRIVATE_KEY, GITHUB_APP_INSTALLATION_ID). GITHUB_API_URL points at GitHub Enterprise or the emulator.
 */
export function githubAuthFromEnv(env: NodeJS.ProcessEnv): { readonly auth: unknown; readonly authStrategy?: unknown } {
  const token = env.GITHUB_TOKEN?.trim() || env.GH_TOKEN?.trim();
  const app = APP_VARIABLES.map((name) => env[name]?.trim());
  if (app.some(Boolean)) {
    const missing = APP_VARIABLES.filter((_, i) => !app[i]);
    if (missing.length > 0) {
      throw new MissingEnvironmentError(
        missing,
        `GitHub App credentials are incomplete: ${missing.join(", ")} not set. Set all of ${APP_VARIABLES.join(", ")}, ` +
          `or unset them and use GITHUB_TOKEN.`,
      );
    }
    const [appId, privateKey, installationId] = app as string[];
    return {
      authStrategy: createAppAuth,
      // Keys stored in CI secrets often carry literal "\n" sequences instead of newlines.
      auth: { appId, privateKey: privateKey.replace(/\\n/g, "\n"), installationId: Number(installationId) },
    };
  }
  if (token) return { auth: token };
  throw new MissingEnvironmentError(
    ["GITHUB_TOKEN"],
    "GitHub credentials are not set: set GITHUB_TOKEN (or GH_TOKEN) to a token that can administer self-hosted " +
      "runners of the repository (fine-grained: Administration read/write) or organization (Self-hosted runners " +
      "read/write), or set GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY and GITHUB_APP_INSTALLATION_ID.",
  );
}

/** A new client per call site; never cached at module level (the provider runs inside Pulumi's plugin host). */
export function createGitHubClient(options: GitHubClientOptions = {}): GitHubClient {
  const env = options.env ?? process.env;
  const baseUrl = env[GITHUB_API_URL_VARIABLE]?.trim().replace(/\/+$/, "") || "https://api.github.com";
  const retries = options.retries ?? 4;
  const quiet = () => undefined;
  return new RunnerOctokit({
    ...githubAuthFromEnv(env),
    baseUrl,
    userAgent: "aliyun-spot-runner",
    // Octokit logs every 4xx to the console; our errors carry the details instead.
    log: { debug: quiet, info: quiet, warn: quiet, error: quiet },
    retry: { retries, retryAfterBaseValue: options.retryBaseMs ?? 1000, doNotRetry: [400, 401, 403, 404, 409, 410, 422, 451] },
    throttle: options.throttle === false ? { enabled: false } : {
      id: options.limiterId ?? `spot-runner-${randomUUID()}`,
      retryAfterBaseValue: options.retryBaseMs ?? 1000,
      onRateLimit: (_after: number, _opts: unknown, _octokit: unknown, retryCount: number) => retryCount < retries,
      onSecondaryRateLimit: (_after: number, _opts: unknown, _octokit: unknown, retryCount: number) => retryCount < retries,
    },
  });
}
