/**
 * What STS knows about in the emulator: OIDC identity providers and RAM roles (registered by the test or the
 * scenario's owner, as an administrator would create them with the infra stack), and the temporary credentials
 * AssumeRoleWithOIDC issued. ECS authenticates a call signed with a temporary AccessKey (+ SecurityToken) here and
 * authorizes it with the role's policies.
 */
import { randomBytes } from "node:crypto";
import type { ScenarioAccessKey } from "../scenario/types";
import type { IssuerKey } from "./jwt";
import { trustPolicyProblems } from "./trustPolicy";

export interface EmulatedOidcProvider {
  /** acs:ram::<account>:oidc-provider/<name> */
  readonly arn: string;
  /** Compared with the token's `iss`, exactly. */
  readonly issuerUrl: string;
  /** The audiences (client ids) the provider accepts; the token's `aud` must hold one. */
  readonly clientIds: readonly string[];
  /** The issuer's public keys: what STS would fetch from its JWKS (the emulator never goes online). */
  readonly keys: readonly IssuerKey[];
  /** RAM's "Earliest Issuance Time Allowed": tokens issued longer ago are refused. 1-168 hours, default 12. */
  readonly issuanceLimitHours?: number;
}

export interface EmulatedRole {
  /** acs:ram::<account>:role/<name> */
  readonly arn: string;
  /** The AssumeRolePolicyDocument, an object or its JSON text. */
  readonly trustPolicy: unknown;
  /** Permission policy documents attached to the role: what calls signed with its sessions may do. */
  readonly policies: readonly unknown[];
  /** RAM's MaxSessionDuration: 3600 to 43200 seconds, default 3600 (CreateRole). */
  readonly maxSessionDurationSeconds?: number;
}

export interface StsSession {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  readonly securityToken: string;
  /** Emulated-clock ms after which the credentials are refused. */
  readonly expiresAt: number;
  readonly roleArn: string;
  readonly sessionName: string;
  readonly policies: readonly unknown[];
}

/** A temporary key as ECS authentication needs it. */
export interface TemporaryKey {
  readonly key: ScenarioAccessKey;
  readonly securityToken: string;
  readonly expiresAt: number;
}

export const OIDC_PROVIDER_ARN = /^acs:ram::\d+:oidc-provider\/[A-Za-z0-9._-]{1,128}$/;
export const ROLE_ARN = /^acs:ram::\d+:role\/[A-Za-z0-9.-]{1,64}$/;
export const DEFAULT_MAX_SESSION_SECONDS = 3600;
/** Sessions are kept at most this long past their expiry (to tell "expired" from "unknown"), and at most this many. */
const EXPIRED_SESSION_GRACE_MS = 24 * 3_600_000;
const MAX_SESSIONS = 10_000;

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const randomText = (length: number): string => {
  const bytes = randomBytes(length);
  let out = "";
  for (const b of bytes) out += ALNUM[b % ALNUM.length];
  return out;
};

export class StsRegistry {
  private readonly providers = new Map<string, EmulatedOidcProvider>();
  private readonly roles = new Map<string, EmulatedRole>();
  private readonly sessions = new Map<string, StsSession>();

  /** Registers (or replaces) an OIDC provider. Throws on a malformed one: a test mistake, not a cloud error. */
  addOidcProvider(provider: EmulatedOidcProvider): void {
    if (!OIDC_PROVIDER_ARN.test(provider.arn)) throw new Error(`"${provider.arn}" is not an OIDC provider ARN (acs:ram::<account>:oidc-provider/<name>)`);
    if (provider.clientIds.length === 0) throw new Error(`OIDC provider ${provider.arn} needs at least one client id`);
    if (provider.keys.length === 0) throw new Error(`OIDC provider ${provider.arn} needs at least one public key`);
    this.providers.set(provider.arn, provider);
  }

  /** Registers (or replaces) a role. Throws when its trust policy is one RAM would refuse to store. */
  addRole(role: EmulatedRole): void {
    if (!ROLE_ARN.test(role.arn)) throw new Error(`"${role.arn}" is not a role ARN (acs:ram::<account>:role/<name>)`);
    const problems = trustPolicyProblems(role.trustPolicy);
    if (problems.length > 0) throw new Error(`role ${role.arn}: the trust policy is not valid: ${problems.join("; ")}`);
    const max = role.maxSessionDurationSeconds ?? DEFAULT_MAX_SESSION_SECONDS;
    if (!Number.isInteger(max) || max < 3600 || max > 43200) throw new Error(`role ${role.arn}: maxSessionDurationSeconds must be 3600 to 43200`);
    this.roles.set(role.arn, role);
  }

  provider(arn: string): EmulatedOidcProvider | undefined {
    return this.providers.get(arn);
  }

  role(arn: string): EmulatedRole | undefined {
    return this.roles.get(arn);
  }

  /** New temporary credentials for a role, valid for `durationSeconds` of emulated time from `now`. */
  issue(role: EmulatedRole, sessionName: string, durationSeconds: number, now: number): StsSession {
    this.prune(now);
    const session: StsSession = {
      accessKeyId: `STS.${randomText(25)}`,
      accessKeySecret: randomText(44),
      // Real tokens are long opaque strings (the SDK docs warn not to cap their length); so is this one.
      securityToken: `CAIS${randomBytes(384).toString("base64")}`,
      expiresAt: now + durationSeconds * 1000,
      roleArn: role.arn,
      sessionName,
      policies: role.policies,
    };
    this.sessions.set(session.accessKeyId, session);
    return session;
  }

  /** The temporary key with this id, for ECS authentication; undefined when STS never issued it. */
  findTemporaryKey(accessKeyId: string): TemporaryKey | undefined {
    const session = this.sessions.get(accessKeyId);
    if (!session) return undefined;
    return {
      key: { accessKeyId: session.accessKeyId, accessKeySecret: session.accessKeySecret, policies: session.policies },
      securityToken: session.securityToken,
      expiresAt: session.expiresAt,
    };
  }

  private prune(now: number): void {
    for (const [id, s] of this.sessions) if (s.expiresAt + EXPIRED_SESSION_GRACE_MS < now) this.sessions.delete(id);
    // Oldest first (insertion order) when a long run issues more than the cap.
    for (const id of this.sessions.keys()) {
      if (this.sessions.size < MAX_SESSIONS) break;
      this.sessions.delete(id);
    }
  }
}
