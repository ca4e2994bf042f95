/**
 * The reaper: the third layer against leaks, independent of Pulumi state. It finds our instances (by tag) and
 * runners (by name) that should not exist any more and removes them. Planning is pure (plan.ts); reading
 * (snapshot.ts) and acting (execute.ts) are the side effects around it. docs/reaper.md explains the rules.
 */
export * from "./types";
export { collectSnapshot } from "./snapshot";
export type { GitHubAccess, SnapshotSources } from "./snapshot";
export { decideInstance, decideRunner, instanceAgeMs, instanceInScope, planReap } from "./plan";
export type { RunnerContext } from "./plan";
export { executeReap } from "./execute";
export type { OutcomeStatus, ReapDeps, ReapOutcome, ReapResult } from "./execute";
export { describeRunner, describeRunnerState, runnerViewOf, stateOfRunner } from "./runnerView";
export { parseOrganization, parseRepository, scopeKey, scopeOfInstance, scopesToList } from "./scopes";
export { parseRunnerName } from "./runnerNames";
export type { GeneratedRunnerName } from "./runnerNames";
export { formatDuration, parseEcsTime } from "./durations";
export { buildListing } from "./listing";
export type { ListedInstance, ListedRunner, Listing, ListingFilter } from "./listing";
