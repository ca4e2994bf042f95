import type * as pulumi from "@pulumi/pulumi";
import type { CreateContext, ProviderDeps } from "./create/context";
import { createRunner } from "./create/createRunner";
import { InvalidInputError, ReleaseNotVerifiedError } from "./errors";
import type { GitHubScope } from "./github/runners";
import { checkInputs, INPUT_KEYS, SpotRunnerInputs } from "./contract/inputs";
import { runnerNameFor } from "./naming";
import { tearDown, TeardownContext } from "./teardown";

export type { ProviderDeps } from "./create/context";
export type { SpotRunnerOutputs } from "./create/createRunner";

type Props = Record<string, unknown>;
const SUBJECT = "SpotRunner";

/**
 * The dynamic provider: Pulumi's entry points, each a thin shell. create is in create/, release and runner
 * removal (shared by delete and a failed create's cleanup) in teardown.ts.
 */
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
    const runnerName = runnerNameFor(inputs.namePrefix, inputs.arch, this.deps.clock.now(), this.deps.randomSuffix());
    const ctx: CreateContext = {
      ...this.teardownContext(inputs.region, scopeOf(inputs), `${SUBJECT} ${runnerName}`),
      inputs,
      deps: this.deps,
      runnerName,
      made: { instanceIds: [] },
      attempts: [],
    };
    const outputs = await createRunner(ctx, raw);
    return { id: outputs.instanceId, outs: { ...inputs, ...outputs } };
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
    const runnerName = typeof props.runnerName === "string" ? props.runnerName : undefined;
    const ctx = this.teardownContext(String(props.region), scopeOf(props as unknown as SpotRunnerInputs), `${SUBJECT} ${runnerName ?? id}`);
    const instanceIds = [id, props.instanceId].filter((v): v is string => typeof v === "string" && v.startsWith("i-"));
    const failures = await tearDown(ctx, {
      instanceIds, runnerId: numberOrUndefined(props.runnerId), runnerName, ...(runnerName ? { tagSearch: { runnerName } } : {}),
    });
    if (failures.length > 0) {
      throw new ReleaseNotVerifiedError(`${ctx.subject}: delete could not finish: ${failures.map((f) => f.reason).join("; ")}. ` +
        "The resource stays in state: run `pulumi destroy` again (the instance's AutoReleaseTime releases it regardless).",
      { cause: failures[0].error });
    }
  }

  private teardownContext(region: string, scope: GitHubScope, subject: string): TeardownContext {
    const { deps } = this;
    return {
      ecs: deps.ecs(region), runners: deps.runners(), scope, clock: deps.clock, log: deps.log,
      pollMs: deps.pollMs, releaseTimeoutMs: deps.releaseTimeoutMs, subject,
    };
  }
}

export function scopeOf(inputs: Pick<SpotRunnerInputs, "githubRepository" | "githubOrganization">): GitHubScope {
  if (inputs.githubRepository) {
    const [owner, repo] = inputs.githubRepository.split("/");
    return { kind: "repo", owner, repo };
  }
  if (inputs.githubOrganization) return { kind: "org", org: inputs.githubOrganization };
  throw new InvalidInputError([{ property: "githubRepository", reason: "neither githubRepository nor githubOrganization is set" }], SUBJECT);
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

