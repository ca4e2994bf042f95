/**
 * The static stack's configuration: read from raw config values (what `pulumi config` holds, as strings),
 * validated, defaulted. Pure, so every rule is table-tested without Pulumi; the program calls it first and
 * stops with every problem named by key and fix.
 */
import {
  deriveVSwitchCidrs,
  derivableVSwitchCount,
  formatCidr,
  parseIpv4Cidr,
  vpcCidrProblems,
  VSWITCH_MASK,
  vSwitchCidrProblems,
} from "./cidr";
import { PREFIX, REGION } from "../provider/contract/names";
import { CI_OIDC_KEYS, CiAuth, CiOidcConfig, parseCiAuth, parseCiOidc } from "./ciOidcConfig";
import { ConfigProblem, InfraConfigError } from "./errors";
import { defaultCiUserName, zoneSuffix } from "./names";
import {
  buildRunnerPolicy,
  RAM_POLICY_LEVELS,
  RAM_POLICY_MAX_LENGTH,
  RamPolicyLevel,
  renderPolicyDocument,
} from "./ramPolicy";

/** The project name in Pulumi.yaml, hence the namespace of the stack's own config keys. */
export const CONFIG_NAMESPACE = "spot-runner-infra";
/** The region comes from the alicloud provider's own key, so the provider and the program cannot disagree. */
export const REGION_KEY = "alicloud:region";

/** The keys under `spot-runner-infra:`, with their defaults as users see them (docs/infra.md mirrors this). */
export const CONFIG_KEYS = {
  prefix: "(required)",
  vpcCidr: "172.16.0.0/16",
  zones: "(required)",
  vSwitchMask: "24",
  sshIngressCidrs: "[] (no SSH)",
  allowSshFromAnywhere: "false",
  ramPolicyLevel: "vpc",
  ramTimeWindowStart: "(none)",
  ramTimeWindowEnd: "(none)",
  ramSourceIps: "[] (any address)",
  ciAuth: "accessKey",
  ciUserName: "<prefix>-github-actions",
  createAccessKey: "false",
  ...CI_OIDC_KEYS,
} as const;

export type ConfigKeyName = keyof typeof CONFIG_KEYS;

export const DEFAULT_VPC_CIDR = "172.16.0.0/16";
export const DEFAULT_VSWITCH_MASK = 24;
export const DEFAULT_RAM_POLICY_LEVEL: RamPolicyLevel = "vpc";

/** Full config key ("spot-runner-infra:<name>") -> value, as `pulumi.runtime.allConfig()` returns it. */
export type RawInfraConfig = Readonly<Record<string, string | undefined>>;

/** One vSwitch: its zone, the zone's letter (for names) and its CIDR. */
export interface ZonePlan {
  readonly zoneId: string;
  readonly letter: string;
  readonly cidr: string;
}

export interface InfraConfig {
  readonly regionId: string;
  readonly prefix: string;
  readonly vpcCidr: string;
  /** In the order configured. */
  readonly zones: readonly ZonePlan[];
  /** Sources allowed to reach 22/tcp, as CIDRs; includes 0.0.0.0/0 only with allowSshFromAnywhere. */
  readonly sshIngressCidrs: readonly string[];
  readonly allowSshFromAnywhere: boolean;
  readonly ramPolicyLevel: RamPolicyLevel;
  readonly ramTimeWindow?: { readonly start?: string; readonly end?: string };
  readonly ramSourceIps: readonly string[];
  /** How CI authenticates: a RAM user's AccessKey, GitHub's OIDC token for a role, or both while migrating. */
  readonly ciAuth: CiAuth;
  /** The CI RAM user (created unless ciAuth is oidc). */
  readonly ciUserName: string;
  readonly createAccessKey: boolean;
  /** The OIDC provider and role (ciAuth oidc or both). */
  readonly ciOidc?: CiOidcConfig;
}

export const configKey = (name: ConfigKeyName): string => `${CONFIG_NAMESPACE}:${name}`;

const ANYWHERE = "0.0.0.0/0";
const USER_NAME_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
const ISO_UTC_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
/** Longer than any real VPC id, so a document that fits with it fits with the real one. */
const PLACEHOLDER_VPC_ID = `vpc-${"x".repeat(32)}`;

