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
  // DescribeSpotAdvice's own table.
  "Invalid.RegionId": [404, "The specified RegionId does not exist."],
  "InvalidParam.TypeAndCpuMem.Conflict": [403, "The specified 'InstanceType' and 'Cores','Memory' are not blank at the same time."],
  // RunInstances: codes, statuses and messages from the API's error table (api.aliyun.com, RunInstances, errorCodes
  // by HTTP status; AlibabaCloudDocs/ecs RunInstances.md). Where a code is listed under two statuses, the status of
  // the meaning the emulator raises it for is kept; a fault can still give the other with `status`.
  "InvalidInstanceType.ValueNotSupported": [400, "The specified InstanceType does not exist or beyond the permitted range."],
  "InvalidInstanceType.ZoneNotSupported": [403, "The specified zone does not support this instancetype."],
  "OperationDenied.NoStock": [403, "The resource is out of stock in the specified zone. Please try other types, or choose other regions and zones."],
  "OperationDenied.FlavorNotSupported": [403, "Flavor not support spot duration instance."],
  InvalidSpotStrategy: [400, "The specified SpotStrategy is not valid."],
  "InvalidSpotParam.EmptyZoneID": [400, "The specified zoneid is empty when SpotStrategy is set."],
  InvalidSpotPriceLimit: [400, "The specified SpotPriceLimitis not valid."],
  "InvalidSpotPriceLimit.LowerThanPublicPrice": [400, "The specified parameter \"spotPriceLimit\" can't be lower than current public price."],
  InvalidSpotDuration: [400, "The specified SpotDuration is not valid."],
  InvalidSpotInterruptionBehavior: [400, "The specified SpotInterruptionBehavior is not valid."],
  InvalidSpotPrepaid: [400, "The specified Spot type is not support PrePay Instance."],
  "InvalidInstanceChargeType.NotFound": [404, "The InstanceChargeType does not exist in our records."],
  "InvalidSystemDiskCategory.ValueNotSupported": [400, "The specified parameter \"SystemDisk.Category\" is not valid."],
  "InvalidSystemDiskSize.ValueNotSupported": [400, "The specified parameter SystemDisk.Size is not valid."],
  "InvalidSystemDiskSize.LessThanImageSize": [404, "The specified parameter SystemDisk.Size is less than the image size."],
  "InvalidUserData.SizeExceeded": [400, "The specified parameter \"UserData\" exceeds the size."],
  "InvalidUserData.Base64FormatInvalid": [400, "The specified UserData is not valid."],
  "InvalidVSwitchId.NotExist": [404, "The specified virtual switch does not exist."],
  "InvalidVSwitchId.Necessary": [400, "The VSwitchId is necessary."],
  // One code, two meanings in the API's table: the vSwitch is not in ZoneId, or the security group is not in the
  // vSwitch's VPC. The default message is the second; the emulator words the first itself.
  "InvalidParameter.Mismatch": [400, "Specified security group and virtual switch are not in the same VPC."],
  "InvalidSecurityGroupId.NotFound": [404, "The SecurityGroupId provided does not exist in our records."],
  "InvalidSecurityGroup.VpcMismatch": [400, "The specified security groups are not in the same VPC."],
  "InvalidSecurityGroupId.SingleIdAndMultiIdConflict": [400, "SecurityGroupId and SecurityGroupIds.N cannot be specified at the same time."],
  "InvalidImageId.NotFound": [404, "The specified ImageId does not exist."],
  ImageNotSupportInstanceType: [403, "The specified image does not support the specified InstanceType."],
  "InvalidAutoReleaseTime.Malformed": [400, "The specified parameter AutoReleaseTime is not valid."],
  "InvalidTagKey.Malformed": [400, "The specified Tag.n.Key is not valid."],
  "InvalidTagValue.Malformed": [400, "The specified Tag.n.Value is not valid."],
  "Duplicate.TagKey": [400, "The Tag.N.Key contain duplicate key."],
  "InvalidInstanceName.Malformed": [400, "The specified parameter \"InstanceName\" is not valid."],
  "InvalidHostName.Malformed": [400, "The specified parameter \"HostName\" is not valid."],
  "InvalidInternetMaxBandwidthOut.Malformed": [400, "The specified parameter internetMaxBandwidthOut is not valid."],
  "InvalidHttpTokens.NotSupported": [400, "The specified HttpTokens not supported, you can use optional(default) or required."],
  "InvalidHttpEndpoint.NotSupported": [400, "The specified HttpEndpoint not supported, you can use enabled(default) or disabled."],
  "InvalidParam.Amount": [403, "The specified parameter Amount is not valid."],
  "InvalidMinAmount.Malformed": [400, "The specified parameter MinAmount is not valid."],
  "InvalidClientToken.ValueNotSupported": [400, "The ClientToken provided is invalid."],
  // The status of IdempotentProcessing is not published (assumed 400: the client must know the code to retry it).
  IdempotentProcessing: [400, "The previous idempotent request(s) is still processing."],
  // Per type or zone: not raised by the emulator's own rules, but injectable as faults with the documented status.
  OperationDenied: [400, "The specified instanceType or zone is not available or not authorized."],
  "InvalidInstanceType.ValueUnauthorized": [400, "The specified InstanceType is not authorized."],
  CategoryNotSupported: [403, "The specified zone does not offer the specified disk category."],
  "InvalidDiskCategory.NotSupported": [403, "The specified disk category is not support the specified instance type."],
  "InvalidInstanceType.NotSupportDiskCategory": [403, "The instanceType of the specified instance does not support this disk category."],
  "IoOptimized.NotSupported": [404, "The specified instancetype is not support IoOptimized instance."],
  "QuotaExceed.ElasticQuota": [403, "No additional quota is available for the specified ECS instance type."],
  "QuotaExceeded.PrivateIpAddress": [400, "Don't have enough private IPs in this switch."],
  "QuotaExceed.DiskCapacity": [400, "The used capacity of disk type has exceeded the quota in the zone, cloud_essd."],
  "Zone.NotOnSale": [403, "The resource in the specified zone is no longer available for sale. Please try other regions and zones."],
  "Zone.NotOpen": [403, "The specified zone is not granted to you to buy resources yet."],
  "InstanceType.Offline": [403, "The specified instance type is offline or its resources are insufficient."],
  ResourceNotAvailable: [400, "Resource you requested is not available in this region or zone."],
  "InvalidResourceType.NotSupported": [403, "The specified resource type is not supported in the zone."],
  "OperationDenied.ZoneNotAllowed": [403, "The creation of Instance to the specified Zone is not allowed."],
  // Account-wide: no other candidate can succeed.
  "Account.Arrearage": [400, "Your account has been in arrears."],
  "InvalidAccountStatus.NotEnoughBalance": [403, "Your account does not have enough balance."],
  InsufficientBalance: [403, "Your account does not have enough balance."],
  "QuotaExceed.AfterpayInstance": [400, "Living afterpay instances quota exceeded."],
  "InvalidAccount.NotSupportSpot": [400, "According to business rules, this account cannot purchase ECS Spot instances."],
  RealNameAuthenticationError: [403, "Your account has not passed the real-name authentication yet."],
  "Throttling.Resource": [429, "The request throttle by resource operation."],
  // instances
  "InvalidInstanceId.NotFound": [404, "The specified InstanceId does not exist."],
  "InvalidInstanceIds.Malformed": [400, "The specified parameter InstanceIds is not a valid JSON array of at most 100 ids."],
  IncorrectInstanceStatus: [403, "The current status of the resource does not support this operation."],
  "IncorrectInstanceStatus.Initializing": [403, "The specified instance is still being created; try again once it is Running."],
  // images: DeleteImage's and DeleteSnapshot's tables (help.aliyun.com DeleteImage, DeleteSnapshot); CreateImage's name
  // and description codes are assumed (docs/emulator.md, conformance)
  ImageIsCreating: [403, "The specified image is being created."],
  ImageUsingByInstance: [403, "The specified image has been used to create instances. You can use the DescribeInstances API to query these instances, or you can use the force parameter to proceed."],
  ImageUseShared: [403, "The specified image has been shared to others."],
  SnapshotCreatedImage: [403, "The snapshot has been used to create user defined image(s)."],
  "InvalidImageName.Malformed": [400, "The specified ImageName is not valid."],
  "InvalidImageName.Duplicated": [400, "The specified ImageName has already been used."],
  "InvalidDescription.Malformed": [400, "The specified Description is not valid."],
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
