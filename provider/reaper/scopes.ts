import type { InstanceInfo } from "../aliyun/instances";
import type { GitHubScope } from "../github/runners";
import { TAG_KEYS } from "../tags";

const REPOSITORY = /^([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))\/([A-Za-z0-9._-]{1,100})$/;
const ORGANIZATION = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;

/** "owner/repo" as a repository scope; undefined when it is not one. */
export function parseRepository(value: string): GitHubScope | undefined {
  const m = REPOSITORY.exec(value.trim());
  return m ? { kind: "repo", owner: m[1], repo: m[2] } : undefined;
}

export function parseOrganization(value: string): GitHubScope | undefined {
  const v = value.trim();
  return ORGANIZATION.test(v) ? { kind: "org", org: v } : undefined;
}

/**
 * The scope an instance's runner is registered to, from its spot-runner-github tag: "owner/repo" for a
 * repository, a bare name for an organization (the provider writes one or the other). Undefined when the tag
 * is absent or unreadable.
 */
export function scopeOfInstance(instance: InstanceInfo): GitHubScope | undefined {
  const tag = instance.tags[TAG_KEYS.githubScope]?.trim();
  if (!tag) return undefined;
  return tag.includes("/") ? parseRepository(tag) : parseOrganization(tag);
}

/** A key that is equal for equal scopes (GitHub names are case-insensitive). */
export function scopeKey(scope: GitHubScope): string {
  return (scope.kind === "repo" ? `repo:${scope.owner}/${scope.repo}` : `org:${scope.org}`).toLowerCase();
}

/** The scopes to ask GitHub about: those given, then those our instances name; each once, in that order. */
export function scopesToList(given: readonly GitHubScope[], instances: readonly InstanceInfo[]): GitHubScope[] {
  const seen = new Map<string, GitHubScope>();
  for (const scope of [...given, ...instances.map(scopeOfInstance)]) {
    if (scope && !seen.has(scopeKey(scope))) seen.set(scopeKey(scope), scope);
  }
  return [...seen.values()];
}