/** Collects problems while parsing, so every key is checked even after the first failure. */
class Problems {
  readonly list: ConfigProblem[] = [];
  add(name: ConfigKeyName | typeof REGION_KEY, problem: string, fix: string): void {
    this.list.push({ key: name === REGION_KEY ? REGION_KEY : configKey(name), problem, fix });
  }
}

/** `["a","b"]` (what a YAML list becomes) or `a,b` (handy with `pulumi config set`); "" is the empty list. */
export function parseStringList(text: string): string[] | undefined {
  const trimmed = text.trim();
  if (trimmed.startsWith("{")) return undefined;
  if (trimmed.startsWith("[")) {
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch {
      return undefined;
    }
    if (!Array.isArray(value) || !value.every((item) => typeof item === "string")) return undefined;
    return value.map((item: string) => item.trim()).filter((item) => item !== "");
  }
  return trimmed.split(",").map((item) => item.trim()).filter((item) => item !== "");
}

function parseBoolean(problems: Problems, name: ConfigKeyName, text: string | undefined): boolean {
  if (text === undefined) return false;
  const value = text.trim().toLowerCase();
  if (value === "true") return true;
  if (value === "false" || value === "") return false;
  problems.add(name, `"${text}" is not a boolean`, `pulumi config set ${configKey(name)} true (or false)`);
  return false;
}

/** A strict `YYYY-MM-DDTHH:MM:SSZ` that names a real instant (2025-02-30 is refused). */
export function isIsoUtcSeconds(text: string): boolean {
  return ISO_UTC_SECONDS.test(text) && new Date(text).toISOString() === text.replace("Z", ".000Z");
}

/** Zones as a list (CIDRs derived) or a zone -> CIDR map (CIDRs given). */
type ZonesSpec = { readonly kind: "list"; readonly zoneIds: string[] } | { readonly kind: "map"; readonly entries: [string, unknown][] };

