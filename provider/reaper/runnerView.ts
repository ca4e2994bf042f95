import type { InstanceInfo } from "../aliyun/instances";
import type { GitHubScope, RunnerInfo } from "../github/runners";
import { describeScope } from "../github/runners";
import { TAG_KEYS } from "../tags";
import { scopeKey, scopeOfInstance } from "./scopes";
import type { GitHubView, RunnerState, RunnerView } from "./types";

/** busy wins over online/offline: GitHub can report a busy runner as offline for a moment after it lost contact. */
export function stateOfRunner(runner: RunnerInfo): Exclude<RunnerState, "missing" | "unknown"> {
  if (runner.busy) return "busy";
  return runner.status === "online" ? "online" : "offline";
}

/**
 * The runner an instance serves, as GitHub sees it. "missing" is only concluded when every scope the runner
 * could be in was listed successfully: a scope we could not read makes the state "unknown", never "missing".
 */
export function runnerViewOf(instance: InstanceInfo, github: GitHubView): RunnerView {
  const name = instance.tags[TAG_KEYS.runnerName]?.trim() || undefined;
  const tagged = scopeOfInstance(instance);
  if (!name) return { state: "unknown", ...(tagged ? { scope: tagged } : {}), why: "no spot-runner-runner tag" };
  if (!github.available) return { state: "unknown", name, ...(tagged ? { scope: tagged } : {}), why: "no GitHub token" };

  // Without a scope tag the runner may be in any scope we listed (the --repo/--org ones).
  const candidates = tagged
    ? github.scopes.filter((s) => scopeKey(s.scope) === scopeKey(tagged))
    : github.scopes;
  if (candidates.length === 0) {
    return { state: "unknown", name, why: tagged ? `${describeScope(tagged)} not listed` : "no GitHub scope: give --repo or --org" };
  }
  for (const listing of candidates) {
    const runner = listing.runners?.find((r) => r.name === name);
    if (runner) return { state: stateOfRunner(runner), name, runner, scope: listing.scope };
  }
  const failed = candidates.find((c) => c.error !== undefined);
  if (failed) return { state: "unknown", name, scope: failed.scope, why: `GitHub error listing ${describeScope(failed.scope)}` };
  // Without a tag and with several scopes listed there is no one place it belongs.
  const scope = tagged ?? (candidates.length === 1 ? candidates[0].scope : undefined);
  return { state: "missing", name, ...(scope ? { scope } : {}) };
}

/** The short form for tables and plans: "busy", "missing", "unknown (no GitHub token)". */
export function describeRunnerState(view: RunnerView): string {
  return view.state === "unknown" && view.why ? `unknown (${view.why})` : view.state;
}

/** A runner's name with its scope, for messages: "openresty-arm64-... (dianplus/openresty)". */
export function describeRunner(name: string, scope: GitHubScope | undefined): string {
  return scope ? `${name} (${describeScope(scope)})` : name;
}
