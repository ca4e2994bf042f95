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

export function resolveEcsEndpoint(env: NodeJS.ProcessEnv = process.env): EcsEndpoint {
  const raw = env[ECS_ENDPOINT_VARIABLE]?.trim();
  if (!raw) return { protocol: "https" };
  const withScheme = /^[a-z]+:\/\//i.test(raw) ? raw : `https://${raw}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new Error(`${ECS_ENDPOINT_VARIABLE}="${raw}" is not a URL; use e.g. https://ecs.cn-hangzhou.aliyuncs.com or http://127.0.0.1:8080`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new Error(`${ECS_ENDPOINT_VARIABLE}="${raw}" must use http or https`);
  }
  if (url.pathname !== "/" && url.pathname !== "") {
    throw new Error(`${ECS_ENDPOINT_VARIABLE}="${raw}" must not have a path: ECS calls always go to "/"`);
  }
  return { endpoint: url.host, protocol: url.protocol === "http:" ? "http" : "https" };
}
