/**
 * ECS API errors as the gateway returns them: an HTTP status and `{RequestId, HostId, Code, Message, Recommend}`.
 * The catalogue holds the documented status and message of every code the emulator raises, so handlers only name
 * the code (and sometimes a more precise message).
 */
export class EcsApiError extends Error {
  override name = "EcsApiError";
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    /** Extra top-level fields of the error body, e.g. AccessDeniedDetail. */
    readonly extra: Readonly<Record<string, unknown>> = {},
    /** Extra response headers, e.g. x-acs-retry-after on throttling. */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

const CATALOGUE: Record<string, [number, string]> = {
  // authentication
  "InvalidAccessKeyId.NotFound": [404, "Specified access key is not found."],
  "Forbidden.AccessKeyDisabled": [403, "The Access Key is disabled."],
  SignatureDoesNotMatch: [400, "Specified signature is not matched with our calculation."],
  IncompleteSignature: [400, "The request signature does not conform to Aliyun standards."],
  SignatureNonceUsed: [400, "The request signature nonce has been used."],
  "InvalidTimeStamp.Expired": [400, "Specified time stamp or date value is expired."],
  "InvalidTimeStamp.Format": [400, "Specified time stamp or date value is not well formatted."],
  "InvalidSecurityToken.Malformed": [400, "The specified SecurityToken is malformed."],
  "Forbidden.RAM": [403, "User not authorized to operate on the specified resource, or this API doesn't support RAM."],
  // routing and common
  "InvalidAction.NotFound": [404, "Specified api is not found, please check your url and method."],
  InvalidVersion: [400, "Specified parameter Version is not valid."],
  MissingParameter: [400, "The input parameter that is mandatory for processing this request is not supplied."],
  InvalidParameter: [400, "The specified parameter is not valid."],
  "InvalidRegionId.NotFound": [404, "The specified RegionId does not exist."],
  "InvalidZoneId.NotFound": [404, "The specified zone does not exist."],
  IdempotentParameterMismatch: [400, "The request is retried with updated parameters."],
  DryRunOperation: [400, "Request validation has been passed with DryRun flag set."],
  "DRYRUN.SUCCESS": [400, "This request is a dryrun request with successful result."],
  "Throttling.User": [400, "Request was denied due to user flow control."],
  Throttling: [400, "Request was denied due to request throttling."],
  "Throttling.Api": [400, "Request was denied due to api flow control."],
  ServiceUnavailable: [503, "The request has failed due to a temporary failure of the server."],
  InternalError: [500, "The request processing has failed due to some unknown error, exception or failure."],
  UnknownError: [500, "The request processing has failed due to some unknown error."],
  OperationConflict: [409, "Request was denied due to conflict with a previous request."],
  InvalidNextToken: [400, "The specified NextToken is not valid."],
  // catalogue and prices
  "Invalid.DestinationResource": [404, "The specified DestinationResource is not valid."],
  "Invalid.InstanceChargeType": [400, "The specified InstanceChargeType is not valid."],
  "Invalid.SpotStrategy": [404, "The specified SpotStrategy is not valid."],
  "InvalidParams.NetworkType": [400, "The specified NetworkType is not valid."],
  "InvalidParams.IoOptimized": [400, "The specified IoOptimized is not valid."],
  "InvalidParams.OSType": [400, "The specified OSType is not valid."],
  "InvalidParams.StartTime": [400, "The specified StartTime is not valid."],
  "InvalidParams.EndTime": [400, "The specified EndTime is not valid."],
  "InvalidParams.Offset": [400, "The specified Offset is not valid."],
  // RunInstances
  "InvalidInstanceType.ValueNotSupported": [400, "The specified InstanceType does not exist or beyond the permitted range."],
  "InvalidInstanceType.ZoneNotSupported": [403, "The specified zone does not support this instancetype."],
  "OperationDenied.NoStock": [403, "The resource is out of stock in the specified zone. Please try other types, or choose other regions and zones."],
  InvalidSpotStrategy: [400, "The specified SpotStrategy is not valid."],
  InvalidSpotPriceLimit: [400, "The specified SpotPriceLimit is not valid."],
  "InvalidSpotPriceLimit.LowerThanPublicPrice": [400, "The specified parameter \"spotPriceLimit\" can't be lower than current public price."],
  InvalidSpotDuration: [400, "The specified SpotDuration is not valid."],
  InvalidSpotInterruptionBehavior: [400, "The specified SpotInterruptionBehavior is not valid."],
  InvalidSpotPrepaid: [400, "Spot instances can only be post-paid (InstanceChargeType=PostPaid)."],
  "InvalidSystemDiskCategory.ValueNotSupported": [400, "The specified system disk category is not supported by the instance type."],
  "InvalidSystemDiskSize.LessThanImageSize": [400, "The specified system disk size is less than the image size."],
  "InvalidUserData.SizeExceeded": [400, "The specified parameter UserData exceeds the size limit."],
  "InvalidUserData.NotSupported": [400, "The specified UserData is not valid Base64."],
  "InvalidVSwitchId.NotExist": [404, "The specified virtual switch does not exist."],
  "InvalidVSwitchId.Necessary": [400, "The VSwitchId is required for a VPC instance."],
  "InvalidParameter.Mismatch": [400, "Specified virtual switch is not in the specified zone."],
  "InvalidSecurityGroupId.NotFound": [404, "The specified SecurityGroupId does not exist."],
  "InvalidSecurityGroupId.VPCMismatch": [400, "The specified security group and virtual switch are not in the same VPC."],
  "InvalidImageId.NotFound": [404, "The specified ImageId does not exist."],
  ImageNotSupportInstanceType: [403, "The specified instance type does not support this image."],
  "InvalidAutoReleaseTime.Malformed": [400, "The specified AutoReleaseTime is not in UTC ISO 8601 format (yyyy-MM-ddTHH:mm:ssZ)."],
  InvalidAutoReleaseTime: [400, "The specified AutoReleaseTime must be at least 30 minutes and at most 3 years from now."],
  "InvalidTagKey.Malformed": [400, "The specified Tag.n.Key is not valid."],
  "InvalidTagValue.Malformed": [400, "The specified Tag.n.Value is not valid."],
  "InvalidTagKey.Duplicated": [400, "The specified tag keys are duplicated."],
  "InvalidInstanceName.Malformed": [400, "The specified InstanceName is not valid."],
  "InvalidHostName.Malformed": [400, "The specified HostName is not valid."],
  "InvalidInternetMaxBandwidthOut.ValueNotSupported": [400, "The specified InternetMaxBandwidthOut is not valid (0-100)."],
  "InvalidHttpTokens.ValueNotSupported": [400, "The specified HttpTokens is not valid (optional or required)."],
  "InvalidHttpEndpoint.ValueNotSupported": [400, "The specified HttpEndpoint is not valid (enabled or disabled)."],
  "InvalidAmount.ValueNotSupported": [400, "The specified Amount is not valid (1-100)."],
  "InvalidClientToken.Malformed": [400, "The specified ClientToken is not valid (ASCII, at most 64 characters)."],
  // instances
  "InvalidInstanceId.NotFound": [404, "The specified InstanceId does not exist."],
  "InvalidInstanceIds.Malformed": [400, "The specified parameter InstanceIds is not a valid JSON array of at most 100 ids."],
  IncorrectInstanceStatus: [403, "The current status of the resource does not support this operation."],
  "IncorrectInstanceStatus.Initializing": [403, "The specified instance is still being created; try again once it is Running."],
  // spot lifecycle (used by faults and the accepted-then-vanished path)
  "SystemFailure.Delete": [403, "The instance was released because resources were insufficient after it was accepted."],
};

/** Known status and message of a code; unknown codes default to 400 with a generic message. */
export function describeCode(code: string): { status: number; message: string } {
  const known = CATALOGUE[code];
  if (known) return { status: known[0], message: known[1] };
  if (code.includes("Throttling")) return { status: 400, message: CATALOGUE["Throttling.User"][1] };
  return { status: 400, message: `The request failed with ${code}.` };
}

export function ecsError(code: string, message?: string, extra?: Record<string, unknown>): EcsApiError {
  const known = describeCode(code);
  return new EcsApiError(code, known.status, message ?? known.message, extra);
}

export function missingParameter(name: string): EcsApiError {
  return new EcsApiError(
    "MissingParameter",
    400,
    `The input parameter "${name}" that is mandatory for processing this request is not supplied.`,
  );
}

export function invalidParameter(name: string, why: string, code = "InvalidParameter"): EcsApiError {
  return new EcsApiError(code, 400, `The specified parameter "${name}" is not valid: ${why}`);
}
