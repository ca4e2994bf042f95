import { randomBytes } from "node:crypto";

export type RunnerScope = { readonly kind: "repo"; readonly name: string } | { readonly kind: "org"; readonly name: string };

export interface RunnerLabel {
  readonly id: number;
  readonly name: string;
  readonly type: "read-only" | "custom";
}

/** A self-hosted runner registered through generate-jitconfig. */
export interface RunnerRecord {
  readonly id: number;
  readonly name: string;
  readonly scope: RunnerScope;
  readonly runnerGroupId: number;
  readonly requestedLabels: readonly string[];
  readonly workFolder: string;
  /** Set when an instance boots with this runner's JIT config. */
  registeredBy?: string;
  busyOverride?: boolean;
  statusOverride?: "online" | "offline";
}

/** A JIT config the emulator handed out: single use, and remembered after its runner is deleted. */
export interface IssuedJitConfig {
  readonly config: string;
  readonly runnerId: number;
  readonly runnerName: string;
  usedBy?: string;
}

/** GitHub's default labels, added as read-only when a runner connects (and recognised in requests). */
const DEFAULT_LABELS = ["self-hosted", "Linux", "Windows", "macOS", "X64", "ARM64", "ARM", "X86"];

/**
 * The GitHub side's state: runners per repository or organization, the JIT configs issued for them, stable label
 * ids, and the installation access tokens issued to GitHub Apps (here so that they go when the world is rebuilt
 * on reset, like everything else the emulator handed out). Routing, auth and status codes live in github/.
 */
export class RunnerStore {
  readonly installationTokens = new InstallationTokenStore();
  private readonly runners = new Map<number, RunnerRecord>();
  private readonly issued = new Map<string, IssuedJitConfig>();
  private readonly labelIds = new Map<string, number>();
  private nextRunnerId = 1;

  constructor(private readonly serverUrl: string) {}

  list(scope: RunnerScope): RunnerRecord[] {
    return [...this.runners.values()].filter((r) => sameScope(r.scope, scope)).sort((a, b) => a.id - b.id);
  }

  all(): RunnerRecord[] {
    return [...this.runners.values()].sort((a, b) => a.id - b.id);
  }

  get(id: number): RunnerRecord | undefined {
    return this.runners.get(id);
  }

  findByName(scope: RunnerScope, name: string): RunnerRecord | undefined {
    return this.list(scope).find((r) => r.name === name);
  }

  create(scope: RunnerScope, request: { name: string; runnerGroupId: number; labels: readonly string[]; workFolder: string }): {
    runner: RunnerRecord;
    encodedJitConfig: string;
  } {
    const runner: RunnerRecord = {
      id: this.nextRunnerId++,
      name: request.name,
      scope,
      runnerGroupId: request.runnerGroupId,
      requestedLabels: [...request.labels],
      workFolder: request.workFolder,
    };
    this.runners.set(runner.id, runner);
    const encodedJitConfig = this.encodeJitConfig(runner);
    this.issued.set(encodedJitConfig, { config: encodedJitConfig, runnerId: runner.id, runnerName: runner.name });
    return { runner, encodedJitConfig };
  }

  delete(id: number): void {
    this.runners.delete(id);
  }

  /** The issued JIT config that `text` (decoded user data) contains verbatim, if any. */
  findJitConfigIn(text: string): IssuedJitConfig | undefined {
    for (const issued of this.issued.values()) if (text.includes(issued.config)) return issued;
    return undefined;
  }

  /**
   * Exactly the labels of the generate-jitconfig request, connected or not. GitHub adds no default labels to a
   * just-in-time runner: `self-hosted`, the OS and the architecture are added by the runner's `config.sh`, which
   * a JIT runner never runs (observed by terraform-aws-github-runner and cdk-github-runners, which inject them
   * into the request themselves). A job that asks for `self-hosted` therefore never matches a JIT runner that
   * was not registered with it.
   */
  labelsOf(runner: RunnerRecord): RunnerLabel[] {
    return dedupe([...runner.requestedLabels]).map((name) => ({
      id: this.labelId(name),
      name,
      type: DEFAULT_LABELS.some((d) => d.toLowerCase() === name.toLowerCase()) ? "read-only" : "custom",
    }));
  }

