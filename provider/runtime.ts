import { randomBytes } from "node:crypto";
import { readAliyunCredentials } from "./aliyun/credentials";
import { renderBootstrapScript } from "./bootstrap";
import { readGitHubCredentials } from "./github/credentials";
import { ProviderDeps, SpotRunnerProvider } from "./spotRunnerProvider";
import { realClock } from "./wait";
import type { RunnerImageDeps } from "./image/context";
import { RunnerImageProvider } from "./image/runnerImageProvider";

/*
 * The SDKs (the ECS SDK alone is about 1,150 modules, a second to load) are required on first use, not here:
 * `check` and `diff`, which every preview and every `up` run first, never need them, and Pulumi's plugin host
 * loads this module for each of them.
 */
 
const ecsApi = () => require("./aliyun/instances") as typeof import("./aliyun/instances");
const imageApi = () => require("./aliyun/images") as typeof import("./aliyun/images");
const advisorApi = () => require("./advisor/ecsQueries") as typeof import("./advisor/ecsQueries");
const githubApi = () => ({
  ...(require("./github/client") as typeof import("./github/client")),
  ...(require("./github/runners") as typeof import("./github/runners")),
});
 

/**
 * Production wiring: clients are built from the environment at call time (credentials may be rotated between
 * `up` and `destroy`; nothing is cached). SPOT_RUNNER_POLL_MS sets the poll interval (the demo and the
 * plugin-host tests use a fast emulator).
 *
 * One second for both ECS and GitHub: noticing Running and online at most a second late keeps a create within a
 * few percent of the cloud's own time (npm run bench). A runner that takes a minute to start costs about 60
 * GitHub calls of the token's 5,000 an hour; fifteen creates at once stay under GitHub's 900 requests a minute,
 * and beyond that the throttling plugin waits out GitHub's Retry-After rather than failing.
 */
export function productionDeps(env: NodeJS.ProcessEnv = process.env): ProviderDeps {
  const pollMs = Number(env.SPOT_RUNNER_POLL_MS) > 0 ? Number(env.SPOT_RUNNER_POLL_MS) : 1_000;
  return {
    ecs: (regionId) => ecsApi().createEcsInstanceApi({ regionId, env }),
    advisorQueries: (regionId) => advisorApi().createEcsAdvisorQueries({ regionId, env }),
    runners: () => {
      const github = githubApi();
      return github.createRunnerApi(() => github.createGitHubClient({ env }));
    },
    renderUserData: renderBootstrapScript,
    clock: realClock,
    randomSuffix: () => randomBytes(4).toString("hex"),
    log: (line) => process.stderr.write(`[spot-runner] ${line}\n`),
    requireCredentials: () => {
      readAliyunCredentials(env);
      readGitHubCredentials(env);
    },
    pollMs,
    githubPollMs: pollMs,
    releaseTimeoutMs: 10 * 60_000,
  };
}

/** What the shim loads inside Pulumi's plugin host. */
export const spotRunnerProvider = new SpotRunnerProvider(productionDeps());

/** RunnerImage's provider, loaded by its shim (provider/image/shim.ts) the same way. */
export const runnerImageProvider = new RunnerImageProvider(imageDeps());

function imageDeps(env: NodeJS.ProcessEnv = process.env): RunnerImageDeps {
  const deps = productionDeps(env);
  return {
    ecs: deps.ecs,
    images: (regionId) => imageApi().createEcsImageApi({ regionId, env }),
    advisorQueries: deps.advisorQueries,
    clock: deps.clock,
    randomSuffix: deps.randomSuffix,
    log: (line) => process.stderr.write(`[spot-runner image] ${line}\n`),
    requireCredentials: () => readAliyunCredentials(env),
    pollMs: deps.pollMs,
    releaseTimeoutMs: deps.releaseTimeoutMs,
  };
}
