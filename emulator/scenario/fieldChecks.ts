/**
 * Generic, path-aware readers for untyped JSON. Each records a problem and returns `undefined` when the value is
 * wrong, so one pass over a document finds every problem and later cross-reference checks can skip values that
 * are already reported (no cascade of follow-on errors).
 */
import type { ScenarioProblem } from "./errors";

/** A check returns the accepted value, or a reason ("must be ...") that is reported at the field's path. */
export type Check<T> = (value: unknown) => T | Reason;

/** Wrapped so a check on strings can still return a string value. */
export class Reason {
  constructor(readonly text: string) {}
}

const reason = (text: string): Reason => new Reason(text);

/** `join("offerings", 3)` -> `offerings[3]`; `join("a", "b")` -> `a.b`; odd keys are quoted. */
export function join(path: string, key: string | number): string {
  if (typeof key === "number") return `${path}[${key}]`;
  if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key)) return path === "" ? key : `${path}.${key}`;
  return `${path}[${JSON.stringify(key)}]`;
}

/** A short rendering of a value for messages: `"cn-hangzhou-z"`, `-1`, `null`, `an array`. */
export function show(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  if (typeof value === "string") return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  return String(value);
}

export class Problems {
  readonly list: ScenarioProblem[] = [];

  add(path: string, message: string): void {
    this.list.push({ path, message });
  }

  /**
   * The value as a plain object, or undefined (reported). Keys outside `allowed` are reported too: a typo such as
   * `spotstock` would otherwise be ignored silently. Keys starting with "$" (e.g. "$comment") are annotations.
   */
  object(value: unknown, path: string, allowed: readonly string[]): Record<string, unknown> | undefined {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      this.add(path, `must be an object, got ${show(value)}`);
      return undefined;
    }
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (allowed.includes(key) || key.startsWith("$")) continue;
      const nearby = allowed.find((a) => a.toLowerCase() === key.toLowerCase());
      this.add(
        join(path, key),
        nearby === undefined
          ? `unknown property; allowed here: ${allowed.join(", ")}`
          : `unknown property; did you mean "${nearby}"?`,
      );
    }
    return record;
  }

  /** The value as an array, or undefined (reported). */
  array(value: unknown, path: string, options: { nonEmpty?: string } = {}): readonly unknown[] | undefined {
    if (!Array.isArray(value)) {
      this.add(path, `must be an array, got ${show(value)}`);
      return undefined;
    }
    if (options.nonEmpty !== undefined && value.length === 0) {
      this.add(path, `must not be empty: ${options.nonEmpty}`);
      return undefined;
    }
    return value;
  }

  /** A required field: missing is reported with `hint` (what to put there). */
  required<T>(record: Record<string, unknown>, key: string, path: string, check: Check<T>, hint: string): T | undefined {
    const value = record[key];
    if (value === undefined) {
      this.add(join(path, key), `is required: ${hint}`);
      return undefined;
    }
    return this.run(value, join(path, key), check);
  }

  /** An optional field: absent is fine, present must pass `check`. */
  optional<T>(record: Record<string, unknown>, key: string, path: string, check: Check<T>): T | undefined {
    const value = record[key];
    return value === undefined ? undefined : this.run(value, join(path, key), check);
  }

  /** Runs a check on a value that is already at hand (array elements). */
  run<T>(value: unknown, path: string, check: Check<T>): T | undefined {
    const result = check(value);
    if (result instanceof Reason) {
      this.add(path, result.text);
      return undefined;
    }
    return result;
  }
}

/**
 * Remembers the first path of every id in one namespace and reports later duplicates. `what` names the id in
 * messages ("instanceTypeId"); `rule` says how to fix a duplicate.
 */
export class UniqueIds {
  private readonly firstPath = new Map<string, string>();

  constructor(
    private readonly problems: Problems,
    private readonly what: string,
    private readonly rule = "ids must be unique",
  ) {}

  /** Returns false (and reports) when `key` was seen before. `label` is how the id is shown (defaults to key). */
  claim(key: string, path: string, label: string = JSON.stringify(key)): boolean {
    const first = this.firstPath.get(key);
    if (first !== undefined) {
      this.problems.add(path, `duplicate ${this.what} ${label} (first at ${first}); ${this.rule}`);
      return false;
    }
    this.firstPath.set(key, path);
    return true;
  }
}