function parseZonesSpec(text: string): ZonesSpec | undefined {
  const trimmed = text.trim();
  if (trimmed.startsWith("{")) {
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch {
      return undefined;
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
    return { kind: "map", entries: Object.entries(value as Record<string, unknown>) };
  }
  const zoneIds = parseStringList(trimmed);
  return zoneIds === undefined ? undefined : { kind: "list", zoneIds };
}

const ZONES_EXAMPLE = (region: string) =>
  `list the zones, e.g. \`pulumi config set --path '${configKey("zones")}[0]' ${region}-b\`, ` +
  `or map each zone to its CIDR in Pulumi.<stack>.yaml (${region}-b: 172.16.1.0/24)`;

function parseZones(
  problems: Problems,
  raw: RawInfraConfig,
  regionId: string | undefined,
  vpcCidr: string | undefined,
): ZonePlan[] {
  const region = regionId ?? "<region>";
  const text = raw[configKey("zones")];
  const maskText = raw[configKey("vSwitchMask")];
  if (text === undefined || text.trim() === "") {
    problems.add("zones", "is not set; the stack needs at least one zone for a vSwitch", ZONES_EXAMPLE(region));
    return [];
  }
  const spec = parseZonesSpec(text);
  if (!spec) {
    problems.add("zones", `"${text}" is neither a list of zones nor a zone -> CIDR map`, ZONES_EXAMPLE(region));
    return [];
  }

  const zoneIds = spec.kind === "list" ? spec.zoneIds : spec.entries.map(([zoneId]) => zoneId);
  if (zoneIds.length === 0) {
    problems.add("zones", "is empty; the stack needs at least one zone for a vSwitch", ZONES_EXAMPLE(region));
    return [];
  }
  const letters = new Map<string, string>();
  for (const zoneId of zoneIds) {
    if (letters.has(zoneId)) {
      problems.add("zones", `lists ${zoneId} twice`, "list each zone once: one vSwitch per zone");
      continue;
    }
    const letter = regionId === undefined ? undefined : zoneSuffix(regionId, zoneId);
    if (regionId !== undefined && letter === undefined) {
      problems.add(
        "zones",
        `${JSON.stringify(zoneId)} is not a zone of ${REGION_KEY} ${regionId} (zones look like ${regionId}-b)`,
        `use zones of ${regionId}, or set ${REGION_KEY} to the zones' region`,
      );
    }
    letters.set(zoneId, letter ?? zoneId);
  }

  let plan: { zoneId: string; cidr: string }[];
  if (spec.kind === "map") {
    if (maskText !== undefined) {
      problems.add(
        "vSwitchMask",
        "only applies when zones is a list (CIDRs derived); zones maps each zone to its CIDR",
        `pulumi config rm ${configKey("vSwitchMask")}`,
      );
    }
    plan = [];
    for (const [zoneId, cidr] of spec.entries) {
      if (typeof cidr !== "string" || cidr.trim() === "") {
        problems.add(
          "zones",
          `zone ${zoneId} has no CIDR`,
          `give it one (${zoneId}: <a free /24 inside the VPC>), or make zones a plain list to derive every CIDR`,
        );
        continue;
      }
      plan.push({ zoneId, cidr: cidr.trim() });
    }
  } else {
    if (vpcCidr === undefined) return [];
    let mask = DEFAULT_VSWITCH_MASK;
    if (maskText !== undefined) {
      mask = Number(maskText.trim());
      if (!Number.isInteger(mask) || mask < VSWITCH_MASK.min || mask > VSWITCH_MASK.max) {
        problems.add(
          "vSwitchMask",
          `"${maskText}" is not a vSwitch mask; it must be ${VSWITCH_MASK.min} to ${VSWITCH_MASK.max}`,
          `pulumi config set ${configKey("vSwitchMask")} 24`,
        );
        return [];
      }
    }
    const room = derivableVSwitchCount(vpcCidr, mask);
    if (zoneIds.length > room) {
      problems.add(
        "zones",
        `${zoneIds.length} zones do not fit in ${vpcCidr} as /${mask} vSwitches (room for ${room} after the first block)`,
        `use fewer zones, a longer ${configKey("vSwitchMask")}, a larger ${configKey("vpcCidr")}, or give each zone its CIDR`,
      );
      return [];
    }
    plan = deriveVSwitchCidrs(vpcCidr, [...new Set(zoneIds)], mask);
  }

  if (vpcCidr !== undefined) {
    for (const p of vSwitchCidrProblems(vpcCidr, plan)) {
      problems.add(
        "zones",
        `zone ${p.zoneId}: ${p.message}`,
        `give each zone a distinct CIDR inside ${vpcCidr} with a /${VSWITCH_MASK.min}-/${VSWITCH_MASK.max} mask`,
      );
    }
  }
  return plan.map(({ zoneId, cidr }) => ({ zoneId, letter: letters.get(zoneId) ?? zoneId, cidr }));
}

function parseCidrList(
  problems: Problems,
  name: "sshIngressCidrs" | "ramSourceIps",
  text: string | undefined,
  example: string,
): string[] {
  if (text === undefined) return [];
  const items = parseStringList(text);
  if (items === undefined) {
    problems.add(name, `"${text}" is not a list of IPv4 addresses or CIDRs`, `pulumi config set ${configKey(name)} ${example}`);
    return [];
  }
  const out: string[] = [];
  for (const item of items) {
    try {
      parseIpv4Cidr(item, { allowBareAddress: true });
      if (!out.includes(item)) out.push(item);
    } catch (err) {
      problems.add(name, (err as Error).message, `list IPv4 addresses or CIDRs, e.g. ${example}`);
    }
  }
  return out;
}

function parseSshCidrs(problems: Problems, raw: RawInfraConfig, allowAnywhere: boolean): string[] {
  const listed = parseCidrList(problems, "sshIngressCidrs", raw[configKey("sshIngressCidrs")], "203.0.113.0/24");
  const cidrs: string[] = [];
  for (const item of listed) {
    const cidr = formatCidr(parseIpv4Cidr(item, { allowBareAddress: true }));
    if (cidr === ANYWHERE && !allowAnywhere) {
      problems.add(
        "sshIngressCidrs",
        "lists 0.0.0.0/0, which opens SSH to the whole internet",
        `list only the networks you connect from; if you really mean everyone, also ` +
          `pulumi config set ${configKey("allowSshFromAnywhere")} true`,
      );
      continue;
    }
    if (!cidrs.includes(cidr)) cidrs.push(cidr);
  }
  if (allowAnywhere && !cidrs.includes(ANYWHERE)) cidrs.push(ANYWHERE);
  return cidrs;
}

function parseTimeWindow(problems: Problems, raw: RawInfraConfig): InfraConfig["ramTimeWindow"] {
  const read = (name: "ramTimeWindowStart" | "ramTimeWindowEnd"): string | undefined => {
    const text = raw[configKey(name)]?.trim();
    if (text === undefined || text === "") return undefined;
    if (!isIsoUtcSeconds(text)) {
      problems.add(
        name,
        `"${text}" is not an ISO 8601 UTC time such as 2026-01-01T00:00:00Z`,
        `pulumi config set ${configKey(name)} 2026-01-01T00:00:00Z`,
      );
      return undefined;
    }
    return text;
  };
  const start = read("ramTimeWindowStart");
  const end = read("ramTimeWindowEnd");
  if (start !== undefined && end !== undefined && Date.parse(start) >= Date.parse(end)) {
    problems.add("ramTimeWindowEnd", `${end} is not after ramTimeWindowStart ${start}`, "make the window end after it starts");
    return undefined;
  }
  if (start === undefined && end === undefined) return undefined;
  return { ...(start !== undefined && { start }), ...(end !== undefined && { end }) };
}

/**
 * Parses and validates the stack's raw configuration. Throws InfraConfigError naming every offending key,
 * what is wrong and how to fix it.
 */
export function parseInfraConfig(raw: RawInfraConfig): InfraConfig {
  const problems = new Problems();

  for (const key of Object.keys(raw)) {
    if (!key.startsWith(`${CONFIG_NAMESPACE}:`)) continue;
    const name = key.slice(CONFIG_NAMESPACE.length + 1);
    if (!(name in CONFIG_KEYS)) {
      problems.list.push({
        key,
        problem: "is not a setting of this stack (a typo?)",
        fix: `pulumi config rm ${key}; the settings are ${Object.keys(CONFIG_KEYS).join(", ")}`,
      });
    }
  }

  const regionText = raw[REGION_KEY]?.trim();
  let regionId: string | undefined;
  if (!regionText) {
    problems.add(REGION_KEY, "is not set", `pulumi config set ${REGION_KEY} cn-hangzhou`);
  } else if (REGION.problem(regionText)) {
    problems.add(REGION_KEY, REGION.problem(regionText)!, `pulumi config set ${REGION_KEY} cn-hangzhou`);
  } else {
    regionId = regionText;
  }

  const prefixText = raw[configKey("prefix")]?.trim();
  let prefix = prefixText ?? "";
  if (!prefixText) {
    problems.add("prefix", "is not set", `pulumi config set ${configKey("prefix")} openresty`);
  } else if (PREFIX.problem(prefixText)) {
    // The same rule SpotRunner and the CLI apply: a prefix the infra stack takes never breaks a job.
    problems.add("prefix", PREFIX.problem(prefixText)!, `pulumi config set ${configKey("prefix")} openresty`);
    prefix = "";
  }

  const vpcCidrText = raw[configKey("vpcCidr")]?.trim() || DEFAULT_VPC_CIDR;
  const vpcProblems = vpcCidrProblems(vpcCidrText);
  for (const problem of vpcProblems) {
    problems.add("vpcCidr", problem, `pulumi config set ${configKey("vpcCidr")} ${DEFAULT_VPC_CIDR}`);
  }
  const vpcCidr = vpcProblems.length === 0 ? vpcCidrText : undefined;

  const zones = parseZones(problems, raw, regionId, vpcCidr);

  const allowSshFromAnywhere = parseBoolean(problems, "allowSshFromAnywhere", raw[configKey("allowSshFromAnywhere")]);
  const sshIngressCidrs = parseSshCidrs(problems, raw, allowSshFromAnywhere);

  const levelText = raw[configKey("ramPolicyLevel")]?.trim() || DEFAULT_RAM_POLICY_LEVEL;
  let ramPolicyLevel = DEFAULT_RAM_POLICY_LEVEL;
  if ((RAM_POLICY_LEVELS as readonly string[]).includes(levelText)) {
    ramPolicyLevel = levelText as RamPolicyLevel;
  } else {
    problems.add(
      "ramPolicyLevel",
      `"${levelText}" is not a policy level; the levels are ${RAM_POLICY_LEVELS.join(", ")}`,
      `pulumi config set ${configKey("ramPolicyLevel")} vpc`,
    );
  }

  const ramTimeWindow = parseTimeWindow(problems, raw);
  const ramSourceIps = parseCidrList(problems, "ramSourceIps", raw[configKey("ramSourceIps")], "198.51.100.7,203.0.113.0/24");

  const userText = raw[configKey("ciUserName")]?.trim();
  const ciUserName = userText || defaultCiUserName(prefix || "prefix");
  if (userText && !USER_NAME_PATTERN.test(userText)) {
    problems.add(
      "ciUserName",
      `"${userText}" is not a RAM user name (1-64 letters, digits, ".", "_" or "-")`,
      `pulumi config set ${configKey("ciUserName")} github-actions`,
    );
  }
  const createAccessKey = parseBoolean(problems, "createAccessKey", raw[configKey("createAccessKey")]);

  const ciContext = {
    read: (name: ConfigKeyName) => raw[configKey(name)],
    key: configKey,
    parseList: parseStringList,
    prefix,
  };
  const report = (name: ConfigKeyName, problem: string, fix: string) => problems.add(name, problem, fix);
  const ciAuth = parseCiAuth(ciContext, report);
  const ciOidc = parseCiOidc(ciContext, ciAuth, report);

  if (problems.list.length === 0) {
    // Only the source-IP list can grow the document past RAM's limit; check now rather than at `up`.
    const length = renderPolicyDocument(
      buildRunnerPolicy({
        level: ramPolicyLevel,
        regionId: regionId!,
        prefix,
        vpcId: PLACEHOLDER_VPC_ID,
        ...(ramTimeWindow && { timeWindow: ramTimeWindow }),
        sourceIps: ramSourceIps,
      }),
    ).length;
    if (length > RAM_POLICY_MAX_LENGTH) {
      problems.add(
        "ramSourceIps",
        `makes the RAM policy ${length} characters long; RAM accepts at most ${RAM_POLICY_MAX_LENGTH}`,
        "merge the addresses into fewer, wider CIDRs",
      );
    }
  }

  if (problems.list.length > 0) throw new InfraConfigError(problems.list);
  return {
    regionId: regionId!,
    prefix,
    vpcCidr: vpcCidr!,
    zones,
    sshIngressCidrs,
    allowSshFromAnywhere,
    ramPolicyLevel,
    ...(ramTimeWindow && { ramTimeWindow }),
    ramSourceIps,
    ciAuth,
    ciUserName,
    createAccessKey,
    ...(ciOidc && { ciOidc }),
  };
}

/**
 * Settings that are valid but deserve a warning at `pulumi up` (the program logs them with
 * pulumi.log.warn). `now` is the caller's clock.
 */
export function configWarnings(config: InfraConfig, now: Date): string[] {
  const warnings: string[] = [];
  if (config.allowSshFromAnywhere) {
    warnings.push(
      `${configKey("allowSshFromAnywhere")} is true: SSH (22/tcp) on the runners is open to 0.0.0.0/0. Runners ` +
        `only dial out and need no ingress; list your own networks in ${configKey("sshIngressCidrs")} instead.`,
    );
  }
  const ci = ciIdentityName(config);
  const end = config.ramTimeWindow?.end;
  if (end !== undefined && Date.parse(end) <= now.getTime()) {
    warnings.push(
      `${configKey("ramTimeWindowEnd")} ${end} is in the past: RAM will deny every call of ${ci}.`,
    );
  }
  const start = config.ramTimeWindow?.start;
  if (start !== undefined && Date.parse(start) > now.getTime()) {
    warnings.push(`${configKey("ramTimeWindowStart")} ${start} is in the future: ${ci} is denied until then.`);
  }
  return warnings;
}

/** Who CI is, for messages: the RAM user, the OIDC role, or both. */
function ciIdentityName(config: InfraConfig): string {
  const role = config.ciOidc && `role ${config.ciOidc.roleName}`;
  const user = config.ciAuth === "oidc" ? undefined : `user ${config.ciUserName}`;
  return [user, role].filter(Boolean).join(" and ");
}
