import type { InstanceInfo } from "../aliyun/instances";
import type { GitHubScope, RunnerInfo } from "../github/runners";

/** How long a new instance may go without an online runner before it counts as an orphan. */
export const DEFAULT_BOOT_GRACE_MINUTES = 15;
/**
 * The backstop for instances the cloud-side TTL did not release: twice GitHub's default job timeout (6 h). Users
 * who give runners a longer `ttlMinutes` (and jobs a longer `timeout-minutes`) must raise it to match.
 */
export const DEFAULT_MAX_AGE_MINUTES = 12 * 60;

/** What the reaper decides by, and which of our instances and runners it looks at. */
export interface ReapPolicy {
  readonly bootGraceMs: number;
  readonly maxAgeMs: number;
  /** Only instances tagged spot-runner-prefix=<prefix>, and runners named <prefix>-<arch>-<time>-<suffix>. */
  readonly prefix?: string;
  /**
   * The sweep of a stack being torn down: every instance tagged spot-runner-stack=<stack> is released, at any
   * age and whatever its runner says, and only those instances (and their runners) are looked at.
   */
  readonly stack?: string;
}

export function defaultReapPolicy(overrides: Partial<ReapPolicy> = {}): ReapPolicy {
  return {
    bootGraceMs: DEFAULT_BOOT_GRACE_MINUTES * 60_000,
    maxAgeMs: DEFAULT_MAX_AGE_MINUTES * 60_000,
    ...overrides,
  };
}

/** The runners of one GitHub scope, or why they could not be listed. */
export interface ScopeRunners {
  readonly scope: GitHubScope;
  readonly runners?: readonly RunnerInfo[];
  /** Set when listing failed: nothing about this scope's runners is known. */
  readonly error?: string;
}

/** What GitHub told us, or why we could not ask. */
export type GitHubView =
  | { readonly available: true; readonly scopes: readonly ScopeRunners[] }
  | { readonly available: false; readonly reason: string };

/** Everything planning needs, read at one moment. */
export interface ReapSnapshot {
  readonly regionId: string;
  /** Every instance of the region tagged managed-by=spot-runner (narrowing by prefix and stack is planning's job). */
  readonly instances: readonly InstanceInfo[];
  readonly github: GitHubView;
}

/**
 * The runner an instance serves (its spot-runner-runner tag), as GitHub sees it:
 * busy (running a job), online (connected, idle), offline, missing (GitHub does not know it: never registered,
 * or removed after its job), unknown (we could not ask; `why` says why).
 */
export type RunnerState = "busy" | "online" | "offline" | "missing" | "unknown";

export interface RunnerView {
  readonly state: RunnerState;
  /** The runner name from the instance's tag, when it has one. */
  readonly name?: string;
  readonly runner?: RunnerInfo;
  /** Where it is (or would be) registered, when known. */
  readonly scope?: GitHubScope;
  /** For "unknown": why it could not be checked ("no GitHub token", "GitHub error", ...). */
  readonly why?: string;
}

/** Why an instance is released. */
export type InstanceReleaseReason =
  | "stack-sweep"
  | "stopped"
  | "expired"
  | "max-age"
  | "runner-missing"
  | "runner-offline";

/** Why an instance is spared. */
export type InstanceSpareReason =
  | "young"
  | "runner-busy"
  | "runner-online"
  | "runner-unknown"
  | "no-runner-tag";

export type InstanceDecision =
  | {
    readonly action: "release";
    readonly reason: InstanceReleaseReason;
    readonly detail: string;
    readonly instance: InstanceInfo;
    readonly runner: RunnerView;
  }
  | {
    readonly action: "spare";
    readonly reason: InstanceSpareReason;
    readonly detail: string;
    readonly instance: InstanceInfo;
    readonly runner: RunnerView;
  };

export type RunnerDeleteReason = "instance-released" | "orphan-offline" | "stack-sweep";
export type RunnerSpareReason = "runner-busy" | "runner-online" | "young" | "on-live-instance";

export type RunnerDecision =
  | {
    readonly action: "delete";
    readonly reason: RunnerDeleteReason;
    readonly detail: string;
    readonly scope: GitHubScope;
    readonly runner: RunnerInfo;
    /** The instance it runs on, when one of ours carries its name. */
    readonly instanceId?: string;
  }
  | {
    readonly action: "spare";
    readonly reason: RunnerSpareReason;
    readonly detail: string;
    readonly scope: GitHubScope;
    readonly runner: RunnerInfo;
    readonly instanceId?: string;
  };

export interface ReapPlan {
  readonly regionId: string;
  /** The moment the plan was made for (ms since the epoch). */
  readonly now: number;
  readonly policy: ReapPolicy;
  /** Our instances within the prefix/stack narrowing, each with its decision. */
  readonly instances: readonly InstanceDecision[];
  /** Runners that are ours (by name or by instance) within the narrowing, each with its decision. */
  readonly runners: readonly RunnerDecision[];
  /** What was left alone without a decision: our instances of other prefixes or stacks, runners that are not ours. */
  readonly leftAlone: { readonly instances: number; readonly runners: number };
  /** Things the user should know that limit the plan (no GitHub token: runner-based rules not applied). */
  readonly warnings: readonly string[];
  /** Things that went wrong while reading (a scope's runners could not be listed): the run is not clean. */
  readonly problems: readonly string[];
}
