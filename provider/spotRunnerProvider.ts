import type * as pulumi from "@pulumi/pulumi";
import { advise, AdvisorDeps, Arch, NoSpotCapacityError } from "./advisor";
import type { EcsAdvisorQueries } from "./advisor";
import { AliyunApiError, describeAttempts, GitHubApiError, ImageUnusableError, InvalidInputError, LaunchAttempt,
  NoInstanceLaunchedError, PartialCreateError, ReleaseNotVerifiedError, RunnerNeverOnlineError } from "./errors";
import { EcsInstanceApi, InstanceInfo } from "./aliyun/instances";
import { GitHubScope, RunnerApi } from "./github/runners";
import { BootstrapInput } from "./bootstrap";
import { checkInputs, INPUT_KEYS, SpotRunnerInputs } from "./inputs";
import { LaunchCandidate, planLaunches } from "./launchPlan";
import { autoReleaseTimeFor, clientTokenFor, instanceNameFor, runnerNameFor } from "./naming";
import { MANAGED_BY_VALUE, TAG_KEYS } from "./tags";
import { Clock, waitFor, WaitTimeoutError } from "./wait";

/** What the provider needs from the outside world; production wiring is in runtime.ts, tests inject their own. */
export interface ProviderDeps {
  readonly ecs: (regionId: string) => EcsInstanceApi;
  readonly advisorQueries: (regionId: string) => EcsAdvisorQueries;
  readonly runners: () => RunnerApi;
  readonly renderUserData: (input: BootstrapInput) => string;
  readonly clock: Clock;
  /** Random characters for runner names (unique per create). */
  readonly randomSuffix: () => string;
  /** Progress lines (never secrets). */
  readonly log: (line: string) => void;
  /** Throws MissingEnvironmentError naming the variable when credentials are absent: before any API call. */
  readonly requireCredentials: () => void;
  /** First poll interval of every wait; grows to maxPollMs. */
  readonly pollMs: number;
  readonly maxPollMs: number;
  /** How long a release may take before delete gives up (the resource then stays in state). */
  readonly releaseTimeoutMs: number;
}

/** Outputs beyond the inputs (outs = inputs + these, so delete and read have everything they need). */
export interface SpotRunnerOutputs {
  /** Bumped when the shape of outputs changes; delete and read must handle every earlier version. */
  readonly schemaVersion: 1;
  readonly instanceId: string;
  readonly instanceName: string;
  readonly instanceType: string;
  readonly zoneId: string;
  readonly vSwitchId: string;
  readonly cpuCount: number;
  readonly memoryGiB: number;
  /** Latest observed spot price before launch (currency per hour); 0 when the zone had no price row. */
  readonly spotPrice: number;
  /** The SpotWithPriceLimit ceiling; absent with SpotAsPriceGo. */
  readonly priceLimit?: number;
  /** What an hour is expected to cost: the spot price, or the limit when no price was observed. */
  readonly hourlyCost: number;
  readonly currency: string;
  readonly runnerName: string;
  readonly runnerId: number;
  /** The unique label for `runs-on`. */
  readonly label: string;
  readonly autoReleaseTime: string;
  readonly launchedAt: string;
  readonly attempts: readonly LaunchAttempt[];
}

type Props = Record<string, unknown>;
const SUBJECT = "SpotRunner";
/** The real API may not list an instance for a moment after RunInstances; only after this is "absent" a vanish. */
const VISIBILITY_GRACE_MS = 60_000;

export class SpotRunnerProvider implements pulumi.dynamic.ResourceProvider {
  constructor(private readonly deps: ProviderDeps) {}

  async check(_olds: Props, news: Props): Promise<pulumi.dynamic.CheckResult> {
    // During preview, values from other stacks may still be unknown; they are checked again at `up`.
    if (containsUnknown(news)) return { inputs: news };
    const { inputs, failures } = checkInputs(news);
    return failures.length > 0 ? { inputs: news, failures } : { inputs: { ...inputs } };
  }

