import Table from "cli-table3";
import { Command } from "commander";
import { readAliyunCredentials } from "../../provider/aliyun/credentials";
import { PREFIX, REGION, STACK_NAME } from "../../provider/contract/names";
import { createEcsInstanceApi, EcsInstanceApi, InstanceInfo } from "../../provider/aliyun/instances";
import { AliyunApiError, MissingEnvironmentError } from "../../provider/errors";
import { createGitHubClient, githubAuthFromEnv } from "../../provider/github/client";
import { createRunnerApi, describeScope, GitHubScope, RunnerApi } from "../../provider/github/runners";
import {
  collectSnapshot,
  describeRunnerState,
  formatDuration,
  GitHubAccess,
  instanceAgeMs,
  instanceInScope,
  parseEcsTime,
  parseOrganization,
  parseRepository,
  parseRunnerName,
  ReapSnapshot,
  runnerViewOf,
  RunnerView,
  stateOfRunner,
} from "../../provider/reaper";
import { TAG_KEYS } from "../../provider/tags";
import { Clock, realClock } from "../../provider/wait";
import { CliIo, UsageError } from "../io";

/** The region when neither --region nor SPOT_RUNNER_REGION says otherwise (the guide's region). */
export const DEFAULT_LIST_REGION = "cn-hangzhou";
export const REGION_VARIABLE = "SPOT_RUNNER_REGION";

/** What `list` and `reap` talk to; tests pass emulator-backed clients with fast retries and a virtual clock. */
export interface ReaperCommandDeps {
  readonly ecs?: (regionId: string, env: NodeJS.ProcessEnv) => EcsInstanceApi;
  readonly runners?: (env: NodeJS.ProcessEnv) => RunnerApi;
  readonly clock?: Clock;
  /** reap only: how long to wait for a released instance to disappear (default 5 min), and poll intervals. */
  readonly releaseTimeoutMs?: number;
  readonly pollMs?: number;
  readonly maxPollMs?: number;
}

/** The flags `list` and `reap` share: where to look and what counts as ours. */
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

export function addTargetOptions(command: Command): Command {
  return command
    .option("--region <id>", `region (default: $${REGION_VARIABLE}, else ${DEFAULT_LIST_REGION}); use the infra stack's region output`)
    .option("--prefix <prefix>", "only instances tagged with this prefix, and runners named <prefix>-<arch>-...")
    .option("--stack <name>", "only instances tagged with this runner stack (spot-runner-stack)")
    .option("--repo <owner/repo>", "also look at the runners of this repository (default: $GITHUB_REPOSITORY)")
    .option("--org <org>", "also look at the organization's runners (instead of --repo)");
}

/** Flags and environment to a target; every malformed value is a usage error naming its flag. */
export function targetFromFlags(flags: TargetFlags, env: NodeJS.ProcessEnv): Target {
  const notes: string[] = [];
  const regionId = (flags.region ?? env[REGION_VARIABLE] ?? "").trim() || DEFAULT_LIST_REGION;
  const regionProblem = REGION.problem(regionId);
  if (regionProblem) throw new UsageError(`${flags.region !== undefined ? "--region" : REGION_VARIABLE}: ${regionProblem}`);
  const prefix = flags.prefix?.trim();
  const prefixProblem = prefix !== undefined ? PREFIX.problem(prefix) : undefined;
  if (prefixProblem) throw new UsageError(`--prefix: ${prefixProblem}`);
  const stack = flags.stack?.trim();
  const stackProblem = stack !== undefined ? STACK_NAME.problem(stack) : undefined;
  if (stackProblem) throw new UsageError(`--stack: ${stackProblem}`);
  if (flags.repo !== undefined && flags.org !== undefined) {
    throw new UsageError("--repo and --org: give one of them (runners are registered to a repository or to an organization)");
  }
  const scopes: GitHubScope[] = [];
  if (flags.repo !== undefined) {
    const scope = parseRepository(flags.repo);
    if (!scope) throw new UsageError(`--repo: "${flags.repo}" is not owner/repo`);
    scopes.push(scope);
  } else if (flags.org !== undefined) {
    const scope = parseOrganization(flags.org);
    if (!scope) throw new UsageError(`--org: "${flags.org}" is not an organization name`);
    scopes.push(scope);
  } else if (env.GITHUB_REPOSITORY?.trim()) {
    const scope = parseRepository(env.GITHUB_REPOSITORY);
    if (scope) scopes.push(scope);
    else notes.push(`GITHUB_REPOSITORY="${env.GITHUB_REPOSITORY}" is not owner/repo; ignored`);
  }
  return { regionId, ...(prefix !== undefined ? { prefix } : {}), ...(stack !== undefined ? { stack } : {}), scopes, notes };
}

/** GitHub if credentials are set; otherwise why not (the commands then say what they could not check). */
export function githubAccessFor(env: NodeJS.ProcessEnv, deps: ReaperCommandDeps): GitHubAccess {
  try {
    githubAuthFromEnv(env);
  } catch (err) {
    if (err instanceof MissingEnvironmentError) return { unavailable: err.message };
    throw err;
  }
  return { runners: deps.runners ? deps.runners(env) : createRunnerApi(() => createGitHubClient({ env })) };
}

