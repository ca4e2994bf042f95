import { GITHUB_ORGANIZATION, GITHUB_REPOSITORY, PREFIX, STACK_NAME } from "../provider/contract/names";
import type { GitHubScope } from "../provider/github/runners";
import { parseOrganization, parseRepository } from "../provider/reaper/scopes";
import { UsageError } from "./io";
import { regionFrom } from "./region";

/**
 * What `list` and `reap` look at: a region, optionally narrowed to a deployment prefix or one runner stack, and the
 * GitHub scopes whose runners to read besides those our instances name. The flags are declared in
 * cli/commands/options.ts.
 */
export interface TargetFlags {
  region?: string;
  prefix?: string;
  stack?: string;
  repo?: string;
  org?: string;
}

export interface Target {
  readonly regionId: string;
  readonly prefix?: string;
  readonly stack?: string;
  /** Scopes to list besides the ones our instances name. */
  readonly scopes: readonly GitHubScope[];
  /** Things the user should know about how the target was chosen. */
  readonly notes: readonly string[];
}

/** Flags and environment to a target; every malformed value is a usage error naming its flag (or variable). */
export function targetFromFlags(flags: TargetFlags, env: NodeJS.ProcessEnv): Target {
  const notes: string[] = [];
  const regionId = regionFrom(flags.region, env);
  const prefix = checked("--prefix", flags.prefix, PREFIX.problem);
  const stack = checked("--stack", flags.stack, STACK_NAME.problem);
  if (flags.repo !== undefined && flags.org !== undefined) {
    throw new UsageError("--repo and --org: give one of them (runners are registered to a repository or to an organization)");
  }
  const scopes: GitHubScope[] = [];
  if (flags.repo !== undefined) {
    scopes.push(parseRepository(checked("--repo", flags.repo, GITHUB_REPOSITORY.problem)!)!);
  } else if (flags.org !== undefined) {
    scopes.push(parseOrganization(checked("--org", flags.org, GITHUB_ORGANIZATION.problem)!)!);
  } else if (env.GITHUB_REPOSITORY?.trim()) {
    const scope = parseRepository(env.GITHUB_REPOSITORY);
    if (scope) scopes.push(scope);
    else notes.push(`GITHUB_REPOSITORY="${env.GITHUB_REPOSITORY}" is not owner/repo; ignored`);
  }
  return { regionId, ...(prefix !== undefined ? { prefix } : {}), ...(stack !== undefined ? { stack } : {}), scopes, notes };
}

function checked(flag: string, value: string | undefined, problemOf: (value: string) => string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  const problem = problemOf(trimmed);
  if (problem) throw new UsageError(`${flag}: ${problem}`);
  return trimmed;
}
