import { InvalidInputError } from "../errors";
import { BootstrapInput } from "./input";
import { GITHUB_RELEASES_BASE_URL, PINNED_RUNNER } from "./pinnedRunner";

/** The input checked and with every default applied: exactly what the script is rendered from. */
export interface ResolvedBootstrap {
  readonly input: BootstrapInput;
  readonly runnerVersion: string;
  readonly runnerSha256: string;
  readonly downloadBaseUrl: string;
  /** Checked in order; the first that holds a runner is used as-is. */
  readonly preinstalledDirs: readonly string[];
  readonly runnerUser: string;
  readonly proxy?: { readonly http: string; readonly https: string; readonly noProxy: string };
}

export const DEFAULT_PREINSTALLED_DIR = "/opt/actions-runner";
export const DEFAULT_RUNNER_USER = "runner";

/** Idle limit: at least a minute, at most a day (a runner nobody wants for a day is a leak). */
export const IDLE_TIMEOUT_RANGE = { min: 1, max: 24 * 60 } as const;
/** Max runtime: at most a week, the longest TTL the provider accepts. */
export const MAX_RUNTIME_RANGE = { min: 5, max: 7 * 24 * 60 } as const;

/**
 * GitHub's JIT configs are a few KB; the cap keeps the script far below the 32 KB user-data limit whatever
 * GitHub sends.
 */
const MAX_JIT_CONFIG_LENGTH = 12 * 1024;

/** Destinations that must never go through a proxy: the metadata service, Aliyun endpoints, loopback. */
export const ALWAYS_DIRECT = ["localhost", "127.0.0.1", "100.100.100.200", ".aliyuncs.com", "aliyuncs.com"] as const;

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const SHA256 = /^[0-9a-f]{64}$/;
const VERSION = /^\d+\.\d+\.\d+$/;
// Printable ASCII without quotes, backslash or backtick: these values go into logs, JSON and the job log.
const LABEL_TEXT = /^[A-Za-z0-9 ._:/()+,@=-]+$/;
const POSIX_PATH = /^\/[A-Za-z0-9._/-]*$/;
const USER_NAME = /^[a-z_][a-z0-9_-]{0,31}$/;
const NO_PROXY_ENTRY = /^[A-Za-z0-9.*:/_-]+$/;

/** Checks every field (all failures reported at once, each naming its field) and applies the defaults. */
export function resolveInput(input: BootstrapInput): ResolvedBootstrap {
  const failures: { property: string; reason: string }[] = [];
  const fail = (property: string, reason: string): void => {
    failures.push({ property, reason });
  };

  if (input.arch !== "amd64" && input.arch !== "arm64") fail("arch", `must be "amd64" or "arm64", got ${JSON.stringify(input.arch)}`);

  if (typeof input.jitConfig !== "string" || input.jitConfig.length === 0) {
    fail("jitConfig", "is empty; pass GitHub's encoded_jit_config");
  } else if (!BASE64.test(input.jitConfig)) {
    // Never echo the value: it is a credential.
    fail("jitConfig", "has characters outside base64 (A-Z a-z 0-9 + / and trailing =)");
  } else if (input.jitConfig.length > MAX_JIT_CONFIG_LENGTH) {
    fail("jitConfig", `is ${input.jitConfig.length} characters; at most ${MAX_JIT_CONFIG_LENGTH} fit the user-data limit`);
  }

  checkText(fail, "runnerName", input.runnerName, 100);
  checkText(fail, "jobLabel", input.jobLabel, 100);
  checkSetupInfo(fail, input.setupInfo);

  checkMinutes(fail, "idleTimeoutMinutes", input.idleTimeoutMinutes, IDLE_TIMEOUT_RANGE);
  checkMinutes(fail, "maxRuntimeMinutes", input.maxRuntimeMinutes, MAX_RUNTIME_RANGE);
  if (Number.isInteger(input.idleTimeoutMinutes) && Number.isInteger(input.maxRuntimeMinutes) &&
      input.idleTimeoutMinutes > input.maxRuntimeMinutes) {
    fail("idleTimeoutMinutes", `(${input.idleTimeoutMinutes}) must not exceed maxRuntimeMinutes (${input.maxRuntimeMinutes})`);
  }

  const runner = input.runner ?? {};
  const runnerVersion = runner.version ?? PINNED_RUNNER.version;
  if (!VERSION.test(runnerVersion)) fail("runner.version", `"${runnerVersion}" is not a runner version such as ${PINNED_RUNNER.version}`);
  let runnerSha256 = "";
  if (runner.sha256 !== undefined) {
    if (!SHA256.test(runner.sha256)) fail("runner.sha256", "must be 64 lower-case hex digits");
    else runnerSha256 = runner.sha256;
  } else if (input.arch !== "amd64" && input.arch !== "arm64") {
    // Already reported; which checksum applies depends on the architecture.
  } else if (runnerVersion === PINNED_RUNNER.version) {
    runnerSha256 = PINNED_RUNNER.sha256[input.arch];
  } else if (VERSION.test(runnerVersion)) {
    fail("runner.sha256", `is required for runner ${runnerVersion} (only ${PINNED_RUNNER.version} has a built-in checksum); ` +
      "copy it from that release's notes");
  }
  const downloadBaseUrl = (runner.downloadBaseUrl ?? GITHUB_RELEASES_BASE_URL).replace(/\/+$/, "");
  checkUrl(fail, "runner.downloadBaseUrl", downloadBaseUrl);
  if (runner.preinstalledDir !== undefined && !POSIX_PATH.test(runner.preinstalledDir)) {
    fail("runner.preinstalledDir", "must be an absolute path of letters, digits, . _ - /");
  }
  const preinstalledDirs = [...new Set([runner.preinstalledDir, DEFAULT_PREINSTALLED_DIR].filter((d): d is string => !!d))]
    .map((d) => (d.length > 1 ? d.replace(/\/+$/, "") : d));

  const runnerUser = input.runnerUser ?? DEFAULT_RUNNER_USER;
  if (!USER_NAME.test(runnerUser)) fail("runnerUser", "must be a POSIX user name (lower-case letters, digits, _ -)");
  if (runnerUser === "root") fail("runnerUser", "must not be root: jobs run as a non-root user");

  const proxy = resolveProxy(fail, input.proxy);

  if (failures.length > 0) throw new InvalidInputError(failures, "bootstrap");
  return { input, runnerVersion, runnerSha256, downloadBaseUrl, preinstalledDirs, runnerUser, ...(proxy ? { proxy } : {}) };
}

