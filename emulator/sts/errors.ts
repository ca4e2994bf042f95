/**
 * STS (2015-04-01) errors as the POP gateway returns them: an HTTP status and `{RequestId, HostId, Code, Message,
 * Recommend}`, the same envelope as ECS. Sources:
 * - AuthenticationFail.* rows: the STS error-code page (help.aliyun.com/zh/ram/developer-reference/
 *   api-sts-2015-04-01-errorcodes), codes, statuses and messages word for word;
 * - InvalidParameter.RoleSessionName / InvalidParameter.DurationSeconds: Alibaba's "common STS errors" page
 *   (alibabacloud.com/help/doc-detail/42775.htm), written for AssumeRole;
 * - the rest (MissingParameter, EntityNotExist.Role, the issuer mismatch) are assumed: the generic POP codes and
 *   RAM's entity code, since no page lists them for AssumeRoleWithOIDC. docs/emulator.md lists them as assumed.
 */
export class StsApiError extends Error {
  override name = "StsApiError";
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const CATALOGUE: Readonly<Record<string, readonly [number, string]>> = {
  "AuthenticationFail.NoPermission": [401, "There is no permission"],
  "AuthenticationFail.OIDCToken.AudienceNotMatch": [401, "Invalid audience."],
  "AuthenticationFail.OIDCToken.Expired": [401, "This JsonWebToken is expired."],
  "AuthenticationFail.OIDCToken.Invalid": [401, "The Jwt content is invalid that cannot be recognized."],
  "AuthenticationFail.OIDCToken.InvalidSignature": [401, "OIDC token validate failed: invalid signature."],
  "InvalidParameter.RoleSessionName": [400, "The parameter RoleSessionName is wrongly formed."],
  "InvalidParameter.DurationSeconds": [400, "The Min/Max value of DurationSeconds is 15min/1hr."],
  "EntityNotExist.Role": [404, "The role not exists."],
  InvalidParameter: [400, "The specified parameter is not valid."],
  MissingParameter: [400, "The input parameter that is mandatory for processing this request is not supplied."],
  "InvalidAction.NotFound": [404, "Specified api is not found, please check your url and method."],
  InvalidVersion: [400, "Specified parameter Version is not valid."],
  InternalError: [500, "The request processing has failed due to some unknown error, exception or failure."],
};

/** An error by code, with the catalogue's status and message unless a more precise message is given. */
export function stsError(code: string, message?: string): StsApiError {
  const known = CATALOGUE[code];
  if (!known) throw new Error(`the emulator has no STS error ${code}`);
  return new StsApiError(code, known[0], message ?? known[1]);
}

export function missingParameter(name: string): StsApiError {
  return stsError("MissingParameter", `The input parameter "${name}" that is mandatory for processing this request is not supplied.`);
}
