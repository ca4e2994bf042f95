import { SpotRunnerError } from "../errors";
import { join } from "node:path";
import { BootstrapInput } from "./input";
import { RUNNER_PACKAGE_ARCH } from "./pinnedRunner";
import { ResolvedBootstrap, resolveInput } from "./resolveInput";
import { renderSetupInfo } from "./setupInfo";
import { loadScriptTemplate } from "./scriptTemplate";
import { shellQuote } from "./shellQuote";

/** ECS accepts at most this much user data, before base64. */
export const USER_DATA_LIMIT_BYTES = 32 * 1024;

const CONFIG_PLACEHOLDER = "__SPOT_RUNNER_CONFIG__";

/** bootstrap.sh as it goes on the wire (with the shared packages.sh inlined): read once when the module loads. */
const TEMPLATE = loadScriptTemplate(join(__dirname, "bootstrap.sh"));

export { compactScript } from "./scriptTemplate";

/**
 * The bash script a fresh instance runs as user data. Pure: the same input gives the same text. Throws
 * InvalidInputError naming each bad field.
 */
export function renderBootstrapScript(input: BootstrapInput): string {
  const resolved = resolveInput(input);
  // A function replacement, so `$&`-style patterns in values are never interpreted.
  const script = TEMPLATE.replace(`${CONFIG_PLACEHOLDER}\n`, () => renderConfig(resolved));
  const bytes = Buffer.byteLength(script, "utf8");
  if (bytes > USER_DATA_LIMIT_BYTES) {
    throw new SpotRunnerError(`bootstrap: the rendered script is ${bytes} bytes; ECS accepts at most ${USER_DATA_LIMIT_BYTES}`);
  }
  return script;
}

/** The rendered block of shell assignments the template reads. The JIT config comes last, once. */
function renderConfig(resolved: ResolvedBootstrap): string {
  const { input } = resolved;
  const assign = (name: string, value: string | number): string =>
    `${name}=${typeof value === "number" ? String(value) : shellQuote(value)}`;
  return [
    assign("RUNNER_NAME", input.runnerName),
    assign("JOB_LABEL", input.jobLabel),
    assign("RUNNER_ARCH", RUNNER_PACKAGE_ARCH[input.arch]),
    assign("RUNNER_VERSION", resolved.runnerVersion),
    assign("RUNNER_SHA256", resolved.runnerSha256),
    assign("RUNNER_DOWNLOAD_BASE", resolved.downloadBaseUrl),
    `PREINSTALLED_DIRS=(${resolved.preinstalledDirs.map(shellQuote).join(" ")})`,
    assign("RUNNER_USER", resolved.runnerUser),
    assign("IDLE_TIMEOUT_MINUTES", input.idleTimeoutMinutes),
    assign("MAX_RUNTIME_MINUTES", input.maxRuntimeMinutes),
    assign("INSTANCE_TYPE", input.setupInfo.instanceType),
    assign("ZONE_ID", input.setupInfo.zoneId),
    assign("PROXY_HTTP", resolved.proxy?.http ?? ""),
    assign("PROXY_HTTPS", resolved.proxy?.https ?? ""),
    assign("NO_PROXY", resolved.proxy?.noProxy ?? ""),
    assign("SETUP_INFO_JSON", renderSetupInfo(resolved)),
    assign("JIT_CONFIG", input.jitConfig),
  ].join("\n") + "\n";
}
