/**
 * The keyless-CI part of the static stack's configuration: how CI authenticates (`ciAuth`), and for OIDC the
 * GitHub identity provider, the role and which repositories and refs it trusts. Pure; every problem is reported
 * through the caller's `report`, naming the key and the fix, so config.ts shows them all at once.
 */
import {
  buildCiTrustPolicy,
  DEFAULT_OIDC_AUDIENCE,
  GITHUB_OIDC_ISSUER,
  githubSubjects,
  renderTrustPolicy,
  TRUST_POLICY_MAX_LENGTH,
} from "./ciTrustPolicy";

/** How CI gets Aliyun credentials. `both` is for migrating: the role and the user exist side by side. */
export const CI_AUTH_MODES = ["accessKey", "oidc", "both"] as const;
export type CiAuth = (typeof CI_AUTH_MODES)[number];
export const DEFAULT_CI_AUTH: CiAuth = "accessKey";

/** The OIDC keys with their defaults as users see them (docs/infra.md mirrors this). */
export const CI_OIDC_KEYS = {
  ciOidcRepositories: "(required with OIDC)",
  ciOidcRefs: "(required with OIDC)",
  ciOidcAudience: DEFAULT_OIDC_AUDIENCE,
  ciOidcIssuerUrl: GITHUB_OIDC_ISSUER,
  ciOidcFingerprints: "(required unless ciOidcProviderArn)",
  ciOidcProviderName: "<prefix>-github",
  ciOidcProviderArn: "(none: the stack creates the provider)",
  ciRoleName: "<prefix>-github-actions",
  ciRoleMaxSessionSeconds: "3600",
} as const;
export type CiOidcKeyName = keyof typeof CI_OIDC_KEYS;

export interface CiOidcConfig {
  /** "owner/repo", in the order configured. */
  readonly repositories: readonly string[];
  /** "refs/heads/master", "refs/tags/v*" */
  readonly refs: readonly string[];
  /** repositories x refs as GitHub subjects. */
  readonly subjects: readonly string[];
  readonly audience: string;
  readonly issuerUrl: string;
  /** Create the provider (name, CA fingerprints), or use an existing one by ARN. */
  readonly provider: { readonly create: { readonly name: string; readonly fingerprints: readonly string[] } } | { readonly existingArn: string };
  readonly roleName: string;
  readonly maxSessionSeconds: number;
}

export type Report = (name: CiOidcKeyName | "ciAuth" | "ciUserName" | "createAccessKey", problem: string, fix: string) => void;

export interface CiOidcContext {
  /** The raw value of a key, undefined when unset. */
  readonly read: (name: CiOidcKeyName | "ciAuth" | "ciUserName" | "createAccessKey") => string | undefined;
  /** "spot-runner-infra:<name>" */
  readonly key: (name: CiOidcKeyName | "ciAuth") => string;
  /** A list value: YAML list (JSON text) or comma-separated; undefined when malformed. */
  readonly parseList: (text: string) => string[] | undefined;
  /** The validated prefix, "" when it was not. */
  readonly prefix: string;
}