// ---- checks -------------------------------------------------------------------------------------------------

export const nonEmptyString: Check<string> = (v) =>
  typeof v !== "string" ? reason(`must be a string, got ${show(v)}`) : v.trim() === "" ? reason("must not be empty") : v;

/** A non-empty string without whitespace: ids, keys, tokens. */
export const identifier: Check<string> = (v) => {
  const s = nonEmptyString(v);
  if (s instanceof Reason) return s;
  return /\s/.test(s) ? reason(`${show(s)} must not contain whitespace`) : s;
};

export function matching(pattern: RegExp, example: string): Check<string> {
  return (v) => {
    const s = nonEmptyString(v);
    if (s instanceof Reason) return s;
    return pattern.test(s) ? s : reason(`${show(s)} is not valid; expected something like "${example}"`);
  };
}

export function oneOf<T extends string>(values: readonly T[]): Check<T> {
  return (v) =>
    typeof v === "string" && (values as readonly string[]).includes(v)
      ? (v as T)
      : reason(`must be one of ${values.map((x) => `"${x}"`).join(", ")}, got ${show(v)}`);
}

export const boolean: Check<boolean> = (v) => (typeof v === "boolean" ? v : reason(`must be true or false, got ${show(v)}`));

const finite: Check<number> = (v) =>
  typeof v === "number" && Number.isFinite(v) ? v : reason(`must be a number, got ${show(v)}`);

export const finiteNumber = finite;

export const positiveNumber: Check<number> = (v) => {
  const n = finite(v);
  if (n instanceof Reason) return n;
  return n > 0 ? n : reason(`must be greater than 0, got ${n}`);
};

export const nonNegativeNumber: Check<number> = (v) => {
  const n = finite(v);
  if (n instanceof Reason) return n;
  return n >= 0 ? n : reason(`must be 0 or more, got ${n}`);
};

export const integer: Check<number> = (v) => {
  const n = finite(v);
  if (n instanceof Reason) return n;
  return Number.isInteger(n) ? n : reason(`must be a whole number, got ${n}`);
};

export const positiveInteger: Check<number> = (v) => {
  const n = integer(v);
  if (n instanceof Reason) return n;
  return n > 0 ? n : reason(`must be a whole number greater than 0, got ${n}`);
};

export const nonNegativeInteger: Check<number> = (v) => {
  const n = integer(v);
  if (n instanceof Reason) return n;
  return n >= 0 ? n : reason(`must be a whole number, 0 or more, got ${n}`);
};

/** True when `n` has at most 3 decimals (tolerating binary floating-point noise such as 0.1 + 0.2). */
export function hasAtMostThreeDecimals(n: number): boolean {
  return Math.abs(n * 1000 - Math.round(n * 1000)) < 1e-6 * Math.max(1, Math.abs(n));
}

/** A price in currency per hour: positive, at most 3 decimals like every ECS price field. */
export const price: Check<number> = (v) => {
  const n = positiveNumber(v);
  if (n instanceof Reason) return n;
  return hasAtMostThreeDecimals(n) ? n : reason(`${n} has more than 3 decimals; ECS prices have at most 3 (e.g. 0.123)`);
};

const ISO_UTC_OR_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** An ISO 8601 timestamp with a time zone, e.g. 2026-01-01T00:00:00Z. */
export const isoTimestamp: Check<string> = (v) => {
  if (typeof v !== "string") return reason(`must be an ISO 8601 timestamp string, got ${show(v)}`);
  const parsed = Date.parse(v);
  if (!ISO_UTC_OR_OFFSET.test(v) || !Number.isFinite(parsed) || !sameCalendarDate(v, parsed)) {
    return reason(`${show(v)} is not an ISO 8601 timestamp like "2026-01-01T00:00:00Z"`);
  }
  return v;
};

/** Date.parse rolls 2026-02-30 over to March 2; a date that does not survive the round trip does not exist. */
function sameCalendarDate(text: string, parsed: number): boolean {
  const offset = /([+-])(\d{2}):(\d{2})$/.exec(text);
  const offsetMs = offset ? (offset[1] === "+" ? 1 : -1) * (Number(offset[2]) * 60 + Number(offset[3])) * 60_000 : 0;
  return new Date(parsed + offsetMs).toISOString().slice(0, 10) === text.slice(0, 10);
}
