/**
 * STS AssumeRoleWithOIDC (2015-04-01): an OIDC token from a trusted identity provider in, temporary credentials of
 * a RAM role out. Request parameters and response shape from the API reference
 * (alibabacloud.com/help/en/ram/developer-reference/api-sts-2015-04-01-assumerolewithoidc, and the SDK's generated
 * AssumeRoleWithOIDCRequest/Response models): OIDCProviderArn, RoleArn, OIDCToken (4-20,000 characters),
 * RoleSessionName (2-64 of letters, digits, ".", "@", "-", "_"), DurationSeconds (900 to the role's
 * MaxSessionDuration, default 3600), Policy; the answer holds Credentials {AccessKeyId, AccessKeySecret,
 * SecurityToken, Expiration}, AssumedRoleUser {AssumedRoleId, Arn} and OIDCTokenInfo. The call needs no signature
 * ("No authorization for this operation"): the token is the credential.
 *
 * Checks, in order: parameters; the provider exists; the token decodes, is RS256 and signed by the provider's key;
 * its issuer is the provider's; it is within its lifetime and the provider's issuance limit; its audience is one of
 * the provider's client ids; the role exists; its trust policy lets this provider's token (iss, aud, sub) assume it;
 * the duration fits the role.
 */
import { isoSeconds } from "../format";
import type { RamDecision } from "../ram/evaluate";
import { missingParameter, stsError } from "./errors";
import { audiencesOf, decodeJwt, numericDate, OIDC_TOKEN_LENGTH, verifySignature } from "./jwt";
import { DEFAULT_MAX_SESSION_SECONDS, EmulatedOidcProvider, StsRegistry, StsSession } from "./registry";
import { evaluateTrustPolicy } from "./trustPolicy";

const ROLE_SESSION_NAME = /^[A-Za-z0-9.@_-]{2,64}$/;
const MIN_DURATION_SECONDS = 900;
const DEFAULT_DURATION_SECONDS = 3600;
const DEFAULT_ISSUANCE_LIMIT_HOURS = 12;
const REQUIRED = ["OIDCProviderArn", "RoleArn", "OIDCToken", "RoleSessionName"] as const;

export interface AssumeRoleWithOidcResult {
  /** The response body, minus RequestId. */
  readonly body: Record<string, unknown>;
  readonly session: StsSession;
}

/** Thrown with the trust decision when the role does not trust the token: the call log records why. */
export class TrustDeniedError extends Error {
  override name = "TrustDeniedError";
  constructor(readonly decision: RamDecision) {
    super(decision.reason);
  }
}

export function assumeRoleWithOidc(params: Readonly<Record<string, string>>, registry: StsRegistry, now: number): AssumeRoleWithOidcResult {
  for (const name of REQUIRED) if (params[name] === undefined) throw missingParameter(name);
  const { OIDCProviderArn: providerArn, RoleArn: roleArn, OIDCToken: token, RoleSessionName: sessionName } = params;
  if (!ROLE_SESSION_NAME.test(sessionName)) throw stsError("InvalidParameter.RoleSessionName");
  if (params.Policy !== undefined) {
    throw stsError("InvalidParameter", "The emulator does not model session policies (Policy): omit it, the role's own policies apply.");
  }
  if (token !== "" && (token.length < OIDC_TOKEN_LENGTH.min || token.length > OIDC_TOKEN_LENGTH.max)) {
    throw stsError("AuthenticationFail.OIDCToken.Invalid", `The OIDCToken must be ${OIDC_TOKEN_LENGTH.min} to ${OIDC_TOKEN_LENGTH.max} characters long.`);
  }

  const provider = registry.provider(providerArn);
  if (!provider) throw stsError("AuthenticationFail.NoPermission", "No such OIDC Provider registered.");
  const jwt = decodeJwt(token);
  verifySignature(jwt, provider.keys);
  const claims = checkClaims(jwt.payload, provider, now);

  const role = registry.role(roleArn);
  if (!role) throw stsError("EntityNotExist.Role", `The role not exists: ${roleArn}.`);
  const decision = evaluateTrustPolicy(role.trustPolicy, { providerArn, issuer: claims.issuer, audiences: claims.audiences, subject: claims.subject });
  if (!decision.allowed) throw new TrustDeniedError(decision);

  const maxSeconds = role.maxSessionDurationSeconds ?? DEFAULT_MAX_SESSION_SECONDS;
  const durationSeconds = params.DurationSeconds === undefined ? DEFAULT_DURATION_SECONDS : Number(params.DurationSeconds);
  if (!Number.isInteger(durationSeconds) || durationSeconds < MIN_DURATION_SECONDS || durationSeconds > maxSeconds) {
    throw stsError("InvalidParameter.DurationSeconds", `The Min/Max value of DurationSeconds is 15min/${maxSeconds / 3600}hr.`);
  }

  const session = registry.issue(role, sessionName, durationSeconds, now);
  return {
    session,
    body: {
      OIDCTokenInfo: {
        Subject: claims.subject,
        Issuer: claims.issuer,
        ClientIds: claims.audiences.join(","),
        ExpirationTime: isoSeconds(claims.expiresAt),
        IssuanceTime: isoSeconds(claims.issuedAt),
        VerificationInfo: "Success",
      },
      AssumedRoleUser: {
        AssumedRoleId: `${session.accessKeyId.slice(4, 20)}:${sessionName}`,
        Arn: `${roleArn}/${sessionName}`,
      },
      Credentials: {
        SecurityToken: session.securityToken,
        Expiration: isoSeconds(session.expiresAt),
        AccessKeySecret: session.accessKeySecret,
        AccessKeyId: session.accessKeyId,
      },
    },
  };
}

interface TokenClaims {
  readonly issuer: string;
  readonly audiences: string[];
  readonly subject: string;
  readonly issuedAt: number;
  readonly expiresAt: number;
}

/** Issuer, lifetime and audience against the provider; the emulated clock is the time line. */
function checkClaims(payload: Readonly<Record<string, unknown>>, provider: EmulatedOidcProvider, now: number): TokenClaims {
  const issuer = payload.iss;
  const subject = payload.sub;
  const exp = numericDate(payload, "exp");
  const iat = numericDate(payload, "iat");
  if (typeof issuer !== "string" || typeof subject !== "string" || exp === undefined || iat === undefined) {
    throw stsError("AuthenticationFail.OIDCToken.Invalid");
  }
  // Assumed code: the error-code page lists no issuer-specific row; an issuer other than the provider's is a token
  // this provider cannot vouch for.
  if (issuer !== provider.issuerUrl) {
    throw stsError("AuthenticationFail.OIDCToken.Invalid", `The issuer of the OIDCToken (${issuer}) is not the OIDC provider's issuer URL.`);
  }
  if (now >= exp * 1000) throw stsError("AuthenticationFail.OIDCToken.Expired");
  const nbf = numericDate(payload, "nbf");
  if (nbf !== undefined && now < nbf * 1000) throw stsError("AuthenticationFail.OIDCToken.Invalid", "The OIDCToken is not valid yet (nbf).");
  const limitHours = provider.issuanceLimitHours ?? DEFAULT_ISSUANCE_LIMIT_HOURS;
  if (now - iat * 1000 > limitHours * 3_600_000) throw stsError("AuthenticationFail.OIDCToken.Expired");
  const audiences = audiencesOf(payload);
  if (!audiences.some((a) => provider.clientIds.includes(a))) throw stsError("AuthenticationFail.OIDCToken.AudienceNotMatch");
  return { issuer, audiences, subject, issuedAt: iat * 1000, expiresAt: exp * 1000 };
}
