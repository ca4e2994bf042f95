import { InvalidEnvironmentError } from "../errors";
import { UNREACHABLE } from "../unreachable";

/**
 * Where GitHub calls go: https://api.github.com, or GITHUB_API_URL (GitHub Enterprise Server's
 * https://HOST/api/v3, or the emulator's http://127.0.0.1:PORT/api/v3). Read from the environment at call time.
 */
export const GITHUB_API_URL_VARIABLE = "GITHUB_API_URL";
export const DEFAULT_GITHUB_API_URL = "https://api.github.com";

const EXAMPLES = "e.g. https://api.github.com, https://HOST/api/v3 for GitHub Enterprise Server, or the URL `spot-runner emulator` prints";

/** The API's base URL without a trailing slash; a value that is not an http(s) URL is refused, naming the variable. */
export function githubApiUrlFromEnv(env: NodeJS.ProcessEnv): string {
  const raw = env[GITHUB_API_URL_VARIABLE]?.trim();
  if (!raw) return DEFAULT_GITHUB_API_URL;
  if (!/^https?:\/\//i.test(raw)) {
    const hint = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? "must use http:// or https://" : "has no scheme";
    throw new InvalidEnvironmentError(GITHUB_API_URL_VARIABLE, `${GITHUB_API_URL_VARIABLE}="${raw}" ${hint}: ${EXAMPLES}`);
  }
  try {
    new URL(raw);
  } catch {
    throw new InvalidEnvironmentError(GITHUB_API_URL_VARIABLE, `${GITHUB_API_URL_VARIABLE}="${raw}" is not a URL: ${EXAMPLES}`);
  }
  return raw.replace(/\/+$/, "");
}


interface CausedError {
  readonly message?: string;
  readonly code?: string;
  readonly cause?: unknown;
}

/**
 * Why a request could not reach the server at all, when retrying cannot help; undefined for anything else (an HTTP
 * answer, a reset connection, a timeout). Looks through Octokit's RequestError and fetch's TypeError to the socket
 * error underneath. fetch refuses some ports outright ("bad port", e.g. 9 and 6000), which is no better.
 */
export function unreachableReason(err: unknown): string | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 4 && current && typeof current === "object"; depth++) {
    const e = current as CausedError;
    if (typeof e.code === "string" && UNREACHABLE.has(e.code)) return `${UNREACHABLE.get(e.code)} (${e.code})`;
    if (e.message === "bad port") return "fetch refuses to connect to that port; pick another";
    current = e.cause;
  }
  return undefined;
}

/**
 * What to do about an API URL that cannot be reached. Any host but api.github.com can only have come from
 * GITHUB_API_URL, so the variable is named.
 */
export function unreachableGitHubAdvice(url: string): string {
  let host = "";
  try {
    host = new URL(url).hostname;
  } catch {
    // not a URL: treated as the variable's
  }
  if (host === "api.github.com") return "Check this machine's network and proxy settings (HTTPS_PROXY).";
  return `It comes from ${GITHUB_API_URL_VARIABLE}: start the server it names or correct the variable (${EXAMPLES}).`;
}

export interface GitHubApiCheckOptions {
  readonly fetch?: typeof fetch;
  /** Per request; a server that accepts the connection and never answers is also a finding. */
  readonly timeoutMs?: number;
}

/**
 * Asks a GITHUB_API_URL, once and before any real work, whether it is a GitHub REST API: GitHub.com, GitHub
 * Enterprise Server and the emulator all answer with an X-GitHub-Request-Id header, on any path, even unauthenticated
 * or 404. Without the check a wrong URL shows up late and misleadingly: a 404 reads as "repository not found", a
 * refused connection as "HTTP 500" after half a minute of retries. api.github.com itself is not probed (the
 * unauthenticated request would spend the runner IP's rate limit); its failures are classified when they happen.
 */
export async function checkGitHubApiUrl(env: NodeJS.ProcessEnv, options: GitHubApiCheckOptions = {}): Promise<void> {
  if (!env[GITHUB_API_URL_VARIABLE]?.trim()) return;
  const baseUrl = githubApiUrlFromEnv(env);
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(`${baseUrl}/`, {
      headers: { accept: "application/vnd.github+json", "user-agent": "aliyun-spot-runner" },
      redirect: "manual",
      signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
    });
  } catch (err) {
    const reason = unreachableReason(err) ?? (isTimeout(err) ? `no answer within ${(options.timeoutMs ?? 15_000) / 1000} s` : errorMessage(err));
    throw new InvalidEnvironmentError(GITHUB_API_URL_VARIABLE,
      `cannot reach the GitHub API at ${baseUrl}: ${reason}. ${unreachableGitHubAdvice(baseUrl)}`, { cause: err });
  }
  await response.body?.cancel();
  if (response.headers.has("x-github-request-id")) return;
  throw new InvalidEnvironmentError(GITHUB_API_URL_VARIABLE,
    `${GITHUB_API_URL_VARIABLE}=${baseUrl} does not answer like a GitHub REST API (HTTP ${response.status}, no X-GitHub-Request-Id header): ` +
      `set it to the API's base URL, ${EXAMPLES} (ending in /api/v3)`);
}

function isTimeout(err: unknown): boolean {
  return err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError");
}

function errorMessage(err: unknown): string {
  const cause = (err as CausedError)?.cause as CausedError | undefined;
  return cause?.message ?? (err instanceof Error ? err.message : String(err));
}