  async diff(_id: string, olds: Props, news: Props): Promise<pulumi.dynamic.DiffResult> {
    // A runner is single-use: any input change means a new runner. Code-only changes (__provider) change nothing.
    const changed = INPUT_KEYS.filter((key) => JSON.stringify(olds[key]) !== JSON.stringify(news[key]));
    return changed.length === 0
      ? { changes: false }
      : { changes: true, replaces: [...changed], deleteBeforeReplace: true };
  }

  /** Never reached (diff replaces on any change); kept so an unexpected update cannot lose outputs. */
  async update(_id: string, olds: Props, news: Props): Promise<pulumi.dynamic.UpdateResult> {
    return { outs: { ...olds, ...news } };
  }

  async create(raw: Props): Promise<pulumi.dynamic.CreateResult> {
    const { inputs, failures } = checkInputs(raw);
    if (!inputs) throw new InvalidInputError(failures, SUBJECT);
    this.deps.requireCredentials();
    const { clock, log } = this.deps;
    const ecs = this.deps.ecs(inputs.region);
    const runners = this.deps.runners();
    const scope = scopeOf(inputs);

    await this.checkImage(ecs, inputs);
    log(`asking the advisor for ${inputs.arch} spot capacity in ${inputs.region}`);
    const advisorDeps: AdvisorDeps = { queries: this.deps.advisorQueries(inputs.region), now: () => clock.now() };
    const advice = await advise(adviceRequestOf(inputs), advisorDeps);
    if (advice.candidates.length === 0) throw new NoSpotCapacityError(advice);
    const plan = planLaunches(advice, {
      vSwitchIds: inputs.vSwitchIds, fallbackZones: inputs.fallbackZones, maxAttempts: inputs.maxLaunchAttempts,
    });
    log(`launch plan: ${plan.map((c) => `${c.instanceTypeId}@${c.zoneId}`).join(", ")}`);

    const runnerName = runnerNameFor(inputs.namePrefix, inputs.arch, clock.now(), this.deps.randomSuffix());
    const jit = await runners.generateJitConfig(scope, {
      name: runnerName, labels: [runnerName, ...inputs.labels], runnerGroupId: inputs.runnerGroupId,
    });
    log(`registered just-in-time runner ${runnerName} (id ${jit.runnerId})`);

    // From here on something exists; every failure goes through cleanup.
    const attempts: LaunchAttempt[] = [];
    /** Every instance id RunInstances returned, recorded before any wait, so cleanup never misses one. */
    const launchedIds: string[] = [];
    try {
      const launched = await this.launchFirstAvailable(ecs, inputs, plan, runnerName, jit.encodedJitConfig, attempts, launchedIds, advice.currency);
      const instanceId = launched.instance.instanceId;
      await this.waitOnline(ecs, runners, scope, inputs, instanceId, runnerName, jit.runnerId);
      const { candidate, instance, autoReleaseTime, launchedAt } = launched;
      const priceLimit = inputs.spotStrategy === "SpotWithPriceLimit" ? candidate.priceLimit : undefined;
      const outputs: SpotRunnerOutputs = {
        schemaVersion: 1,
        instanceId,
        instanceName: instance.instanceName,
        instanceType: candidate.instanceTypeId,
        zoneId: candidate.zoneId,
        vSwitchId: candidate.vSwitchId,
        cpuCount: candidate.cpuCoreCount,
        memoryGiB: candidate.memorySize,
        spotPrice: candidate.spotPrice ?? 0,
        ...(priceLimit !== undefined ? { priceLimit } : {}),
        hourlyCost: candidate.spotPrice ?? priceLimit ?? candidate.originPrice,
        currency: advice.currency,
        runnerName,
        runnerId: jit.runnerId,
        label: runnerName,
        autoReleaseTime,
        launchedAt,
        attempts,
      };
      log(`runner ${runnerName} is online on ${instanceId} (${candidate.instanceTypeId} in ${candidate.zoneId})`);
      return { id: instanceId, outs: { ...inputs, ...outputs } };
    } catch (err) {
      await this.cleanUpFailedCreate(raw, inputs, ecs, runners, scope, runnerName, jit.runnerId, launchedIds, attempts, err);
      throw err;
    }
  }

