import { stackRunnerLabel } from "../contract/names";
import { GitHubApiError } from "../errors";
import type { JitRunner } from "../github/runners";
import type { CreateContext } from "./context";

/** Registrations tried before giving up; each after removing what a lost answer left. */
const MAX_REGISTRATIONS = 3;

/**
 * Registers the just-in-time runner, recovering a lost answer. GitHub may register the runner and the answer
 * never arrive (a dropped connection, a 5xx from a proxy after the work was done); Octokit's retry then meets
 * 409 "already exists", and the JIT config, which GitHub returns only once, is lost with the first answer.
 * The name is unique to this create, so a runner of that name is ours: remove it and register again.
 */
export async function registerRunner(ctx: CreateContext): Promise<JitRunner> {
  const { runners, scope, runnerName, inputs } = ctx;
  // The unique label (what the job asks for), the stack's (what the stop job's sweep finds it by), the user's.
  const labels = [runnerName, ...(inputs.stackName ? [stackRunnerLabel(inputs.stackName)] : []), ...inputs.labels];
  const request = { name: runnerName, labels, runnerGroupId: inputs.runnerGroupId };
  for (let attempt = 1; ; attempt++) {
    try {
      const jit = await runners.generateJitConfig(scope, request);
      ctx.made.runnerId = jit.runnerId;
      ctx.log(`registered just-in-time runner ${runnerName} (id ${jit.runnerId})`);
      return jit;
    } catch (err) {
      if (!(err instanceof GitHubApiError && (err.kind === "unavailable" || err.kind === "conflict"))) throw err;
      const left = await runners.findRunnerByName(scope, runnerName);
      if (!left) {
        // A conflict about a runner we cannot see is not ours to resolve.
        if (err.kind === "conflict" || attempt >= MAX_REGISTRATIONS) throw err;
        continue;
      }
      ctx.log(`the registration of ${runnerName} happened but its answer was lost; removing runner ${left.id} and registering again`);
      await runners.deleteRunner(scope, left.id);
      if (attempt >= MAX_REGISTRATIONS) throw err;
    }
  }
}
