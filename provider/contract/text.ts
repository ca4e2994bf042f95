import { InputKey, INPUT_SPECS, TextKind } from "./inputs";

/**
 * Values written as text: runner stack config (`pulumi config set minCpu 16`), `--set key=value` in job.sh and
 * CLI flags all arrive as strings. Each input's TextKind says how its text becomes a typed value; the schema then
 * checks the value. Numbers are strict: "16" is 16, but "1e9", "0x10", "16 " inside and digits beyond the safe
 * integer range are refused rather than read as something else.
 */
export type TextResult = { readonly value: unknown } | { readonly problem: string };

const INTEGER = /^-?\d+$/;
const DECIMAL = /^-?(?:\d+(?:\.\d+)?|\.\d+)$/;

export function parseInteger(text: string): TextResult {
  const t = text.trim();
  if (!INTEGER.test(t)) return { problem: `"${text}" is not a whole number` };
  const n = Number(t);
  if (!Number.isSafeInteger(n)) return { problem: `"${text}" is too large` };
  return { value: n };
}

export function parseDecimal(text: string): TextResult {
  const t = text.trim();
  if (!DECIMAL.test(t)) return { problem: `"${text}" is not a number` };
  return { value: Number(t) };
}

/** `["a","b"]` (what a YAML list becomes) or `a,b` (handy with `pulumi config set`); "" is the empty list. */
export function parseStringList(text: string): TextResult {
  const t = text.trim();
  if (t.startsWith("[")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(t);
    } catch {
      return { problem: `looks like a JSON list but is not valid JSON: ${text}` };
    }
    if (!Array.isArray(parsed) || !parsed.every((item) => typeof item === "string")) return { problem: `must be a list of strings: ${text}` };
    return { value: parsed.map((item: string) => item.trim()).filter(Boolean) };
  }
  return { value: t.split(",").map((item) => item.trim()).filter(Boolean) };
}

/** GiB per vCPU: `[1, 2]`, `1,2`, or the guide's `1:1,1:2` (vCPU:GiB). */
export function parseRatioList(text: string): TextResult {
  const t = text.trim();
  const items = t.startsWith("[") ? (() => {
    try {
      const parsed: unknown = JSON.parse(t);
      return Array.isArray(parsed) ? parsed.map(String) : undefined;
    } catch {
      return undefined;
    }
  })() : t.split(",").map((item) => item.trim()).filter(Boolean);
  if (!items) return { problem: `looks like a JSON list but is not one: ${text}` };
  const ratios: number[] = [];
  for (const item of items) {
    const pair = /^(\d+(?:\.\d+)?):(\d+(?:\.\d+)?)$/.exec(item);
    const ratio = pair ? Number(pair[2]) / Number(pair[1]) : DECIMAL.test(item) ? Number(item) : NaN;
    if (!Number.isFinite(ratio)) return { problem: `"${item}" is not a ratio such as 2 or 1:2 (vCPU:GiB)` };
    ratios.push(ratio);
  }
  return { value: ratios };
}

export function parseBoolean(text: string): TextResult {
  const t = text.trim().toLowerCase();
  if (t === "true") return { value: true };
  if (t === "false") return { value: false };
  return { problem: `"${text}" is not true or false` };
}

export function parseStringMap(text: string): TextResult {
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) return { value: parsed };
  } catch {
    // reported below
  }
  return { problem: `must be a JSON object, e.g. {"cn-hangzhou-j":"vsw-..."}: ${text}` };
}

const PARSERS: Readonly<Record<TextKind, (text: string) => TextResult>> = {
  string: (text) => ({ value: text.trim() }),
  integer: parseInteger,
  number: parseDecimal,
  boolean: parseBoolean,
  stringList: parseStringList,
  ratioList: parseRatioList,
  stringMap: parseStringMap,
};

/** The typed value of an input written as text (the schema still checks its range). */
export function inputFromText(key: InputKey, text: string): TextResult {
  return PARSERS[INPUT_SPECS[key].text](text);
}
