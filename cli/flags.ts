import type { z } from "zod";
import { InputKey, INPUT_SPECS } from "../provider/contract/inputs";
import { inputFromText, parseDecimal, parseInteger } from "../provider/contract/text";
import { UsageError } from "./io";

/**
 * Flags arrive as text. Those that set a SpotRunner input are read exactly as the input is in a runner stack's
 * config (provider/contract/text.ts: "16" is 16, "1e9" and "99999999999999999999" are refused) and checked by the
 * input's own schema, so the CLI accepts what `SpotRunner` accepts, with the same message. Other numbers go through
 * the same strict parsers. Every problem is a usage error that starts with the flag.
 */
export type InputValue<K extends InputKey> = Exclude<z.output<(typeof INPUT_SPECS)[K]["schema"]>, undefined>;

export function inputFlag<K extends InputKey>(flag: string, key: K, text: string): InputValue<K> {
  const parsed = inputFromText(key, text);
  if ("problem" in parsed) throw new UsageError(`${flag}: ${parsed.problem}`);
  const result = INPUT_SPECS[key].schema.safeParse(parsed.value);
  if (result.success) return result.data as InputValue<K>;
  const issue = result.error.issues[0];
  if (issue.code === "custom" && (issue.params as { sentence?: boolean } | undefined)?.sentence) throw new UsageError(`${flag}: ${issue.message}`);
  // An item of a list: show the item, not the whole value.
  let shown: unknown = parsed.value;
  for (const step of issue.path) shown = (shown as Record<PropertyKey, unknown> | undefined)?.[step as PropertyKey];
  const what = issue.path.length > 0 ? JSON.stringify(shown) : `"${text}"`;
  throw new UsageError(`${flag}: ${what} ${issue.message}`);
}

/** A whole number in [min, max], e.g. --limit, --port, --boot-grace. */
export function wholeNumberFlag(flag: string, text: string, range: { min: number; max?: number; unit?: string }): number {
  const parsed = parseInteger(text);
  if ("problem" in parsed) throw new UsageError(`${flag}: ${parsed.problem}${range.unit ? ` of ${range.unit}` : ""}`);
  const n = parsed.value as number;
  const unit = range.unit ? ` (${range.unit})` : "";
  if (n < range.min) throw new UsageError(`${flag}: ${n} is less than ${range.min}${unit}`);
  if (range.max !== undefined && n > range.max) throw new UsageError(`${flag}: ${n} is more than ${range.max}${unit}`);
  return n;
}

/** A number above zero, e.g. --usd-cny. */
export function positiveNumberFlag(flag: string, text: string): number {
  const parsed = parseDecimal(text);
  if ("problem" in parsed) throw new UsageError(`${flag}: ${parsed.problem}`);
  const n = parsed.value as number;
  if (!(n > 0)) throw new UsageError(`${flag}: ${n} must be more than 0`);
  return n;
}

/** "a, b,,c " -> ["a", "b", "c"]. */
export function splitList(value: string): string[] {
  return value.split(",").map((s) => s.trim()).filter(Boolean);
}