/** GitHub owner and repository names: letters, digits, "-", "_", "." (GitHub refuses anything else). */
const REPOSITORY = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/;
/** Git refuses "?", "[", "\\", spaces and control characters in ref names (git check-ref-format); "*" is our wildcard. */
const REF = /^refs\/(heads|tags)\/[^\s?[\\~^:]+$/;
const FINGERPRINT = /^[0-9A-Fa-f]{40}$/;
/** RAM role names: 1-64 letters, digits, "." and "-" (CreateRole). */
const ROLE_NAME = /^[A-Za-z0-9.-]{1,64}$/;
/** Assumed like role names, to 128 characters: the CreateOIDCProvider pages cited give no rule. */
const PROVIDER_NAME = /^[A-Za-z0-9.-]{1,128}$/;
const PROVIDER_ARN = /^acs:ram::\d+:oidc-provider\/[A-Za-z0-9.-]{1,128}$/;
/** RAM's "add a maximum of five fingerprints to an OIDC IdP" (CreateOIDCProvider). */
const MAX_FINGERPRINTS = 5;
/** RAM MaxSessionDuration bounds (CreateRole). */
export const MAX_SESSION_SECONDS = { min: 3600, max: 43200 } as const;
/** Longer than any real provider ARN, so a trust policy that fits with it fits with the real one. */
const PLACEHOLDER_PROVIDER_ARN = `acs:ram::${"9".repeat(16)}:oidc-provider/${"x".repeat(128)}`;

const FINGERPRINT_HOWTO =
  "compute it as Alibaba documents (docs/infra.md, \"Keyless CI\": the SHA-1 fingerprint of the CA certificate that " +
  "token.actions.githubusercontent.com presents), or copy what the RAM console's \"Get Fingerprint\" shows, then " +
  "pulumi config set --path 'spot-runner-infra:ciOidcFingerprints[0]' <40 hex digits>";

/** `ciAuth`; reports a bad value and falls back to the default so the other keys are still checked. */
export function parseCiAuth(ctx: CiOidcContext, report: Report): CiAuth {
  const text = ctx.read("ciAuth")?.trim();
  if (text === undefined || text === "") return DEFAULT_CI_AUTH;
  if ((CI_AUTH_MODES as readonly string[]).includes(text)) return text as CiAuth;
  report("ciAuth", `"${text}" is not a CI authentication mode; the modes are ${CI_AUTH_MODES.join(", ")}`, `pulumi config set ${ctx.key("ciAuth")} oidc`);
  return DEFAULT_CI_AUTH;
}

/**
 * The OIDC settings for `ciAuth` oidc or both (undefined otherwise, after refusing OIDC keys set for nothing), and
 * the refusal of user settings under `oidc`, which creates no user.
 */
export function parseCiOidc(ctx: CiOidcContext, ciAuth: CiAuth, report: Report): CiOidcConfig | undefined {
  const set = (Object.keys(CI_OIDC_KEYS) as CiOidcKeyName[]).filter((name) => (ctx.read(name)?.trim() ?? "") !== "");
  if (ciAuth === "accessKey") {
    for (const name of set) {
      report(name, "only applies when CI authenticates with GitHub's OIDC token", `pulumi config set ${ctx.key("ciAuth")} oidc (or both while migrating), or pulumi config rm ${ctx.key(name)}`);
    }
    return undefined;
  }
  if (ciAuth === "oidc") {
    for (const name of ["ciUserName", "createAccessKey"] as const) {
      if ((ctx.read(name)?.trim() ?? "") !== "") {
        report(name, "only applies when CI has a RAM user (ciAuth accessKey or both); ciAuth oidc creates none", `pulumi config rm spot-runner-infra:${name}, or pulumi config set ${ctx.key("ciAuth")} both`);
      }
    }
  }

  const repositories = parseListOf(ctx, report, "ciOidcRepositories", REPOSITORY, "dianplus/openresty", "is not owner/repo");
  const refs = parseListOf(ctx, report, "ciOidcRefs", REF, "refs/heads/master", "is not a branch or tag ref (refs/heads/<branch>, refs/tags/<tag>; * as a wildcard)");

  const audience = ctx.read("ciOidcAudience")?.trim() || DEFAULT_OIDC_AUDIENCE;
  if (/[\s,]/.test(audience)) {
    report("ciOidcAudience", `"${audience}" is not a single audience (client id)`, `pulumi config set ${ctx.key("ciOidcAudience")} ${DEFAULT_OIDC_AUDIENCE}`);
  }
  const issuerUrl = ctx.read("ciOidcIssuerUrl")?.trim() || GITHUB_OIDC_ISSUER;
  if (!isIssuerUrl(issuerUrl)) {
    report(
      "ciOidcIssuerUrl",
      `"${issuerUrl}" is not an issuer URL RAM accepts (https, no query, fragment or user part)`,
      `pulumi config set ${ctx.key("ciOidcIssuerUrl")} ${GITHUB_OIDC_ISSUER} (GitHub Enterprise Server: https://HOSTNAME/_services/token)`,
    );
  }

  const provider = parseProvider(ctx, report);
  const roleName = ctx.read("ciRoleName")?.trim() || `${ctx.prefix || "prefix"}-github-actions`;
  if (!ROLE_NAME.test(roleName)) {
    report("ciRoleName", `"${roleName}" is not a RAM role name (1-64 letters, digits, "." or "-")`, `pulumi config set ${ctx.key("ciRoleName")} openresty-github-actions`);
  }
  const maxSessionSeconds = parseSessionSeconds(ctx, report);

  const subjects = githubSubjects(repositories, refs);
  if (subjects.length > 0) {
    const length = renderTrustPolicy(buildCiTrustPolicy({ providerArn: PLACEHOLDER_PROVIDER_ARN, issuerUrl, audience, subjects })).length;
    if (length > TRUST_POLICY_MAX_LENGTH) {
      report(
        "ciOidcRefs",
        `with ${repositories.length} repositories and ${refs.length} refs the role's trust policy is ${length} characters; RAM accepts at most ${TRUST_POLICY_MAX_LENGTH}`,
        "trust fewer repositories or refs, or use a pattern (refs/tags/v*)",
      );
    }
  }
  return { repositories, refs, subjects, audience, issuerUrl, provider, roleName, maxSessionSeconds };
}

function parseListOf(ctx: CiOidcContext, report: Report, name: "ciOidcRepositories" | "ciOidcRefs", pattern: RegExp, example: string, what: string): string[] {
  const text = ctx.read(name);
  if (text === undefined || text.trim() === "") {
    report(name, "is not set; OIDC trusts only the repositories and refs listed", `pulumi config set --path '${ctx.key(name)}[0]' ${example}`);
    return [];
  }
  const items = ctx.parseList(text);
  if (items === undefined || items.length === 0) {
    report(name, `"${text}" is not a non-empty list`, `pulumi config set --path '${ctx.key(name)}[0]' ${example}`);
    return [];
  }
  const valid: string[] = [];
  for (const item of items) {
    if (!pattern.test(item)) report(name, `"${item}" ${what}`, `list values like ${example}`);
    else if (/^refs\/[^/]+\/\*+$/.test(item)) {
      report(name, `"${item}" trusts every ${item.startsWith("refs/heads") ? "branch, including any a collaborator pushes" : "tag"}`, "name the refs (refs/heads/master) or a narrow pattern (refs/tags/v*)");
    } else if (!valid.includes(item)) valid.push(item);
  }
  return valid;
}

function isIssuerUrl(text: string): boolean {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return false;
  }
  return url.protocol === "https:" && url.search === "" && url.hash === "" && url.username === "" && url.password === "" && !text.includes("?") && !text.includes("#");
}

