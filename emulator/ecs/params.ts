import { invalidParameter, missingParameter } from "./errors";

/**
 * The parameters of one ECS call, as the API sees them: a flat string map from the query string (and a form body),
 * with the SDK's flattening undone on demand: `InstanceId.1..N` lists, `Tag.N.Key` object lists, `SystemDisk.Category`
 * nested fields, and JSON-string arrays such as `InstanceIds`.
 */
export class EcsParams {
  constructor(readonly raw: Readonly<Record<string, string>>) {}

  has(name: string): boolean {
    return this.raw[name] !== undefined && this.raw[name] !== "";
  }

  get(name: string): string | undefined {
    const value = this.raw[name];
    return value === undefined || value === "" ? undefined : value;
  }

  require(name: string): string {
    const value = this.get(name);
    if (value === undefined) throw missingParameter(name);
    return value;
  }

  /** One of a fixed set of values; `code` is the API's error code for a bad value. */
  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T, code = "InvalidParameter"): T {
    const value = this.get(name);
    if (value === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(value)) {
      throw invalidParameter(name, `"${value}" is not one of ${allowed.join(", ")}`, code);
    }
    return value as T;
  }

  int(name: string, options: { min?: number; max?: number; fallback?: number; code?: string } = {}): number | undefined {
    const text = this.get(name);
    if (text === undefined) return options.fallback;
    if (!/^-?\d+$/.test(text)) throw invalidParameter(name, `"${text}" is not an integer`, options.code);
    const value = Number(text);
    if ((options.min !== undefined && value < options.min) || (options.max !== undefined && value > options.max)) {
      throw invalidParameter(name, `${value} is outside ${options.min ?? "-inf"}..${options.max ?? "inf"}`, options.code);
    }
    return value;
  }

  number(name: string, code?: string): number | undefined {
    const text = this.get(name);
    if (text === undefined) return undefined;
    const value = Number(text);
    if (!Number.isFinite(value) || !/^-?\d+(\.\d+)?$/.test(text)) throw invalidParameter(name, `"${text}" is not a number`, code);
    return value;
  }

  bool(name: string, fallback = false): boolean {
    const text = this.get(name);
    if (text === undefined) return fallback;
    if (text === "true") return true;
    if (text === "false") return false;
    throw invalidParameter(name, `"${text}" is not true or false`);
  }

  /** `Name.1`, `Name.2`, ... in index order (gaps allowed, as the API allows them). */
  list(name: string, max = 100): string[] {
    const entries: [number, string][] = [];
    const pattern = new RegExp(`^${escapeRegExp(name)}\\.(\\d+)$`);
    for (const [key, value] of Object.entries(this.raw)) {
      const m = pattern.exec(key);
      if (m && value !== "") entries.push([Number(m[1]), value]);
    }
    if (entries.length > max) throw invalidParameter(name, `at most ${max} values are allowed`);
    return entries.sort((a, b) => a[0] - b[0]).map(([, v]) => v);
  }

  /** `Name.N.Field` object lists, e.g. Tag.1.Key / Tag.1.Value, in index order. */
  objectList(name: string, max = 100): Record<string, string>[] {
    const byIndex = new Map<number, Record<string, string>>();
    const pattern = new RegExp(`^${escapeRegExp(name)}\\.(\\d+)\\.(.+)$`);
    for (const [key, value] of Object.entries(this.raw)) {
      const m = pattern.exec(key);
      if (!m) continue;
      const index = Number(m[1]);
      const entry = byIndex.get(index) ?? {};
      entry[m[2]] = value;
      byIndex.set(index, entry);
    }
    if (byIndex.size > max) throw invalidParameter(name, `at most ${max} entries are allowed`);
    return [...byIndex.entries()].sort((a, b) => a[0] - b[0]).map(([, v]) => v);
  }

  /** A parameter whose value is a JSON array of strings, e.g. InstanceIds='["i-1","i-2"]'. */
  jsonStringArray(name: string, max: number, code = "InvalidParameter"): string[] | undefined {
    const text = this.get(name);
    if (text === undefined) return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw invalidParameter(name, "not a JSON array", code);
    }
    if (!Array.isArray(parsed) || parsed.some((v) => typeof v !== "string")) throw invalidParameter(name, "not a JSON array of strings", code);
    if (parsed.length > max) throw invalidParameter(name, `at most ${max} values are allowed`, code);
    return parsed as string[];
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Shell-style `*` wildcard (InstanceName filters): `*` matches any run of characters, everything else literally. */
export function wildcardMatch(pattern: string, value: string): boolean {
  const re = new RegExp(`^${pattern.split("*").map(escapeRegExp).join(".*")}$`, "s");
  return re.test(value);
}
