import { MissingEnvironmentError } from "../errors";

/** An Aliyun AccessKey pair, optionally an STS session. Read from the environment at call time, never stored. */
export interface AliyunCredentials {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  readonly securityToken?: string;
}

/**
 * The two spellings we accept: the Alibaba Cloud SDK's, and the one `@pulumi/alicloud` reads, so one set of
 * CI secrets serves the infra stack and the runner stacks.
 */
const SPELLINGS = [
  { id: "ALIBABA_CLOUD_ACCESS_KEY_ID", secret: "ALIBABA_CLOUD_ACCESS_KEY_SECRET", token: "ALIBABA_CLOUD_SECURITY_TOKEN" },
  { id: "ALICLOUD_ACCESS_KEY", secret: "ALICLOUD_SECRET_KEY", token: "ALICLOUD_SECURITY_TOKEN" },
] as const;

export function readAliyunCredentials(env: NodeJS.ProcessEnv = process.env): AliyunCredentials {
  for (const names of SPELLINGS) {
    const accessKeyId = env[names.id]?.trim();
    const accessKeySecret = env[names.secret]?.trim();
    if (accessKeyId && accessKeySecret) {
      const securityToken = env[names.token]?.trim() || undefined;
      return { accessKeyId, accessKeySecret, ...(securityToken ? { securityToken } : {}) };
    }
    if (accessKeyId || accessKeySecret) {
      const missing = accessKeyId ? names.secret : names.id;
      throw new MissingEnvironmentError(
        [missing],
        `Aliyun credentials are incomplete: ${accessKeyId ? names.id : names.secret} is set but ${missing} is not. ` +
          `Set both (the CI RAM user's AccessKey pair).`,
      );
    }
  }
  throw new MissingEnvironmentError(
    ["ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET"],
    "Aliyun credentials are not set: set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET " +
      "(or ALICLOUD_ACCESS_KEY and ALICLOUD_SECRET_KEY) to the CI RAM user's AccessKey pair.",
  );
}
