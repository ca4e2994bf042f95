import { InvalidEnvironmentError } from "../errors";

/**
 * Where ECS calls go. By default the SDK's own regional endpoint over HTTPS; `ALIBABA_CLOUD_ECS_ENDPOINT`
 * (for example `http://127.0.0.1:8080`, the bundled emulator) overrides it. Read from the environment at
 * call time so Pulumi state never pins a test endpoint.
 */
export interface EcsEndpoint {
  /** host[:port] without a scheme, as the SDK's `Config.endpoint` wants it; undefined = SDK default for the region. */
  readonly endpoint?: string;
  readonly protocol: "http" | "https";
}

export const ECS_ENDPOINT_VARIABLE = "ALIBABA_CLOUD_ECS_ENDPOINT";

const EXAMPLES = "e.g. https://ecs.cn-hangzhou.aliyuncs.com, or http://127.0.0.1:8080 for the emulator";

/**
 * A value without a scheme means HTTPS: that is how Aliyun's own docs write endpoints (`ecs.cn-hangzhou.aliyuncs.com`).
 * The price is that a plain-HTTP server written without `http://` fails the TLS handshake; the error then says so
 * (aliyun/errors.ts, unreachableAdvice).
 */
export function resolveEcsEndpoint(env: NodeJS.ProcessEnv = process.env): EcsEndpoint {
  const raw = env[ECS_ENDPOINT_VARIABLE]?.trim();
  if (!raw) return { protocol: "https" };
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `https://${raw}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new InvalidEnvironmentError(ECS_ENDPOINT_VARIABLE, `${ECS_ENDPOINT_VARIABLE}="${raw}" is not a URL: set it to the ECS endpoint, ${EXAMPLES}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new InvalidEnvironmentError(ECS_ENDPOINT_VARIABLE, `${ECS_ENDPOINT_VARIABLE}="${raw}" must use http:// or https://, ${EXAMPLES}`);
  }
  if (url.pathname !== "/" && url.pathname !== "") {
    throw new InvalidEnvironmentError(ECS_ENDPOINT_VARIABLE,
      `${ECS_ENDPOINT_VARIABLE}="${raw}" must not have a path (ECS calls always go to "/"): use ${url.protocol}//${url.host}`);
  }
  return { endpoint: url.host, protocol: url.protocol === "http:" ? "http" : "https" };
}