type Fail = (property: string, reason: string) => void;

function checkText(fail: Fail, property: string, value: unknown, maxLength: number): void {
  if (typeof value !== "string" || value.length === 0) fail(property, "must not be empty");
  else if (value.length > maxLength) fail(property, `must be at most ${maxLength} characters`);
  else if (!LABEL_TEXT.test(value)) fail(property, "may hold only letters, digits, spaces and . _ : / ( ) + , @ = -");
}

function checkSetupInfo(fail: Fail, info: BootstrapInput["setupInfo"] | undefined): void {
  if (!info) {
    fail("setupInfo", "is required");
    return;
  }
  for (const key of ["instanceType", "zoneId", "regionId", "currency", "instanceName"] as const) {
    checkText(fail, `setupInfo.${key}`, info[key], 128);
  }
  if (!(typeof info.spotPrice === "number" && Number.isFinite(info.spotPrice) && info.spotPrice >= 0)) {
    fail("setupInfo.spotPrice", "must be a number >= 0");
  }
  if (info.priceLimit !== undefined && !(Number.isFinite(info.priceLimit) && info.priceLimit >= 0)) {
    fail("setupInfo.priceLimit", "must be a number >= 0 when given");
  }
  if (typeof info.autoReleaseTime !== "string" || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(info.autoReleaseTime) ||
      Number.isNaN(Date.parse(info.autoReleaseTime))) {
    fail("setupInfo.autoReleaseTime", "must be an ISO 8601 time such as 2026-11-28T10:00:00Z");
  }
}

function checkMinutes(fail: Fail, property: string, value: unknown, range: { min: number; max: number }): void {
  if (!(typeof value === "number" && Number.isInteger(value) && value >= range.min && value <= range.max)) {
    fail(property, `must be a whole number of minutes from ${range.min} to ${range.max}, got ${String(value)}`);
  }
}

function checkUrl(fail: Fail, property: string, value: string): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    fail(property, "must be an http(s) URL");
    return;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") fail(property, "must be an http(s) URL");
  // The URL ends up in single-quoted shell, logs and curl arguments: keep it to plain URL characters.
  else if (!/^[A-Za-z0-9._~:/?#[\]@!$&()*+,;=%-]+$/.test(value) || value.includes("'")) fail(property, "has characters a URL does not need");
  else if (url.username || url.password) {
    fail(property, "must not carry credentials: the JIT config is the only secret user data may hold");
  }
}

function resolveProxy(fail: Fail, proxy: BootstrapInput["proxy"]): ResolvedBootstrap["proxy"] {
  if (!proxy || (!proxy.http && !proxy.https)) return undefined;
  if (proxy.http) checkUrl(fail, "proxy.http", proxy.http);
  if (proxy.https) checkUrl(fail, "proxy.https", proxy.https);
  const userEntries = (proxy.noProxy ?? "").split(",").map((e) => e.trim()).filter((e) => e.length > 0);
  for (const entry of userEntries) {
    if (!NO_PROXY_ENTRY.test(entry)) fail("proxy.noProxy", `"${entry}" is not a host name, domain, address or CIDR`);
  }
  const noProxy = [...new Set([...userEntries, ...ALWAYS_DIRECT])].join(",");
  return { http: proxy.http ?? "", https: proxy.https ?? "", noProxy };
}