  private labelId(name: string): number {
    const key = name.toLowerCase();
    let id = this.labelIds.get(key);
    if (id === undefined) {
      id = this.labelIds.size + 1;
      this.labelIds.set(key, id);
    }
    return id;
  }

  /**
   * Shaped like GitHub's: base64 of a JSON map of the runner's config files (.runner, .credentials,
   * .credentials_rsaparams), each base64 JSON. Random key material makes every config unique.
   */
  private encodeJitConfig(runner: RunnerRecord): string {
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64");
    const files = {
      ".runner": b64({
        agentId: runner.id,
        agentName: runner.name,
        poolId: runner.runnerGroupId,
        poolName: runner.runnerGroupId === 1 ? "Default" : `group-${runner.runnerGroupId}`,
        serverUrl: this.serverUrl,
        gitHubUrl: `https://github.com/${runner.scope.name}`,
        workFolder: runner.workFolder,
        ephemeral: true,
      }),
      ".credentials": b64({
        scheme: "OAuth",
        data: { clientId: randomBytes(16).toString("hex"), authorizationUrl: `${this.serverUrl}/_apis/oauth2/token`, requireFipsCryptography: "False" },
      }),
      ".credentials_rsaparams": b64({ d: randomBytes(64).toString("base64"), exponent: "AQAB", modulus: randomBytes(128).toString("base64") }),
    };
    return Buffer.from(JSON.stringify(files)).toString("base64");
  }
}

export function sameScope(a: RunnerScope, b: RunnerScope): boolean {
  return a.kind === b.kind && a.name.toLowerCase() === b.name.toLowerCase();
}

function dedupe(names: string[]): string[] {
  const seen = new Set<string>();
  return names.filter((n) => (seen.has(n.toLowerCase()) ? false : (seen.add(n.toLowerCase()), true)));
}

/** GitHub's installation access tokens live one hour. */
export const INSTALLATION_TOKEN_LIFETIME_MS = 3_600_000;

/** An installation access token the emulator issued: the installation's scopes, until it expires. */
export interface InstallationToken {
  readonly token: string;
  readonly appId: number;
  readonly installationId: number;
  readonly scopes: readonly string[];
  /** Emulated time (ms) from which the token no longer authenticates. */
  readonly expiresAt: number;
}

/** Issued "ghs_" tokens. Expiry is on the emulated clock, so a test can outlive a token without waiting. */
export class InstallationTokenStore {
  private readonly tokens = new Map<string, InstallationToken>();

  issue(grant: { appId: number; installationId: number; scopes: readonly string[] }, now: number): InstallationToken {
    this.forgetExpired(now);
    const issued: InstallationToken = { ...grant, scopes: [...grant.scopes], token: `ghs_${randomAlphanumeric(36)}`, expiresAt: now + INSTALLATION_TOKEN_LIFETIME_MS };
    this.tokens.set(issued.token, issued);
    return issued;
  }

  /** The token while it is valid at `now`; an expired or unknown token is undefined. */
  find(token: string, now: number): InstallationToken | undefined {
    const issued = this.tokens.get(token);
    return issued !== undefined && now < issued.expiresAt ? issued : undefined;
  }

  /** Bounds the store in a long demo; an expired token authenticates nothing anyway. */
  private forgetExpired(now: number): void {
    for (const [token, issued] of this.tokens) if (now >= issued.expiresAt) this.tokens.delete(token);
  }
}

/** `length` characters of [A-Za-z0-9], as GitHub's token bodies are. */
function randomAlphanumeric(length: number): string {
  let out = "";
  while (out.length < length) out += randomBytes(length).toString("base64").replace(/[^A-Za-z0-9]/g, "");
  return out.slice(0, length);
}