  async read(id: string, props: Props): Promise<pulumi.dynamic.ReadResult> {
    this.deps.requireCredentials();
    const ecs = this.deps.ecs(String(props.region));
    const [instance] = await ecs.describeInstances({ instanceIds: [id] });
    // Gone (released, reclaimed or expired): an empty id drops the resource from state on refresh.
    if (!instance) return { id: "", props: {} };
    return { id, props: { ...props, instanceStatus: instance.status, lockReasons: [...instance.lockReasons] } };
  }

  async delete(id: string, props: Props): Promise<void> {
    this.deps.requireCredentials();
    const region = String(props.region);
    const ecs = this.deps.ecs(region);
    const runnerName = typeof props.runnerName === "string" ? props.runnerName : undefined;
    const known = [id, props.instanceId].filter((v): v is string => typeof v === "string" && v.startsWith("i-"));
    await this.releaseInstances(ecs, known, runnerName);
    const scope = scopeOf(props as unknown as SpotRunnerInputs);
    await this.removeRunner(this.deps.runners(), scope, numberOrUndefined(props.runnerId), runnerName);
  }

  private async checkImage(ecs: EcsInstanceApi, inputs: SpotRunnerInputs): Promise<void> {
    const image = await ecs.describeImage(inputs.imageId);
    if (!image) {
      throw new ImageUnusableError(inputs.imageId,
        `${SUBJECT}: image ${inputs.imageId} does not exist in ${inputs.region}; list images with ` +
          `\`aliyun ecs DescribeImages --RegionId ${inputs.region} --ImageOwnerAlias system\` and set imageId.`);
    }
    const imageArch: Arch | undefined = /arm|aarch/i.test(image.architecture) ? "arm64"
      : /x86|amd64|i386/i.test(image.architecture) ? "amd64" : undefined;
    if (imageArch && imageArch !== inputs.arch) {
      throw new ImageUnusableError(inputs.imageId,
        `${SUBJECT}: image ${inputs.imageId} is ${image.architecture} but the runner is ${inputs.arch}; use an ` +
          `${inputs.arch === "arm64" ? "arm64" : "x86_64"} image.`);
    }
  }

