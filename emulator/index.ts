import type { Scenario } from "./scenario/types";
import { buildCnHangzhouScenario } from "./scenario/cnHangzhou";
import { loadScenarioFile, validateScenario } from "./scenario/validate";
import { createAdmin, EmulatorAdmin } from "./admin/admin";
import { manualClock, realClock } from "./clock";
import { DEFAULT_START_TIME, EmulatorCore } from "./core";
import { GITHUB_API_PREFIX } from "./github/handler";
import { EmulatorServer } from "./server";
import { ADMIN_PREFIX } from "./admin/handler";
import type { EmulatedOidcProvider, EmulatedRole } from "./sts/registry";

export type {
  EmulatorAdmin,
  EmulatorState,
  FaultSummary,
  ImageSummary,
  InstanceSummary,
  InterruptionRateUpdate,
  NetworkSummary,
  PriceUpdate,
  ReclaimSummary,
  RunnerSummary,
  RunnerUpdate,
  StockSummary,
  StockUpdate,
} from "./admin/admin";
export type { CallLogEntry } from "./callLog";
export type { FaultSpec, FaultEffect } from "./faults";
export type { Scenario } from "./scenario/types";
export type { EmulatedOidcProvider, EmulatedRole } from "./sts/registry";
export { EmulatedGithubOidcIssuer, GITHUB_ACTIONS_ISSUER } from "./sts/githubIssuer";

export interface StartEmulatorOptions {
  /** A scenario object, or the path of a JSON scenario file. Default: the bundled cn-hangzhou scenario. */
  scenario?: Scenario | string;
  /** Default 0 (an ephemeral port). The emulator always binds 127.0.0.1. */
  port?: number;
  /** Default "real". "manual" starts at scenario.startTime (default 2026-01-01T00:00:00Z) and moves only on advance(). */
  clock?: "real" | "manual";
}

export interface RunningEmulator {
  /** "http://127.0.0.1:PORT" (ECS RPC at "/"). */
  readonly ecsEndpoint: string;
  /** "http://127.0.0.1:PORT" too: STS RPC (AssumeRoleWithOIDC), told apart from ECS by its API version. */
  readonly stsEndpoint: string;
  /**
   * The RAM side of keyless CI: register OIDC identity providers and roles (with their trust and permission
   * policies); AssumeRoleWithOIDC then issues temporary credentials that ECS authenticates and authorizes with the
   * role's policies. Kept across reset() and scenario replacement, like an account's RAM configuration.
   */
  readonly sts: { addOidcProvider(provider: EmulatedOidcProvider): void; addRole(role: EmulatedRole): void };
  /** "http://127.0.0.1:PORT/api/v3" (GitHub REST, GHES-style prefix, same port). */
  readonly githubApiUrl: string;
  /** "http://127.0.0.1:PORT/_emulator": the admin API over HTTP (state, faults, clock, ...), same port. */
  readonly adminUrl: string;
  /** The scenario's first access key. */
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  /** The scenario's first GitHub token. */
  readonly githubToken: string;
  /** ALIBABA_CLOUD_ECS_ENDPOINT, ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET, GITHUB_API_URL, GITHUB_TOKEN. */
  readonly env: Readonly<Record<string, string>>;
  /** advance() throws on the real clock. */
  readonly clock: { now(): number; advance(ms: number): void };
  readonly admin: EmulatorAdmin;
  /** Closes the server and every open socket. */
  close(): Promise<void>;
}

/** Starts the emulator on 127.0.0.1 and resolves once it accepts connections. */
export async function startEmulator(options: StartEmulatorOptions = {}): Promise<RunningEmulator> {
  const scenario = resolveScenario(options.scenario);
  const clock = options.clock === "manual" ? manualClock(Date.parse(scenario.startTime ?? DEFAULT_START_TIME)) : realClock();
  const server = new EmulatorServer();
  const port = await server.listen(options.port ?? 0);
  const ecsEndpoint = `http://127.0.0.1:${port}`;
  const githubApiUrl = `${ecsEndpoint}${GITHUB_API_PREFIX}`;
  const core = new EmulatorCore(scenario, clock, githubApiUrl);
  const admin = createAdmin(core);
  server.attach(core, admin, githubApiUrl);

  const firstKey = () => core.scenario.accessKeys[0];
  const firstToken = () => core.scenario.github.tokens[0]?.token ?? "";
  return {
    ecsEndpoint,
    stsEndpoint: ecsEndpoint,
    sts: {
      addOidcProvider: (provider) => core.sts.addOidcProvider(provider),
      addRole: (role) => core.sts.addRole(role),
    },
    githubApiUrl,
    adminUrl: `${ecsEndpoint}${ADMIN_PREFIX.replace(/\/$/, "")}`,
    get accessKeyId() {
      return firstKey()?.accessKeyId ?? "";
    },
    get accessKeySecret() {
      return firstKey()?.accessKeySecret ?? "";
    },
    get githubToken() {
      return firstToken();
    },
    get env() {
      return {
        ALIBABA_CLOUD_ECS_ENDPOINT: ecsEndpoint,
        ALIBABA_CLOUD_ACCESS_KEY_ID: firstKey()?.accessKeyId ?? "",
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: firstKey()?.accessKeySecret ?? "",
        GITHUB_API_URL: githubApiUrl,
        GITHUB_TOKEN: firstToken(),
      };
    },
    clock: { now: () => clock.now(), advance: (ms: number) => clock.advance(ms) },
    admin,
    close: () => server.close(),
  };
}

function resolveScenario(scenario: Scenario | string | undefined): Scenario {
  if (scenario === undefined) return buildCnHangzhouScenario();
  if (typeof scenario === "string") return loadScenarioFile(scenario);
  return validateScenario(scenario);
}
