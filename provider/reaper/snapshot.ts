import type { EcsInstanceApi } from "../aliyun/instances";
import type { GitHubScope, RunnerApi } from "../github/runners";
import { MANAGED_BY_VALUE, TAG_KEYS } from "../tags";
import { scopesToList } from "./scopes";
import type { GitHubView, ReapSnapshot, ScopeRunners } from "./types";

/** GitHub as the reaper can use it: an API, or the reason there is none (no credentials). */
export type GitHubAccess = { readonly runners: RunnerApi } | { readonly unavailable: string };

export interface SnapshotSources {
  readonly regionId: string;
  readonly ecs: EcsInstanceApi;
  readonly github: GitHubAccess;
  /** Scopes to list besides the ones our instances name (--repo, --org, GITHUB_REPOSITORY). */
  readonly scopes: readonly GitHubScope[];
}

/**
 * Reads what planning needs: every instance of the region tagged managed-by=spot-runner (all pages), then the
 * runners of every relevant scope. An ECS failure rejects (nothing can be planned without the instances); a
 * scope whose runners cannot be listed is recorded with its error, so its instances are spared, not guessed at.
 */
export async function collectSnapshot(sources: SnapshotSources): Promise<ReapSnapshot> {
  const instances = await sources.ecs.describeInstances({ tags: { [TAG_KEYS.managedBy]: MANAGED_BY_VALUE } });
  const github = await readGitHub(sources.github, scopesToList(sources.scopes, instances));
  return { regionId: sources.regionId, instances, github };
}

async function readGitHub(access: GitHubAccess, scopes: readonly GitHubScope[]): Promise<GitHubView> {
  if ("unavailable" in access) return { available: false, reason: access.unavailable };
  const listings = await Promise.all(scopes.map(async (scope): Promise<ScopeRunners> => {
    try {
      return { scope, runners: await access.runners.listRunners(scope) };
    } catch (err) {
      return { scope, error: err instanceof Error ? err.message : String(err) };
    }
  }));
  return { available: true, scopes: listings };
}