  /**
   * Walks the plan: capacity, price and per-type failures move to the next candidate (so does an instance that
   * is accepted and then vanishes); anything else stops the walk. Returns the first instance that is Running.
   */
  private async launchFirstAvailable(
    ecs: EcsInstanceApi, inputs: SpotRunnerInputs, plan: readonly LaunchCandidate[], runnerName: string,
    jitConfig: string, attempts: LaunchAttempt[], launchedIds: string[], currency: string,
  ): Promise<{ candidate: LaunchCandidate; instance: InstanceInfo; autoReleaseTime: string; launchedAt: string }> {
    const { clock, log } = this.deps;
    for (const [index, candidate] of plan.entries()) {
      const now = clock.now();
      const autoReleaseTime = autoReleaseTimeFor(now, inputs.ttlMinutes);
      const instanceName = instanceNameFor(inputs.namePrefix, inputs.arch, now);
      const priceLimit = inputs.spotStrategy === "SpotWithPriceLimit" ? candidate.priceLimit : undefined;
      const userData = this.deps.renderUserData({
        arch: inputs.arch,
        jitConfig,
        runnerName,
        jobLabel: runnerName,
        setupInfo: {
          instanceType: candidate.instanceTypeId, zoneId: candidate.zoneId, regionId: inputs.region,
          spotPrice: candidate.spotPrice ?? 0, ...(priceLimit !== undefined ? { priceLimit } : {}), currency,
          autoReleaseTime, instanceName,
        },
        idleTimeoutMinutes: inputs.idleTimeoutMinutes,
        // Power off a few minutes before the cloud-side release so the job log says why.
        maxRuntimeMinutes: Math.max(inputs.ttlMinutes - 5, inputs.idleTimeoutMinutes + 1),
        runner: {
          ...(inputs.runnerVersion ? { version: inputs.runnerVersion, sha256: inputs.runnerSha256 } : {}),
          ...(inputs.runnerDownloadUrl ? { downloadBaseUrl: inputs.runnerDownloadUrl } : {}),
        },
        ...(inputs.httpProxy || inputs.httpsProxy
          ? { proxy: { http: inputs.httpProxy, https: inputs.httpsProxy, noProxy: inputs.noProxy } }
          : {}),
      });
      let instanceId: string;
      try {
        log(`launching ${candidate.instanceTypeId} in ${candidate.zoneId} (${candidate.source}` +
          `${priceLimit !== undefined ? `, limit ${priceLimit}` : ""})`);
        instanceId = await ecs.runSpotInstance({
          zoneId: candidate.zoneId,
          vSwitchId: candidate.vSwitchId,
          securityGroupId: inputs.securityGroupId,
          imageId: inputs.imageId,
          instanceType: candidate.instanceTypeId,
          instanceName,
          hostName: runnerName,
          spotStrategy: inputs.spotStrategy,
          ...(priceLimit !== undefined ? { spotPriceLimit: priceLimit } : {}),
          spotDuration: inputs.spotDuration,
          internetMaxBandwidthOut: inputs.internetMaxBandwidthOut,
          systemDisk: { category: inputs.systemDiskCategory, sizeGiB: inputs.systemDiskSizeGiB },
          userDataBase64: Buffer.from(userData, "utf8").toString("base64"),
          clientToken: clientTokenFor(runnerName, index),
          autoReleaseTime,
          tags: tagsFor(inputs, runnerName),
        });
      } catch (err) {
        if (err instanceof AliyunApiError && (err.kind === "capacity" || err.kind === "price" || err.kind === "candidate")) {
          attempts.push({ ...attemptOf(candidate), outcome: err.kind, code: err.code });
          log(`  ${err.code}; next candidate`);
          continue;
        }
        throw err;
      }
      launchedIds.push(instanceId);
      const instance = await this.waitRunning(ecs, inputs, instanceId);
      if (!instance) {
        attempts.push({ ...attemptOf(candidate), outcome: "vanished", code: "SystemFailure.Delete", instanceId });
        log(`  ${instanceId} was accepted and then vanished (no capacity); next candidate`);
        continue;
      }
      log(`  ${instanceId} is Running; waiting for the runner to come online`);
      attempts.push({ ...attemptOf(candidate), outcome: "launched", instanceId });
      return { candidate, instance, autoReleaseTime, launchedAt: new Date(now).toISOString() };
    }
    throw new NoInstanceLaunchedError(`${SUBJECT} ${inputs.arch} in ${inputs.region}`, attempts);
  }

  /** Resolves to the Running instance, or undefined when it vanished (accepted, then released for capacity). */
  private async waitRunning(ecs: EcsInstanceApi, inputs: SpotRunnerInputs, instanceId: string): Promise<InstanceInfo | undefined> {
    const { clock } = this.deps;
    const started = clock.now();
    let seen = false;
    return waitFor<InstanceInfo | undefined>(async () => {
      const [instance] = await ecs.describeInstances({ instanceIds: [instanceId] });
      if (!instance) {
        if (seen || clock.now() - started >= VISIBILITY_GRACE_MS) return { done: true, value: undefined };
        return { done: false, observation: "not listed yet" };
      }
      seen = true;
      if (instance.status === "Running") return { done: true, value: instance };
      if (instance.status === "Stopping" || instance.status === "Stopped") {
        throw new Error(`${SUBJECT}: instance ${instanceId} went ${instance.status} while booting`);
      }
      return { done: false, observation: instance.status };
    }, { what: `instance ${instanceId} to be Running`, timeoutMs: inputs.bootTimeoutMinutes * 60_000,
      initialIntervalMs: this.deps.pollMs, maxIntervalMs: this.deps.maxPollMs, clock });
  }

