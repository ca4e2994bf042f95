import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

/**
 * A stack file's `config:` as the Pulumi CLI hands it to the program: full keys, string values, lists and
 * maps as JSON text, booleans as "true"/"false".
 */
export function loadStackConfig(file = "Pulumi.prod.yaml"): Record<string, string> {
  const doc = parse(readFileSync(path.join(__dirname, "..", "..", file), "utf8")) as { config?: Record<string, unknown> };
  const raw: Record<string, string> = {};
  for (const [key, value] of Object.entries(doc.config ?? {})) {
    raw[key] = typeof value === "string" ? value : JSON.stringify(value);
  }
  return raw;
}
