/** GitHub's documentation links, as its error bodies carry them in `documentation_url`. */
export const REST_DOCS = "https://docs.github.com/rest";
export const RUNNER_DOCS = "https://docs.github.com/rest/actions/self-hosted-runners";
export const ACCESS_TOKEN_DOCS = "https://docs.github.com/rest/apps/apps#create-an-installation-access-token-for-an-app";

/** An answer in GitHub's error format: `{message, documentation_url, status}` with the HTTP status. */
export class GitHubError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly docs = RUNNER_DOCS,
    /** Headers the answer carries besides the usual ones (retry-after, x-ratelimit-* on rate limits). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

export const notFound = (docs = RUNNER_DOCS): GitHubError => new GitHubError(404, "Not Found", docs);