export function ecsFor(target: Target, env: NodeJS.ProcessEnv, deps: ReaperCommandDeps): EcsInstanceApi {
  return deps.ecs ? deps.ecs(target.regionId, env) : createEcsInstanceApi({ regionId: target.regionId, env });
}

/**
 * Reads instances and runners, or says on stderr why it cannot and returns undefined. Aliyun credentials are
 * checked first so that a missing key fails before any call, with the variable names.
 */
export async function readSnapshot(target: Target, ecs: EcsInstanceApi, github: GitHubAccess, io: CliIo, env: NodeJS.ProcessEnv): Promise<ReapSnapshot | undefined> {
  try {
    readAliyunCredentials(env);
    return await collectSnapshot({ regionId: target.regionId, ecs, github, scopes: target.scopes });
  } catch (err) {
    const line = ecsFailureLine(err, target.regionId);
    if (line === undefined) throw err;
    io.stderr(`error: ${line}\n`);
    return undefined;
  }
}

/** One line for the ECS failures a user can fix; undefined for programming errors (they keep their stack). */
export function ecsFailureLine(err: unknown, regionId: string): string | undefined {
  if (err instanceof MissingEnvironmentError) return err.message;
  if (err instanceof AliyunApiError) return `could not list the instances of ${regionId}: ${err.message}`;
  if (err instanceof Error && /ALIBABA_CLOUD_ECS_ENDPOINT/.test(err.message)) return err.message;
  return undefined;
}

export function register(program: Command, io: CliIo, done: (code: number) => void, deps: ReaperCommandDeps = {}): void {
  addTargetOptions(
    program
      .command("list")
      .description("our runner instances (by tag) with their age, type, zone, spot price limit, TTL left and runner status"),
  )
    .option("--json", "a JSON object: {region, now, instances[], runnersWithoutInstance[], warnings[], problems[]}")
    .addHelpText(
      "after",
      "\nCredentials: ALIBABA_CLOUD_ACCESS_KEY_ID/_SECRET (or ALICLOUD_ACCESS_KEY/ALICLOUD_SECRET_KEY); GITHUB_TOKEN\n" +
        "(or GH_TOKEN, or the GitHub App variables) for the runner column, which says \"unknown (no GitHub token)\" without it.\n" +
        "Endpoints: ALIBABA_CLOUD_ECS_ENDPOINT, GITHUB_API_URL.\n" +
        "Exit codes: 0 listed, 1 the instances or a scope's runners could not be read, 2 bad flags.",
    )
    .action(async (flags: TargetFlags & { json?: boolean }) => {
      const target = targetFromFlags(flags, io.env);
      const github = githubAccessFor(io.env, deps);
      const snapshot = await readSnapshot(target, ecsFor(target, io.env, deps), github, io, io.env);
      if (!snapshot) {
        done(1);
        return;
      }
      const listing = buildListing(snapshot, target, (deps.clock ?? realClock).now());
      io.stdout(flags.json ? `${JSON.stringify(listing, null, 2)}\n` : renderListing(listing));
      for (const line of [...target.notes, ...listing.warnings]) io.stderr(`warning: ${line}\n`);
      for (const line of listing.problems) io.stderr(`error: ${line}\n`);
      done(listing.problems.length > 0 ? 1 : 0);
    });
}

export interface ListedInstance {
  readonly instanceId: string;
  readonly instanceName: string;
  readonly status: string;
  readonly locks: readonly string[];
  readonly instanceType: string;
  readonly zoneId: string;
  readonly spotStrategy?: string;
  readonly spotPriceLimit?: number;
  readonly createdAt?: string;
  readonly ageMinutes?: number;
  readonly autoReleaseTime?: string;
  /** AutoReleaseTime - now; negative when overdue; absent without an AutoReleaseTime. */
  readonly ttlLeftMinutes?: number;
  readonly prefix?: string;
  readonly stack?: string;
  readonly arch?: string;
  readonly runId?: string;
  readonly runner: {
    readonly name?: string;
    /** busy | online | offline | missing | unknown */
    readonly state: string;
    readonly why?: string;
    readonly id?: number;
    readonly scope?: string;
  };
}

export interface ListedRunner {
  readonly name: string;
  readonly id: number;
  readonly state: string;
  readonly scope: string;
}

export interface Listing {
  readonly region: string;
  readonly now: string;
  readonly instances: readonly ListedInstance[];
  /** Runners named the way we name them that no instance of ours carries (what `reap` would look at). */
  readonly runnersWithoutInstance: readonly ListedRunner[];
  readonly warnings: readonly string[];
  readonly problems: readonly string[];
}

