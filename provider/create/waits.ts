import type { InstanceInfo } from "../aliyun/instances";
import { errorText, InstanceLostError, RunnerNeverOnlineError, RunnerRegistrationLostError } from "../errors";
import { LISTING_GRACE_MS } from "../teardown";
import { waitFor, WaitTimeoutError } from "../wait";
import type { CreateContext } from "./context";

/** The real API may not list an instance for a moment after RunInstances; only after this is "absent" a vanish. */
const VISIBILITY_GRACE_MS = LISTING_GRACE_MS;
/** While waiting for the runner, the instance is checked on every this-many GitHub polls (a reclaim ends the wait). */
const INSTANCE_CHECK_EVERY = 3;

/** Resolves to the Running instance, or undefined when it vanished (accepted, then released for capacity). */
export async function waitRunning(ctx: CreateContext, instanceId: string): Promise<InstanceInfo | undefined> {
  const { clock, ecs } = ctx;
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
      throw new InstanceLostError(instanceId, `${ctx.subject}: instance ${instanceId} went ${instance.status} while booting; ` +
        "it was released. This is usually a reclaim or an image that powers off at boot: check the image, then run `pulumi up` again.");
    }
    return { done: false, observation: instance.status };
  }, { what: `instance ${instanceId} to be Running`, timeoutMs: ctx.inputs.bootTimeoutMinutes * 60_000, intervalMs: ctx.pollMs, clock });
}

/** Waits until GitHub lists the runner online; the instance must stay up meanwhile. */
export async function waitOnline(ctx: CreateContext, instanceId: string, runnerId: number): Promise<void> {
  const { ecs, runners, scope, runnerName } = ctx;
  let polls = 0;
  try {
    await waitFor(async () => {
      const runner = await runners.getRunner(scope, runnerId);
      if (runner?.status === "online") return { done: true, value: undefined };
      if (!runner) {
        throw new RunnerRegistrationLostError(runnerName, `${ctx.subject}: runner ${runnerName} was deleted from GitHub while ` +
          "its instance was starting (by a person or a reaper); the instance was released. Run `pulumi up` again.");
      }
      if (polls++ % INSTANCE_CHECK_EVERY === 0) {
        const [instance] = await ecs.describeInstances({ instanceIds: [instanceId] });
        if (!instance || instance.status !== "Running" || instance.lockReasons.includes("Recycling")) {
          const state = instance ? `${instance.status}${instance.lockReasons.length ? `, ${instance.lockReasons.join(",")}` : ""}` : "released";
          throw new InstanceLostError(instanceId, `${ctx.subject}: instance ${instanceId} stopped being available while its runner ` +
            `was starting (${state}); a spot reclaim is the usual cause. Run \`pulumi up\` again.`);
        }
      }
      return { done: false, observation: `runner ${runner.status}` };
    }, { what: `runner ${runnerName} to come online`, timeoutMs: ctx.inputs.onlineTimeoutMinutes * 60_000,
      intervalMs: ctx.deps.githubPollMs, clock: ctx.clock });
  } catch (err) {
    if (!(err instanceof WaitTimeoutError)) throw err;
    // The boot log is the best explanation there is; if it cannot be read, say why instead.
    const consoleTail = await ecs.consoleOutput(instanceId).then(
      (text) => tail(text, 20),
      (failure: unknown) => `(console output unavailable: ${errorText(failure)})`,
    );
    throw new RunnerNeverOnlineError(runnerName, instanceId, ctx.inputs.onlineTimeoutMinutes, consoleTail);
  }
}

function tail(text: string | undefined, lines: number): string | undefined {
  if (!text) return undefined;
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}
