import type { EcsAdvisorQueries } from "../provider/advisor/types";
import type { EcsRetryNotice, RetryPolicy } from "../provider/aliyun/callEcs";
import type { EcsInstanceApi } from "../provider/aliyun/instances";
import type { RunnerApi } from "../provider/github/runners";
import { Clock, realClock } from "../provider/wait";
import { CliIo, processIo } from "./io";

/**
 * What a command acts on besides its flags: the clients of the cloud and of GitHub, and the clock. One seam for
 * every command: `createCliServices` builds the real ones; tests pass the same services tuned for the emulator
 * (test/support/cli.ts), not a different implementation.
 */
export interface CliServices {
  readonly clock: Clock;
  ecsInstances(regionId: string): EcsInstanceApi;
  advisorQueries(regionId: string): EcsAdvisorQueries;
  runners(): RunnerApi;
}

export interface CliContext extends CliIo {
  readonly services: CliServices;
}

/** Knobs of the real services that only matter against the emulator's manual clock (retries that do not wait). */
export interface ServiceTuning {
  readonly clock?: Clock;
  readonly ecsRetry?: RetryPolicy;
  readonly github?: { readonly retryBaseMs?: number; readonly retries?: number; readonly throttle?: boolean };
}

/**
 * The real clients, built from the environment when a command first asks for one. The SDKs are required here,
 * inside the factories, so that `--help`, a usage error or `summary` never load them (test/cli/startup.test.ts).
 * Every retry is said on stderr: a backoff of a minute must not look like a hang.
 */
export function createCliServices(io: CliIo, tuning: ServiceTuning = {}): CliServices {
  const onRetry = (notice: EcsRetryNotice) => io.stderr(`${retryLine(notice)}\n`);
  return {
    clock: tuning.clock ?? realClock,
    ecsInstances: (regionId) => {
      const { createEcsInstanceApi } = require("../provider/aliyun/instances") as typeof import("../provider/aliyun/instances");
      return createEcsInstanceApi({ regionId, env: io.env, onRetry, ...(tuning.ecsRetry ? { retry: tuning.ecsRetry } : {}) });
    },
    advisorQueries: (regionId) => {
      const { createEcsAdvisorQueries } = require("../provider/advisor/ecsQueries") as typeof import("../provider/advisor/ecsQueries");
      return createEcsAdvisorQueries({ regionId, env: io.env, onRetry, ...(tuning.ecsRetry ? { retry: tuning.ecsRetry } : {}) });
    },
    runners: () => {
      const { createGitHubClient } = require("../provider/github/client") as typeof import("../provider/github/client");
      const { createRunnerApi } = require("../provider/github/runners") as typeof import("../provider/github/runners");
      return createRunnerApi(() => createGitHubClient({
        env: io.env,
        onRetry: (line) => io.stderr(`retrying: ${line}\n`),
        ...tuning.github,
      }));
    },
  };
}

/** "retrying: ECS DescribeInstances failed: ServiceUnavailable: ... (attempt 1; 6 retries left)". */
export function retryLine(notice: EcsRetryNotice): string {
  const left = `${notice.retriesLeft} ${notice.retriesLeft === 1 ? "retry" : "retries"} left`;
  return `retrying: ${notice.error.message.split("\n")[0]} (attempt ${notice.attempt}; ${left})`;
}

export function processContext(): CliContext {
  const io = processIo();
  return { ...io, services: createCliServices(io) };
}