export function buildListing(snapshot: ReapSnapshot, target: Pick<Target, "prefix" | "stack">, now: number): Listing {
  const instances = snapshot.instances.filter((i) => instanceInScope(i, target)).map((i) => listInstance(i, runnerViewOf(i, snapshot.github), now));
  const carried = new Set(snapshot.instances.map((i) => i.tags[TAG_KEYS.runnerName]).filter(Boolean));
  const runnersWithoutInstance: ListedRunner[] = [];
  const warnings: string[] = [];
  const problems: string[] = [];
  if (!snapshot.github.available) {
    warnings.push(`runner status not checked: ${snapshot.github.reason}`);
  } else {
    for (const listing of snapshot.github.scopes) {
      if (listing.error !== undefined) problems.push(`could not list the runners of ${describeScope(listing.scope)}: ${listing.error}`);
      // A stack filter is about instances; a runner without an instance has no stack to match.
      if (target.stack !== undefined) continue;
      for (const runner of listing.runners ?? []) {
        const parsed = parseRunnerName(runner.name);
        if (!parsed || carried.has(runner.name) || (target.prefix !== undefined && parsed.prefix !== target.prefix)) continue;
        runnersWithoutInstance.push({ name: runner.name, id: runner.id, state: stateOfRunner(runner), scope: describeScope(listing.scope) });
      }
    }
  }
  return { region: snapshot.regionId, now: new Date(now).toISOString(), instances, runnersWithoutInstance, warnings, problems };
}

function listInstance(i: InstanceInfo, runner: RunnerView, now: number): ListedInstance {
  const age = instanceAgeMs(i, now);
  const releaseAt = parseEcsTime(i.autoReleaseTime);
  const tag = (key: string) => i.tags[key] || undefined;
  return {
    instanceId: i.instanceId,
    instanceName: i.instanceName,
    status: i.status,
    locks: i.lockReasons,
    instanceType: i.instanceType,
    zoneId: i.zoneId,
    ...(i.spotStrategy ? { spotStrategy: i.spotStrategy } : {}),
    ...(i.spotPriceLimit ? { spotPriceLimit: i.spotPriceLimit } : {}),
    ...(i.creationTime ? { createdAt: i.creationTime } : {}),
    ...(age !== undefined ? { ageMinutes: Math.floor(age / 60_000) } : {}),
    ...(i.autoReleaseTime ? { autoReleaseTime: i.autoReleaseTime } : {}),
    ...(releaseAt !== undefined ? { ttlLeftMinutes: Math.floor((releaseAt - now) / 60_000) } : {}),
    ...(tag(TAG_KEYS.prefix) ? { prefix: tag(TAG_KEYS.prefix) } : {}),
    ...(tag(TAG_KEYS.stack) ? { stack: tag(TAG_KEYS.stack) } : {}),
    ...(tag(TAG_KEYS.arch) ? { arch: tag(TAG_KEYS.arch) } : {}),
    ...(tag(TAG_KEYS.runId) ? { runId: tag(TAG_KEYS.runId) } : {}),
    runner: {
      ...(runner.name ? { name: runner.name } : {}),
      state: runner.state,
      ...(runner.why ? { why: runner.why } : {}),
      ...(runner.runner ? { id: runner.runner.id } : {}),
      ...(runner.scope ? { scope: describeScope(runner.scope) } : {}),
    },
  };
}

export function renderListing(listing: Listing): string {
  const lines: string[] = [];
  const n = listing.instances.length;
  lines.push(`${n} instance${n === 1 ? "" : "s"} of ours in ${listing.region} at ${listing.now}`);
  if (n > 0) {
    const table = new Table({
      head: ["Instance", "Stack", "Arch", "Type", "Zone", "Spot", "Age", "TTL left", "Status", "Runner"],
      style: { head: [], border: [], compact: true },
    });
    for (const i of listing.instances) {
      table.push([
        i.instanceId,
        i.stack ?? "-",
        i.arch ?? "-",
        i.instanceType,
        i.zoneId,
        spotText(i),
        i.ageMinutes === undefined ? "?" : formatDuration(i.ageMinutes * 60_000),
        ttlText(i.ttlLeftMinutes),
        [i.status, ...i.locks].join(", "),
        describeRunnerState({ state: i.runner.state as RunnerView["state"], ...(i.runner.why ? { why: i.runner.why } : {}) }),
      ]);
    }
    lines.push(table.toString());
  }
  if (listing.runnersWithoutInstance.length > 0) {
    lines.push(`Runners with our names and no instance of ours in ${listing.region}:`);
    for (const r of listing.runnersWithoutInstance) lines.push(`  ${r.name} (${r.scope}): ${r.state}`);
  }
  return `${lines.join("\n")}\n`;
}

function spotText(i: ListedInstance): string {
  if (i.spotStrategy === "SpotAsPriceGo") return "as price-go";
  if (i.spotStrategy === "SpotWithPriceLimit") return i.spotPriceLimit !== undefined ? `limit ${i.spotPriceLimit}` : "with limit";
  return i.spotStrategy ?? "-";
}

function ttlText(minutes: number | undefined): string {
  if (minutes === undefined) return "none";
  return minutes >= 0 ? formatDuration(minutes * 60_000) : `overdue ${formatDuration(-minutes * 60_000)}`;
}
