import { githubCredentialsSet, readGitHubCredentials } from "../../provider/github/credentials";
import { checkGitHubApiUrl } from "../../provider/github/endpoint";
import type { GitHubAccess } from "../../provider/reaper/snapshot";
import type { CliContext } from "../context";

/**
 * GitHub as `list` and `reap` use it. No GitHub variable at all is a choice, answered with what can be done without
 * (the runner column says unknown, reap skips what needs a runner check). Anything else must work or fail now, before
 * the instances are read: half a GitHub App or an unusable value names its variable, and a GITHUB_API_URL that is
 * not a GitHub API is found by asking it once (provider/github/endpoint.ts). Octokit is loaded only after all that,
 * by the runners service.
 */
export async function githubAccessFor(ctx: CliContext): Promise<GitHubAccess> {
  if (!githubCredentialsSet(ctx.env)) {
    return { unavailable: "GitHub credentials are not set: set GITHUB_TOKEN (or GH_TOKEN, or the GitHub App variables GITHUB_APP_ID, " +
      "GITHUB_APP_PRIVATE_KEY and GITHUB_APP_INSTALLATION_ID) to see runner status" };
  }
  readGitHubCredentials(ctx.env);
  await checkGitHubApiUrl(ctx.env);
  return { runners: ctx.services.runners() };
}
