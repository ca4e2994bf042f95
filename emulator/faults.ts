/**
 * Scripted failures: per ECS action (or GitHub route), an error, a delay, a lost response or a dropped connection,
 * for a number of calls. The first matching fault with calls left fires.
 */
export type FaultEffect = "error" | "afterCommit" | "vanish" | "drop";

export interface FaultSpec {
  /** An ECS action ("RunInstances", "*" for any) or "github:<METHOD> <path pattern>" ("*" = one path segment). */
  readonly action: string;
  readonly code?: string;
  readonly status?: number;
  readonly message?: string;
  /** Calls it fires for: default 1; -1 = every call. */
  readonly times?: number;
  /** Real-time delay before the effect (or before a normal answer when there is no other effect). */
  readonly latencyMs?: number;
  /**
   * Throttling answers: seconds the answer tells the client to wait. GitHub rate limits send it as `retry-after`
   * (default 60); ECS throttling codes as `x-acs-retry-after` in milliseconds, as the SDK reads it (default 1 s).
   */
  readonly retryAfterSeconds?: number;
  /** Request parameters (ECS) or query/body fields (GitHub) that must equal these values. */
  readonly match?: Readonly<Record<string, string>>;
  /**
   * - error: answer with the error (the default when code, status or message is given, or nothing else is);
   * - afterCommit: do the work, then destroy the socket so the caller never sees the answer;
   * - vanish (RunInstances): succeed, then the instances disappear while starting (SystemFailure.Delete);
   * - drop: destroy the socket without doing anything.
   */
  readonly effect?: FaultEffect;
}

export interface ActiveFault {
  readonly id: string;
  readonly spec: FaultSpec;
  /** Calls left; -1 = unlimited. */
  remaining: number;
  fired: number;
}

/** The longest delay a fault may add: enough to trip any client timeout, short enough to keep tests bounded. */
export const MAX_FAULT_LATENCY_MS = 120_000;

export class InvalidFaultError extends Error {
  override name = "InvalidFaultError";
}

export class FaultRegistry {
  private faults: ActiveFault[] = [];
  private nextId = 1;

  add(raw: unknown): ActiveFault {
    const spec = checkFault(raw);
    const fault: ActiveFault = { id: `f${this.nextId++}`, spec, remaining: spec.times ?? 1, fired: 0 };
    this.faults.push(fault);
    return fault;
  }

  remove(id: string): boolean {
    const before = this.faults.length;
    this.faults = this.faults.filter((f) => f.id !== id);
    return this.faults.length !== before;
  }

  clear(): void {
    this.faults = [];
  }

  list(): readonly ActiveFault[] {
    return this.faults;
  }

  /** The fault that fires for this call, if any; counts it. */
  take(kind: "ecs" | "github", target: string, fields: Readonly<Record<string, string>>): ActiveFault | undefined {
    const fault = this.faults.find((f) => f.remaining !== 0 && targets(f.spec.action, kind, target) && matches(f.spec.match, fields));
    if (!fault) return undefined;
    if (fault.remaining > 0) fault.remaining -= 1;
    fault.fired += 1;
    this.faults = this.faults.filter((f) => f.remaining !== 0);
    return fault;
  }
}

/** Waits out the fault's latency (real time), then gives its effect; undefined when no fault fired or it only delays. */
export async function afterFaultLatency(fault: ActiveFault | undefined, sleep: (ms: number) => Promise<void>): Promise<FaultEffect | undefined> {
  if (!fault) return undefined;
  if (fault.spec.latencyMs) await sleep(fault.spec.latencyMs);
  return effectOf(fault.spec);
}

/** The effect a fault has, with its defaults applied; undefined = latency only. */
export function effectOf(spec: FaultSpec): FaultEffect | undefined {
  if (spec.effect) return spec.effect;
  if (spec.code !== undefined || spec.status !== undefined || spec.message !== undefined) return "error";
  return spec.latencyMs !== undefined ? undefined : "error";
}

function targets(action: string, kind: "ecs" | "github", target: string): boolean {
  if (kind === "ecs") return !action.startsWith("github:") && (action === "*" || action === target);
  if (!action.startsWith("github:")) return false;
  const [method, pattern] = action.slice("github:".length).trim().split(/\s+/, 2);
  const [targetMethod, targetPath] = target.split(" ", 2);
  if (method !== "*" && method.toUpperCase() !== targetMethod) return false;
  if (pattern === undefined) return true;
  const re = new RegExp(`^${pattern.split("*").map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join("[^/]*")}$`);
  return re.test(targetPath);
}

function matches(match: FaultSpec["match"], fields: Readonly<Record<string, string>>): boolean {
  return match === undefined || Object.entries(match).every(([k, v]) => fields[k] === String(v));
}

function checkFault(raw: unknown): FaultSpec {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new InvalidFaultError("a fault must be a JSON object like {\"action\": \"RunInstances\", \"code\": \"OperationDenied.NoStock\"}");
  const f = raw as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof f.action !== "string" || f.action.trim() === "") problems.push("action must be an ECS action name, \"*\", or \"github:<METHOD> <path pattern>\"");
  if (typeof f.action === "string" && f.action.startsWith("github:") && !/^github:\s*(\*|[A-Za-z]+)(\s+\/\S*)?\s*$/.test(f.action)) {
    problems.push(`action "${f.action}" must look like "github:POST /repos/*/*/actions/runners/generate-jitconfig"`);
  }
  if (f.code !== undefined && (typeof f.code !== "string" || f.code === "")) problems.push("code must be a non-empty string");
  if (f.status !== undefined && (!Number.isInteger(f.status) || (f.status as number) < 400 || (f.status as number) > 599)) problems.push("status must be an HTTP error status (400-599)");
  if (f.message !== undefined && typeof f.message !== "string") problems.push("message must be a string");
  if (f.times !== undefined && (!Number.isInteger(f.times) || ((f.times as number) < 1 && f.times !== -1))) problems.push("times must be a positive integer, or -1 for every call");
  if (f.latencyMs !== undefined && (typeof f.latencyMs !== "number" || !(f.latencyMs >= 0) || f.latencyMs > MAX_FAULT_LATENCY_MS)) {
    problems.push(`latencyMs must be between 0 and ${MAX_FAULT_LATENCY_MS}`);
  }
  if (f.retryAfterSeconds !== undefined && (typeof f.retryAfterSeconds !== "number" || !(f.retryAfterSeconds >= 0) || f.retryAfterSeconds > 3600)) {
    problems.push("retryAfterSeconds must be between 0 and 3600");
  }
  if (f.match !== undefined && (typeof f.match !== "object" || f.match === null || Array.isArray(f.match) || Object.values(f.match).some((v) => typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean"))) {
    problems.push("match must be an object of parameter names to values");
  }
  if (f.effect !== undefined && !["error", "afterCommit", "vanish", "drop"].includes(f.effect as string)) problems.push("effect must be error, afterCommit, vanish or drop");
  if (f.effect === "vanish" && f.action !== "RunInstances") problems.push("effect vanish only applies to RunInstances");
  if (problems.length > 0) throw new InvalidFaultError(`invalid fault: ${problems.join("; ")}`);
  const match = f.match === undefined ? undefined : Object.fromEntries(Object.entries(f.match as object).map(([k, v]) => [k, String(v)]));
  return { ...(f as unknown as FaultSpec), ...(match ? { match } : {}) };
}