  private async waitOnline(
    ecs: EcsInstanceApi, runners: RunnerApi, scope: GitHubScope, inputs: SpotRunnerInputs, instanceId: string,
    runnerName: string, runnerId: number,
  ): Promise<void> {
    try {
      await waitFor(async () => {
        const runner = await runners.getRunner(scope, runnerId);
        if (runner?.status === "online") return { done: true, value: undefined };
        if (!runner) throw new Error(`${SUBJECT}: runner ${runnerName} was deleted from GitHub while starting`);
        const [instance] = await ecs.describeInstances({ instanceIds: [instanceId] });
        if (!instance || instance.status !== "Running" || instance.lockReasons.includes("Recycling")) {
          throw new Error(`${SUBJECT}: instance ${instanceId} stopped being available while its runner was starting ` +
            `(${instance ? `${instance.status}${instance.lockReasons.length ? `, ${instance.lockReasons.join(",")}` : ""}` : "released"})`);
        }
        return { done: false, observation: `runner ${runner.status}` };
      }, { what: `runner ${runnerName} to come online`, timeoutMs: inputs.onlineTimeoutMinutes * 60_000,
        initialIntervalMs: this.deps.pollMs, maxIntervalMs: this.deps.maxPollMs, clock: this.deps.clock });
    } catch (err) {
      if (!(err instanceof WaitTimeoutError)) throw err;
      // The boot log is the best explanation there is; if it cannot be read, say why instead.
      const consoleTail = await ecs.consoleOutput(instanceId).then(
        (text) => tail(text, 20),
        (err: unknown) => `(console output unavailable: ${errorText(err)})`,
      );
      throw new RunnerNeverOnlineError(runnerName, instanceId, inputs.onlineTimeoutMinutes, consoleTail);
    }
  }

  /**
   * Releases everything a failed create made, found by id and by the runner's tag (which also finds an instance
   * whose RunInstances answer was lost), then removes the runner. If that cannot be verified, the error carries
   * the id so Pulumi keeps a partially created resource and `destroy` retries.
   */
  private async cleanUpFailedCreate(
    raw: Props, inputs: SpotRunnerInputs, ecs: EcsInstanceApi, runners: RunnerApi, scope: GitHubScope,
    runnerName: string, runnerId: number, launchedIds: readonly string[], attempts: LaunchAttempt[], cause: unknown,
  ): Promise<void> {
    this.deps.log(`create failed (${errorText(cause)}); releasing what was made`);
    const known = [...launchedIds];
    const reasons: string[] = [];
    try {
      await this.releaseInstances(ecs, known, runnerName);
    } catch (err) {
      reasons.push(`instance release not verified: ${errorText(err)}`);
    }
    try {
      await this.removeRunner(runners, scope, runnerId, runnerName);
    } catch (err) {
      reasons.push(`runner removal not verified: ${errorText(err)}`);
    }
    if (reasons.length === 0) {
      this.deps.log("nothing was left behind");
      return;
    }
    const instanceId = known[known.length - 1];
    const id = instanceId ?? `runner-${runnerName}`;
    throw new PartialCreateError(
      `${SUBJECT}: create failed (${errorText(cause)}) and cleanup could not be verified (${reasons.join("; ")}). ` +
        `The resource is kept in state as ${id}: run \`pulumi destroy\` to release it.` +
        (attempts.length ? ` Attempts: ${describeAttempts(attempts)}.` : ""),
      id,
      { ...raw, ...inputs, __provider: raw.__provider, instanceId: instanceId ?? "", runnerName, runnerId },
      [errorText(cause), ...reasons],
    );
  }

  /**
   * Force-releases the instances (by id, and every instance tagged with the runner's name) and waits until
   * DescribeInstances no longer lists them: Stopped is not gone. "Not found" counts only once the listing agrees.
   */
  private async releaseInstances(ecs: EcsInstanceApi, knownIds: readonly string[], runnerName?: string): Promise<void> {
    const ids = new Set(knownIds);
    if (runnerName) {
      for (const i of await ecs.describeInstances({ tags: { [TAG_KEYS.runnerName]: runnerName } })) ids.add(i.instanceId);
    }
    if (ids.size === 0) return;
    const all = [...ids];
    this.deps.log(`releasing ${all.join(", ")}`);
    try {
      await waitFor(async () => {
        const alive = await ecs.describeInstances({ instanceIds: all });
        if (alive.length === 0) return { done: true, value: undefined };
        for (const instance of alive.filter((i) => i.status !== "Stopping")) {
          try {
            await ecs.deleteInstances([instance.instanceId]);
          } catch (err) {
            // Still initializing, or released meanwhile: the next poll decides.
            if (!(err instanceof AliyunApiError && (err.code.startsWith("IncorrectInstanceStatus") || err.kind === "notFound"))) throw err;
          }
        }
        return { done: false, observation: alive.map((i) => `${i.instanceId} ${i.status}`).join(", ") };
      }, { what: `instances ${all.join(", ")} to be released`, timeoutMs: this.deps.releaseTimeoutMs,
        initialIntervalMs: this.deps.pollMs, maxIntervalMs: this.deps.maxPollMs, clock: this.deps.clock });
    } catch (err) {
      if (err instanceof WaitTimeoutError) {
        throw new ReleaseNotVerifiedError(`${SUBJECT}: could not verify the release of ${all.join(", ")}: ${err.message}. ` +
          `The AutoReleaseTime still releases it; run \`pulumi destroy\` again or \`spot-runner reap --yes\`.`);
      }
      throw err;
    }
  }