function parseProvider(ctx: CiOidcContext, report: Report): CiOidcConfig["provider"] {
  const arn = ctx.read("ciOidcProviderArn")?.trim();
  const name = ctx.read("ciOidcProviderName")?.trim();
  const fingerprintsText = ctx.read("ciOidcFingerprints");
  if (arn) {
    if (!PROVIDER_ARN.test(arn)) {
      report("ciOidcProviderArn", `"${arn}" is not an OIDC provider ARN`, "use the ARN the RAM console shows, acs:ram::<account id>:oidc-provider/<name>");
    }
    for (const [key, value] of [["ciOidcProviderName", name], ["ciOidcFingerprints", fingerprintsText?.trim()]] as const) {
      if (value) report(key, "only applies when the stack creates the OIDC provider; ciOidcProviderArn names an existing one", `pulumi config rm ${ctx.key(key)}`);
    }
    return { existingArn: arn };
  }
  const providerName = name || `${ctx.prefix || "prefix"}-github`;
  if (!PROVIDER_NAME.test(providerName)) {
    report("ciOidcProviderName", `"${providerName}" is not an OIDC provider name (letters, digits, "." or "-")`, `pulumi config set ${ctx.key("ciOidcProviderName")} openresty-github`);
  }
  let fingerprints: string[] = [];
  if (fingerprintsText === undefined || fingerprintsText.trim() === "") {
    report("ciOidcFingerprints", "is not set; RAM needs the fingerprint of the issuer's HTTPS CA certificate to trust it", `${FINGERPRINT_HOWTO}; or set ${ctx.key("ciOidcProviderArn")} to an OIDC provider you already have`);
  } else {
    const items = ctx.parseList(fingerprintsText);
    if (items === undefined || items.length === 0) {
      report("ciOidcFingerprints", `"${fingerprintsText}" is not a non-empty list`, FINGERPRINT_HOWTO);
    } else {
      // Copies of `openssl x509 -fingerprint` output carry colons; RAM wants the bare hex.
      fingerprints = [...new Set(items.map((f) => f.replace(/:/g, "").toUpperCase()))];
      for (const f of fingerprints.filter((x) => !FINGERPRINT.test(x))) report("ciOidcFingerprints", `"${f}" is not a SHA-1 fingerprint (40 hex digits)`, FINGERPRINT_HOWTO);
      if (fingerprints.length > MAX_FINGERPRINTS) report("ciOidcFingerprints", `lists ${fingerprints.length} fingerprints; RAM keeps at most ${MAX_FINGERPRINTS}`, "keep the current CA's and, during a rotation, the next one's");
    }
  }
  return { create: { name: providerName, fingerprints } };
}

function parseSessionSeconds(ctx: CiOidcContext, report: Report): number {
  const text = ctx.read("ciRoleMaxSessionSeconds")?.trim();
  if (!text) return MAX_SESSION_SECONDS.min;
  const value = Number(text);
  if (!Number.isInteger(value) || value < MAX_SESSION_SECONDS.min || value > MAX_SESSION_SECONDS.max) {
    report(
      "ciRoleMaxSessionSeconds",
      `"${text}" is not a session length RAM accepts (${MAX_SESSION_SECONDS.min} to ${MAX_SESSION_SECONDS.max} seconds)`,
      `pulumi config set ${ctx.key("ciRoleMaxSessionSeconds")} 3600`,
    );
    return MAX_SESSION_SECONDS.min;
  }
  return value;
}
