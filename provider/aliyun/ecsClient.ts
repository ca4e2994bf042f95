import Ecs from "@alicloud/ecs20140526";
import { $OpenApiUtil } from "@alicloud/openapi-core";
import { readAliyunCredentials } from "./credentials";
import { resolveEcsEndpoint } from "./endpoint";

export interface EcsClientOptions {
  readonly regionId: string;
  readonly env?: NodeJS.ProcessEnv;
  /**
   * The SDK's defaults are 3 s for both, and a slow answer then fails as "ConnectTimeout" even when only the
   * read timeout was raised; so both are always set explicitly.
   */
  readonly connectTimeoutMs?: number;
  readonly readTimeoutMs?: number;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
export const DEFAULT_READ_TIMEOUT_MS = 30_000;

/**
 * A new ECS SDK client built from the environment. Built per call site, never cached at module level: the
 * provider runs inside Pulumi's plugin host and credentials may change between `up` and `destroy`.
 * The SDK's own retries stay off (its default); `callEcs` does retries, so every call is counted and classified.
 */
export function createEcsClient(options: EcsClientOptions): Ecs {
  const env = options.env ?? process.env;
  const credentials = readAliyunCredentials(env);
  const { endpoint, protocol } = resolveEcsEndpoint(env);
  return new Ecs(
    new $OpenApiUtil.Config({
      ...credentials,
      regionId: options.regionId,
      endpoint,
      protocol,
      connectTimeout: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      readTimeout: options.readTimeoutMs ?? DEFAULT_READ_TIMEOUT_MS,
    }),
  );
}