  private async removeRunner(runners: RunnerApi, scope: GitHubScope, runnerId: number | undefined, runnerName?: string): Promise<void> {
    let id = runnerId;
    if (id === undefined && runnerName) id = (await runners.findRunnerByName(scope, runnerName))?.id;
    if (id === undefined) return;
    const result = await runners.deleteRunner(scope, id);
    this.deps.log(result === "deleted" ? `removed GitHub runner ${runnerName ?? id}` : `GitHub runner ${runnerName ?? id} was already gone`);
  }
}

export function scopeOf(inputs: Pick<SpotRunnerInputs, "githubRepository" | "githubOrganization">): GitHubScope {
  if (inputs.githubRepository) {
    const [owner, repo] = inputs.githubRepository.split("/");
    return { kind: "repo", owner, repo };
  }
  if (inputs.githubOrganization) return { kind: "org", org: inputs.githubOrganization };
  throw new Error(`${SUBJECT}: neither githubRepository nor githubOrganization is set`);
}

export function tagsFor(inputs: SpotRunnerInputs, runnerName: string): Record<string, string> {
  return {
    [TAG_KEYS.managedBy]: MANAGED_BY_VALUE,
    [TAG_KEYS.prefix]: inputs.namePrefix,
    [TAG_KEYS.arch]: inputs.arch,
    [TAG_KEYS.runnerName]: runnerName,
    [TAG_KEYS.label]: runnerName,
    [TAG_KEYS.githubScope]: inputs.githubRepository ?? inputs.githubOrganization ?? "",
    ...(inputs.stackName ? { [TAG_KEYS.stack]: inputs.stackName } : {}),
    ...(inputs.runId ? { [TAG_KEYS.runId]: inputs.runId } : {}),
  };
}

function adviceRequestOf(inputs: SpotRunnerInputs) {
  return {
    regionId: inputs.region,
    arch: inputs.arch,
    minCpu: inputs.minCpu,
    maxCpu: inputs.maxCpu,
    minMemGiB: inputs.minMemoryGiB,
    maxMemGiB: inputs.maxMemoryGiB,
    ratios: inputs.ratios,
    families: inputs.families,
    zones: Object.keys(inputs.vSwitchIds).sort(),
    priceWindowMinutes: inputs.priceWindowMinutes,
    spotDuration: inputs.spotDuration,
    priceLimitFactor: inputs.priceLimitFactor,
  };
}

function attemptOf(c: LaunchCandidate): Pick<LaunchAttempt, "instanceTypeId" | "zoneId" | "source"> {
  return { instanceTypeId: c.instanceTypeId, zoneId: c.zoneId, source: c.source };
}

/** Pulumi's marker for a value not known during preview. */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
function containsUnknown(value: unknown): boolean {
  if (value === UNKNOWN) return true;
  if (Array.isArray(value)) return value.some(containsUnknown);
  if (value && typeof value === "object") return Object.values(value).some(containsUnknown);
  return false;
}

function numberOrUndefined(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

function errorText(err: unknown): string {
  if (err instanceof GitHubApiError || err instanceof AliyunApiError) return err.message;
  return err instanceof Error ? err.message : String(err);
}

function tail(text: string | undefined, lines: number): string | undefined {
  if (!text) return undefined;
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}
