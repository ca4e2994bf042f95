import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { CI_OIDC_KEYS } from "../../infra/ciOidcConfig";

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

/**
 * A stand-in for the CA fingerprint Pulumi.prod.yaml leaves to the operator (it cannot be known ahead of time):
 * obviously not a real certificate's, and only ever used under mocks.
 */
export const TEST_FINGERPRINT = "0123456789ABCDEF0123456789ABCDEF01234567";

/** Pulumi.prod.yaml with the one value an operator adds before the first `pulumi up`: the OIDC CA fingerprint. */
export function prodStackConfig(): Record<string, string> {
  return { ...loadStackConfig("Pulumi.prod.yaml"), "spot-runner-infra:ciOidcFingerprints": JSON.stringify([TEST_FINGERPRINT]) };
}

/** Overrides that turn a keyless (OIDC) configuration back into the AccessKey fallback: every OIDC key unset. */
export function accessKeyMode(overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  const unset = Object.fromEntries(Object.keys(CI_OIDC_KEYS).map((name) => [`spot-runner-infra:${name}`, undefined]));
  return { ...unset, "spot-runner-infra:ciAuth": "accessKey", ...overrides };
}
