import { GitHubApiError } from "../errors";
import { GitHubClient } from "./client";

/** Where runners are registered: one repository, or an organization (optionally a runner group). */
export type GitHubScope =
  | { readonly kind: "repo"; readonly owner: string; readonly repo: string }
  | { readonly kind: "org"; readonly org: string };

export function describeScope(scope: GitHubScope): string {
  return scope.kind === "repo" ? `${scope.owner}/${scope.repo}` : `org ${scope.org}`;
}

export interface RunnerInfo {
  readonly id: number;
  readonly name: string;
  readonly status: "online" | "offline" | string;
  readonly busy: boolean;
  readonly labels: readonly string[];
}

export interface JitRunner {
  readonly runnerId: number;
  /** Single-use registration for exactly this runner; a secret: goes only into the instance's user data. */
  readonly encodedJitConfig: string;
}

/** The runner operations the provider, reaper and CLI use, with GitHub's failures turned into GitHubApiError. */
export interface RunnerApi {
  generateJitConfig(scope: GitHubScope, runner: { name: string; labels: readonly string[]; runnerGroupId: number }): Promise<JitRunner>;
  /** undefined when GitHub answers 404 (the runner is gone). */
  getRunner(scope: GitHubScope, runnerId: number): Promise<RunnerInfo | undefined>;
  findRunnerByName(scope: GitHubScope, name: string): Promise<RunnerInfo | undefined>;
  /** Every runner of the scope (all pages). */
  listRunners(scope: GitHubScope): Promise<RunnerInfo[]>;
  /** "absent" when it was already gone (404), which is success for a delete. */
  deleteRunner(scope: GitHubScope, runnerId: number): Promise<"deleted" | "absent">;
}

interface RawRunner {
  id: number;
  name: string;
  status: string;
  busy: boolean;
  labels: { name: string }[];
}

function toRunnerInfo(raw: RawRunner): RunnerInfo {
  return { id: raw.id, name: raw.name, status: raw.status, busy: raw.busy, labels: raw.labels.map((l) => l.name) };
}

function httpStatus(err: unknown): number | undefined {
  const status = (err as { status?: unknown })?.status;
  return typeof status === "number" ? status : undefined;
}

/** Turns an Octokit failure into an error that says what it means and what to do. */
export function toGitHubApiError(operation: string, scope: GitHubScope, err: unknown): Error {
  const status = httpStatus(err);
  if (status === undefined) {
    const text = err instanceof Error ? err.message : String(err);
    return new GitHubApiError(`GitHub ${operation} for ${describeScope(scope)} did not answer: ${text}`, operation, "unavailable",
      undefined, { cause: err });
  }
  const detail = err instanceof Error ? err.message.split(" - ")[0] : "";
  const where = describeScope(scope);
  switch (status) {
    case 401:
      return new GitHubApiError(
        `GitHub rejected the credentials (401 ${detail}) during ${operation}: check GITHUB_TOKEN (or the GitHub App variables).`,
        operation, "credentials", status, { cause: err });
    case 403:
      return new GitHubApiError(
        `GitHub denied ${operation} on ${where} (403 ${detail}): the token needs ` +
          (scope.kind === "repo" ? "Administration: read & write on the repository" : "Self-hosted runners: read & write on the organization") +
          " (classic tokens: repo or admin:org).",
        operation, "permission", status, { cause: err });
    case 404:
      return new GitHubApiError(
        `GitHub ${operation}: ${where} or the runner was not found (404), or the token cannot see it.`, operation, "notFound", status,
        { cause: err });
    case 409:
      return new GitHubApiError(`GitHub ${operation} on ${where}: ${detail} (409 conflict).`, operation, "conflict", status, { cause: err });
    case 422:
      return new GitHubApiError(`GitHub ${operation} on ${where} rejected the request (422 ${detail}): check the runner group and labels.`,
        operation, "invalid", status, { cause: err });
    default:
      return new GitHubApiError(`GitHub ${operation} on ${where} failed with HTTP ${status}: ${detail}`, operation,
        status >= 500 || status === 429 ? "unavailable" : "invalid", status, { cause: err });
  }
}

export function createRunnerApi(client: () => GitHubClient): RunnerApi {
  // One client for the life of this RunnerApi (one create or delete): its auth is then set up once, and a
  // GitHub App installation token is minted once rather than on every call.
  let built: GitHubClient | undefined;
  const gh = (): GitHubClient => (built ??= client());
  async function call<T>(operation: string, scope: GitHubScope, run: (gh: GitHubClient) => Promise<T>): Promise<T> {
    try {
      return await run(gh());
    } catch (err) {
      throw toGitHubApiError(operation, scope, err);
    }
  }

  async function listPage(gh: GitHubClient, scope: GitHubScope, page: number, name?: string) {
    const params = { per_page: 100, page, ...(name ? { name } : {}) };
    const res = scope.kind === "repo"
      ? await gh.rest.actions.listSelfHostedRunnersForRepo({ owner: scope.owner, repo: scope.repo, ...params })
      : await gh.rest.actions.listSelfHostedRunnersForOrg({ org: scope.org, ...params });
    return { total: res.data.total_count, runners: (res.data.runners as RawRunner[]).map(toRunnerInfo) };
  }

  async function listAll(scope: GitHubScope, name?: string): Promise<RunnerInfo[]> {
    return call("list runners", scope, async (gh) => {
      const all: RunnerInfo[] = [];
      // Bounded: 100 pages of 100 runners is far beyond any real scope.
      for (let page = 1; page <= 100; page++) {
        const { total, runners } = await listPage(gh, scope, page, name);
        all.push(...runners);
        if (runners.length === 0 || all.length >= total) break;
      }
      return all;
    });
  }

  return {
    generateJitConfig: (scope, runner) =>
      call("generate-jitconfig", scope, async (gh) => {
        const body = { name: runner.name, runner_group_id: runner.runnerGroupId, labels: [...runner.labels] };
        const res = scope.kind === "repo"
          ? await gh.rest.actions.generateRunnerJitconfigForRepo({ owner: scope.owner, repo: scope.repo, ...body })
          : await gh.rest.actions.generateRunnerJitconfigForOrg({ org: scope.org, ...body });
        return { runnerId: res.data.runner.id, encodedJitConfig: res.data.encoded_jit_config };
      }),

    getRunner: async (scope, runnerId) => {
      try {
        return await call("get runner", scope, async (gh) => {
          const res = scope.kind === "repo"
            ? await gh.rest.actions.getSelfHostedRunnerForRepo({ owner: scope.owner, repo: scope.repo, runner_id: runnerId })
            : await gh.rest.actions.getSelfHostedRunnerForOrg({ org: scope.org, runner_id: runnerId });
          return toRunnerInfo(res.data as RawRunner);
        });
      } catch (err) {
        if (err instanceof GitHubApiError && err.kind === "notFound") return undefined;
        throw err;
      }
    },

    findRunnerByName: async (scope, name) => (await listAll(scope, name)).find((r) => r.name === name),

    listRunners: (scope) => listAll(scope),

    deleteRunner: async (scope, runnerId) => {
      try {
        await call("delete runner", scope, async (gh) => {
          if (scope.kind === "repo") {
            await gh.rest.actions.deleteSelfHostedRunnerFromRepo({ owner: scope.owner, repo: scope.repo, runner_id: runnerId });
          } else {
            await gh.rest.actions.deleteSelfHostedRunnerFromOrg({ org: scope.org, runner_id: runnerId });
          }
        });
        return "deleted";
      } catch (err) {
        if (err instanceof GitHubApiError && err.kind === "notFound") return "absent";
        throw err;
      }
    },
  };
}
