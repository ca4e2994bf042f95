/** One request to the emulator, as `GET /_emulator/calls` reports it. Never holds a secret. */
export interface CallLogEntry {
  readonly seq: number;
  /** Emulated time of the call, ISO 8601. */
  readonly time: string;
  readonly api: "ecs" | "github" | "sts";
  /** ECS or STS action, or "<METHOD> <path>" for GitHub. */
  readonly action: string;
  /** Request parameters with secrets redacted (ECS: query/form minus signature fields; GitHub: query and body). */
  readonly params: Readonly<Record<string, unknown>>;
  readonly accessKeyId?: string;
  /** HTTP status sent; null when no answer was sent (a dropped or after-commit fault). */
  readonly status: number | null;
  /** ECS error code, or GitHub's error message. */
  readonly code?: string;
  readonly durationMs: number;
  /** The fault that fired for this call. */
  readonly fault?: { readonly id: string; readonly effect: string };
  /** For Forbidden.RAM: which action and resource were denied, and by what. */
  readonly denied?: { readonly action: string; readonly resource: string; readonly reason: string };
}

/** Signature plumbing: noise in a log, and sometimes secret. */
const DROPPED = new Set(["Signature", "SignatureNonce", "SignatureMethod", "SignatureVersion", "SignatureType", "Timestamp", "AccessKeyId", "Format", "Action", "Version"]);
/** Values that must never be written down: user data carries a GitHub JIT config; an OIDC token is a credential. */
const SECRET = /^(UserData|Password|SecurityToken|OIDCToken|BearerToken|AccessKeySecret|token|encoded_jit_config|jitconfig|client_secret|private_key)$/i;

export function redactParams(params: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(params)) {
    if (DROPPED.has(key)) continue;
    out[key] = SECRET.test(key) ? `<redacted ${typeof value === "string" ? `${value.length} chars` : "value"}>` : value;
  }
  return out;
}

/** Keeps the most recent calls (bounded so a long demo does not grow without end). */
export class CallLog {
  private entries: CallLogEntry[] = [];
  private seq = 0;

  constructor(private readonly capacity = 10_000) {}

  nextSeq(): number {
    this.seq += 1;
    return this.seq;
  }

  add(entry: CallLogEntry): void {
    this.entries.push(entry);
    if (this.entries.length > this.capacity) this.entries.splice(0, this.entries.length - this.capacity);
  }

  list(sinceSeq = 0): readonly CallLogEntry[] {
    return this.entries.filter((e) => e.seq > sinceSeq);
  }

  clear(): void {
    this.entries = [];
  }
}
