import { createPrivateKey } from "node:crypto";
import { parseInteger } from "../contract/text";
import { InvalidEnvironmentError, MissingEnvironmentError } from "../errors";

/**
 * GitHub credentials from the environment, read at call time and checked before any call: a token with repository
 * (or organization) administration rights in GITHUB_TOKEN or GH_TOKEN, or a GitHub App installation (GITHUB_APP_ID,
 * GITHUB_APP_PRIVATE_KEY, GITHUB_APP_INSTALLATION_ID). A wrong App variable is named here instead of surfacing later
 * as a signing failure or a 404. No Octokit: the CLI checks credentials before it loads any client.
 */
export type GitHubCredentials =
  | { readonly token: string }
  | { readonly app: { readonly appId: number | string; readonly privateKey: string; readonly installationId: number } };

const TOKEN_VARIABLES = ["GITHUB_TOKEN", "GH_TOKEN"] as const;
const APP_VARIABLES = ["GITHUB_APP_ID", "GITHUB_APP_PRIVATE_KEY", "GITHUB_APP_INSTALLATION_ID"] as const;

/** Whether any GitHub credential variable is set: none at all is a choice (list without runner status), half an App is a mistake. */
export function githubCredentialsSet(env: NodeJS.ProcessEnv): boolean {
  return [...TOKEN_VARIABLES, ...APP_VARIABLES].some((name) => Boolean(env[name]?.trim()));
}

export function readGitHubCredentials(env: NodeJS.ProcessEnv): GitHubCredentials {
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
    return { app: { appId: appIdOf(appId), privateKey: privateKeyOf(privateKey), installationId: installationIdOf(installationId) } };
  }
  if (token) return { token };
  throw new MissingEnvironmentError(
    ["GITHUB_TOKEN"],
    "GitHub credentials are not set: set GITHUB_TOKEN (or GH_TOKEN) to a token that can administer self-hosted " +
      "runners of the repository (fine-grained: Administration read/write) or organization (Self-hosted runners " +
      "read/write), or set GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY and GITHUB_APP_INSTALLATION_ID.",
  );
}

/** The App's numeric id, or its client ID (Iv1.…, Iv23…), which @octokit/auth-app also accepts. */
function appIdOf(text: string): number | string {
  if (/^Iv[0-9A-Za-z.]+$/.test(text)) return text;
  const parsed = parseInteger(text);
  if ("value" in parsed && (parsed.value as number) > 0) return parsed.value as number;
  throw new InvalidEnvironmentError("GITHUB_APP_ID",
    `GITHUB_APP_ID="${text}" is not a GitHub App id: use the App ID (a number such as 123456) or the Client ID (Iv23...) from the App's settings page`);
}

function installationIdOf(text: string): number {
  const parsed = parseInteger(text);
  if ("value" in parsed && (parsed.value as number) > 0) return parsed.value as number;
  throw new InvalidEnvironmentError("GITHUB_APP_INSTALLATION_ID",
    `GITHUB_APP_INSTALLATION_ID="${text}" is not an installation id: use the number at the end of the installation's settings URL ` +
      "(https://github.com/settings/installations/<id>, or the organization's)");
}

/** The PEM key; keys stored in CI secrets often carry literal "\n" sequences instead of newlines. */
function privateKeyOf(text: string): string {
  const pem = text.replace(/\\n/g, "\n");
  const problem = !/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem) ? "it has no -----BEGIN ... PRIVATE KEY----- line" : keyProblem(pem);
  if (problem === undefined) return pem;
  throw new InvalidEnvironmentError("GITHUB_APP_PRIVATE_KEY",
    `GITHUB_APP_PRIVATE_KEY is not a PEM private key (${problem}): set it to the whole .pem file the App's settings page generated ` +
      "(line breaks kept, or written as \\n)");
}

function keyProblem(pem: string): string | undefined {
  try {
    createPrivateKey(pem);
    return undefined;
  } catch (err) {
    return `it does not parse: ${err instanceof Error ? err.message : String(err)}`;
  }
}

