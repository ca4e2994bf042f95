import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { EmulatedGithubOidcIssuer, RunningEmulator } from "../../../emulator";
import { EMULATOR_ACCOUNT_ID } from "../../../emulator/scenario/common";

export const PROVIDER_ARN = `acs:ram::${EMULATOR_ACCOUNT_ID}:oidc-provider/openresty-github`;
export const ROLE_ARN = `acs:ram::${EMULATOR_ACCOUNT_ID}:role/openresty-github-actions`;
export const AUDIENCE = "sts.aliyuncs.com";

/**
 * The client the official aliyun/configure-aliyun-credentials-action exchanges the token with: @alicloud/credentials'
 * oidc_role_arn provider (the action's index.js builds `new Config({type: 'oidc_role_arn', roleArn,
 * oidcProviderArn, oidcTokenFilePath, roleSessionExpiration, roleSessionName})`). Loaded from where the ECS SDK
 * resolves it, so the test uses the copy the project already installs. The library only speaks https; the one
 * thing this harness changes is the scheme, so its request reaches the emulator on loopback as built.
 */
const credentialsEntry = require.resolve("@alicloud/credentials", { paths: [path.dirname(require.resolve("@alicloud/openapi-core"))] });
 
const credentialsModule = require(credentialsEntry);
 
const httpModule = require(path.join(path.dirname(credentialsEntry), "providers", "http"));

export interface StsCredentials {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  readonly securityToken: string;
}

export interface ExchangeOptions {
  readonly roleArn?: string;
  readonly providerArn?: string;
  readonly durationSeconds?: number;
  readonly sessionName?: string;
}

/** Writes the token to a file (as the action does) and exchanges it through the real client; rejects with its error. */
export async function exchangeToken(emu: RunningEmulator, token: string, options: ExchangeOptions = {}): Promise<StsCredentials> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "oidc-token-"));
  const tokenFile = path.join(dir, "token");
  fs.writeFileSync(tokenFile, token, { mode: 0o600 });
  try {
    const provider = credentialsModule.OIDCRoleArnCredentialsProvider.builder()
      .withRoleArn(options.roleArn ?? ROLE_ARN)
      .withOIDCProviderArn(options.providerArn ?? PROVIDER_ARN)
      .withOIDCTokenFilePath(tokenFile)
      .withRoleSessionName(options.sessionName ?? "gha-1234-1")
      .withDurationSeconds(options.durationSeconds ?? 3600)
      .withStsEndpoint(new URL(emu.stsEndpoint).host)
      .build();
    provider.doRequest = (request: { protocol: string }) => {
      request.protocol = "http";
      return httpModule.doRequest(request);
    };
    const credentials = await provider.getCredentials();
    return { accessKeyId: credentials.accessKeyId, accessKeySecret: credentials.accessKeySecret, securityToken: credentials.securityToken };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The environment the action leaves for later steps (its index.js exports ALIBABA_CLOUD_* and ALICLOUD_*). */
export function stsEnvironment(emu: RunningEmulator, credentials: StsCredentials): Record<string, string> {
  return {
    ALIBABA_CLOUD_ECS_ENDPOINT: emu.ecsEndpoint,
    GITHUB_API_URL: emu.githubApiUrl,
    GITHUB_TOKEN: emu.githubToken,
    ALIBABA_CLOUD_ACCESS_KEY_ID: credentials.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: credentials.accessKeySecret,
    ALIBABA_CLOUD_SECURITY_TOKEN: credentials.securityToken,
  };
}

/** Registers GitHub's OIDC provider (the issuer's public key as its JWKS) and a role with these policies. */
export function registerGithubRole(
  emu: RunningEmulator,
  issuer: EmulatedGithubOidcIssuer,
  trustPolicy: unknown,
  policies: readonly unknown[],
  maxSessionDurationSeconds = 3600,
): void {
  emu.sts.addOidcProvider({ arn: PROVIDER_ARN, issuerUrl: issuer.issuer, clientIds: [AUDIENCE], keys: [issuer.key], issuanceLimitHours: 1 });
  emu.sts.addRole({ arn: ROLE_ARN, trustPolicy, policies, maxSessionDurationSeconds });
}
