import { randomBytes } from "node:crypto";
import { createEcsAdvisorQueries } from "./advisor";
import { readAliyunCredentials } from "./aliyun/credentials";
import { createEcsInstanceApi } from "./aliyun/instances";
import { renderBootstrapScript } from "./bootstrap";
import { createGitHubClient, githubAuthFromEnv } from "./github/client";
import { createRunnerApi } from "./github/runners";
import { ProviderDeps, SpotRunnerProvider } from "./spotRunnerProvider";
import { realClock } from "./wait";

/**
 * Production wiring: clients are built from the environment at call time (credentials may be rotated between
 * `up` and `destroy`; nothing is cached). SPOT_RUNNER_POLL_MS sets the ECS poll interval (the demo and the
 * plugin-host tests use a fast emulator); GitHub is polled at twice that.
 */
export function productionDeps(env: NodeJS.ProcessEnv = process.env): ProviderDeps {
  const pollMs = Number(env.SPOT_RUNNER_POLL_MS) > 0 ? Number(env.SPOT_RUNNER_POLL_MS) : 1_000;
  return {
    ecs: (regionId) => createEcsInstanceApi({ regionId, env }),
    advisorQueries: (regionId) => createEcsAdvisorQueries({ regionId, env }),
    runners: () => createRunnerApi(() => createGitHubClient({ env })),
    renderUserData: renderBootstrapScript,
    clock: realClock,
    randomSuffix: () => randomBytes(4).toString("hex"),
    log: (line) => process.stderr.write(`[spot-runner] ${line}\n`),
    requireCredentials: () => {
      readAliyunCredentials(env);
      githubAuthFromEnv(env);
    },
    pollMs,
    githubPollMs: 2 * pollMs,
    releaseTimeoutMs: 10 * 60_000,
  };
}

/** What the shim loads inside Pulumi's plugin host. */
export const spotRunnerProvider = new SpotRunnerProvider(productionDeps());
