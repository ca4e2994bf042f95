import type { ScenarioImage, ScenarioInstanceType, ScenarioSecurityGroup, ScenarioVSwitch } from "../../scenario/types";
import { decimalPlaces, MINUTE_MS, parseUtcSeconds } from "../../format";
import type { EcsCall } from "../call";
import { ecsError, missingParameter } from "../errors";
import { DEFAULT_DISK_CATEGORIES } from "./regions";

/**
 * RunInstances' parameter rules, one reader per parameter group, each raising the code the API's error table
 * gives for that parameter. runInstances.ts decides the order they run in.
 */

const MAX_USER_DATA_BASE64 = 32 * 1024;
const MIN_AUTO_RELEASE_AHEAD_MS = 30 * MINUTE_MS;
/** "At most three years": 3 x 365 days, the stricter reading when a leap day falls inside. */
const MAX_AUTO_RELEASE_AHEAD_MS = 3 * 365 * 24 * 60 * MINUTE_MS;

/** ClientToken: ASCII, at most 64 characters. */
export function readClientToken(call: EcsCall): string | undefined {
  const token = call.params.get("ClientToken");
  if (token !== undefined && (token.length > 64 || !/^[\x20-\x7e]+$/.test(token))) {
    throw ecsError("InvalidClientToken.ValueNotSupported", `The ClientToken provided is invalid: ASCII, at most 64 characters (got ${token.length}).`);
  }
  return token;
}

/** Amount 1-100 (InvalidParam.Amount, 403 in the API's table) and MinAmount 1..Amount. */
export function readAmounts(call: EcsCall): { amount: number; minAmount: number } {
  const p = call.params;
  const amountText = p.get("Amount");
  const amount = amountText === undefined ? 1 : Number(amountText);
  if (!/^\d+$/.test(amountText ?? "1") || amount < 1 || amount > 100) {
    throw ecsError("InvalidParam.Amount", `The specified parameter Amount "${amountText}" is not valid: 1-100.`);
  }
  const minText = p.get("MinAmount");
  const minAmount = minText === undefined ? amount : Number(minText);
  if (!/^\d+$/.test(minText ?? "1") || minAmount < 1 || minAmount > amount) {
    throw ecsError("InvalidMinAmount.Malformed", `The specified parameter MinAmount "${minText}" is not valid: 1 to Amount (${amount}).`);
  }
  return { amount, minAmount };
}

/**
 * The security groups: each must exist in the region; several groups must share one VPC
 * (InvalidSecurityGroup.VpcMismatch); and that VPC must be the vSwitch's (InvalidParameter.Mismatch, the API's
 * "Specified security group and virtual switch are not in the same VPC.").
 */
export function checkSecurityGroups(call: EcsCall, ids: readonly string[], vSwitch: ScenarioVSwitch): ScenarioSecurityGroup[] {
  const groups = ids.map((id) => {
    const group = call.world.securityGroups.get(id);
    if (!group || group.regionId !== vSwitch.regionId) {
      throw ecsError("InvalidSecurityGroupId.NotFound", `The SecurityGroupId provided does not exist in our records: "${id}" in ${vSwitch.regionId}.`);
    }
    return group;
  });
  const vpcs = [...new Set(groups.map((g) => g.vpcId))];
  if (vpcs.length > 1) {
    throw ecsError("InvalidSecurityGroup.VpcMismatch", `The specified security groups are not in the same VPC: ${groups.map((g) => `${g.securityGroupId} in ${g.vpcId}`).join(", ")}.`);
  }
  if (vpcs[0] !== vSwitch.vpcId) {
    throw ecsError(
      "InvalidParameter.Mismatch",
      `Specified security group and virtual switch are not in the same VPC: ${groups[0].securityGroupId} is in ${vpcs[0]}, ${vSwitch.vSwitchId} in ${vSwitch.vpcId}.`,
    );
  }
  return groups;
}

export function readSystemDisk(call: EcsCall, type: ScenarioInstanceType, image: ScenarioImage): { category: string; size: number } {
  const accepted = type.systemDiskCategories ?? DEFAULT_DISK_CATEGORIES;
  const category = call.params.get("SystemDisk.Category") ?? accepted[0];
  if (!accepted.includes(category)) {
    throw ecsError(
      "InvalidSystemDiskCategory.ValueNotSupported",
      `The specified parameter "SystemDisk.Category" is not valid: ${type.instanceTypeId} takes ${accepted.join(", ")}, not "${category}".`,
    );
  }
  const size = call.params.int("SystemDisk.Size", { min: 20, max: 2048, code: "InvalidSystemDiskSize.ValueNotSupported" }) ?? Math.max(40, image.size);
  if (size < image.size) {
    throw ecsError("InvalidSystemDiskSize.LessThanImageSize", `The specified parameter SystemDisk.Size (${size} GiB) is less than the image size (${image.size} GiB of ${image.imageId}).`);
  }
  return { category, size };
}

export type SpotStrategy = "NoSpot" | "SpotWithPriceLimit" | "SpotAsPriceGo";

export interface SpotSettings {
  readonly chargeType: "PostPaid" | "PrePaid";
  readonly strategy: SpotStrategy;
  readonly spot: boolean;
  readonly priceLimit?: number;
  /** Hours of protection: 0 or 1 (default 1). */
  readonly duration: number;
  readonly interruption: string;
}

/**
 * Charge type and the spot parameters. A spot request must name its ZoneId even when the vSwitch implies one
 * (InvalidSpotParam.EmptyZoneID), and a type without protection-period support refuses SpotDuration 1, which is
 * also the default when SpotDuration is omitted (OperationDenied.FlavorNotSupported).
 */
export function readSpotSettings(call: EcsCall, type: ScenarioInstanceType): SpotSettings {
  const p = call.params;
  const chargeType = p.oneOf("InstanceChargeType", ["PostPaid", "PrePaid"], "PostPaid", "InvalidInstanceChargeType.NotFound");
  const strategy = p.oneOf("SpotStrategy", ["NoSpot", "SpotWithPriceLimit", "SpotAsPriceGo"], "NoSpot", "InvalidSpotStrategy");
  const spot = strategy !== "NoSpot";
  if (spot && chargeType === "PrePaid") throw ecsError("InvalidSpotPrepaid");
  if (spot && !p.has("ZoneId")) throw ecsError("InvalidSpotParam.EmptyZoneID");
  const priceLimit = readSpotPriceLimit(call, strategy);
  const duration = p.int("SpotDuration", { min: 0, max: 1, fallback: 1, code: "InvalidSpotDuration" }) ?? 1;
  if (spot && duration > 0 && type.spotDurationSupported === false) {
    throw ecsError("OperationDenied.FlavorNotSupported", `Flavor not support spot duration instance: ${type.instanceTypeId} has no protection period; use SpotDuration 0.`);
  }
  const interruption = p.oneOf("SpotInterruptionBehavior", ["Terminate", "Stop"], "Terminate", "InvalidSpotInterruptionBehavior");
  return { chargeType, strategy, spot, ...(priceLimit !== undefined ? { priceLimit } : {}), duration, interruption };
}

function readSpotPriceLimit(call: EcsCall, strategy: SpotStrategy): number | undefined {
  const text = call.params.get("SpotPriceLimit");
  if (strategy !== "SpotWithPriceLimit") return undefined;
  if (text === undefined) throw missingParameter("SpotPriceLimit");
  const value = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !Number.isFinite(value) || value <= 0) {
    throw ecsError("InvalidSpotPriceLimit", `The specified SpotPriceLimit "${text}" is not valid: a positive hourly price.`);
  }
  if (decimalPlaces(text) > 3) throw ecsError("InvalidSpotPriceLimit", `The specified SpotPriceLimit "${text}" is not valid: at most three decimal places.`);
  return value;
}

/**
 * AutoReleaseTime: yyyy-MM-ddTHH:mm:ssZ (UTC, seconds required), seconds dropped, then at least 30 minutes and at
 * most 3 years after the server's clock. The API documents one code, InvalidAutoReleaseTime.Malformed, for an
 * invalid value; the emulator answers it for both a bad format and a time out of range.
 */
export function readAutoReleaseTime(call: EcsCall): number | undefined {
  const text = call.params.get("AutoReleaseTime");
  if (text === undefined) return undefined;
  const parsed = parseUtcSeconds(text);
  if (parsed === undefined) {
    throw ecsError("InvalidAutoReleaseTime.Malformed", `The specified parameter AutoReleaseTime "${text}" is not valid: use yyyy-MM-ddTHH:mm:ssZ in UTC.`);
  }
  const at = Math.floor(parsed / MINUTE_MS) * MINUTE_MS;
  const ahead = at - call.now;
  if (ahead < MIN_AUTO_RELEASE_AHEAD_MS || ahead > MAX_AUTO_RELEASE_AHEAD_MS) {
    throw ecsError(
      "InvalidAutoReleaseTime.Malformed",
      `The specified parameter AutoReleaseTime ${text} is not valid: it must be at least 30 minutes and at most 3 years after the current time (${new Date(call.now).toISOString()}).`,
    );
  }
  return at;
}

/** Tag.N (at most 20): keys 1-128 characters, no reserved prefix, no key twice (Duplicate.TagKey); values at most 128. */
export function readTags(call: EcsCall): { key: string; value: string }[] {
  const tags = call.params.objectList("Tag", 20).map((t) => ({ key: t.Key ?? "", value: t.Value ?? "" }));
  const seen = new Set<string>();
  for (const { key, value } of tags) {
    if (key === "" || key.length > 128 || /^(aliyun|acs:)/i.test(key) || /^https?:\/\//.test(key)) {
      throw ecsError("InvalidTagKey.Malformed", `The specified Tag.n.Key "${key}" is not valid: 1-128 characters, not starting with aliyun, acs:, http:// or https://.`);
    }
    if (value.length > 128 || /^(aliyun|acs:)/i.test(value) || /^https?:\/\//.test(value)) {
      throw ecsError("InvalidTagValue.Malformed", `The specified Tag.n.Value of "${key}" is not valid: at most 128 characters, not starting with aliyun, acs:, http:// or https://.`);
    }
    if (seen.has(key)) throw ecsError("Duplicate.TagKey", `The Tag.N.Key contain duplicate key: "${key}".`);
    seen.add(key);
  }
  return tags;
}

/** UserData: Base64 (InvalidUserData.Base64FormatInvalid), at most 32 KB of it (InvalidUserData.SizeExceeded). */
export function readUserData(call: EcsCall): string | undefined {
  const text = call.params.get("UserData");
  if (text === undefined) return undefined;
  if (text.length > MAX_USER_DATA_BASE64) {
    throw ecsError("InvalidUserData.SizeExceeded", `The specified parameter "UserData" exceeds the size: ${text.length} bytes of Base64, the limit is 32 KB.`);
  }
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) throw ecsError("InvalidUserData.Base64FormatInvalid");
  return text;
}

export interface InstanceOptions {
  readonly instanceName?: string;
  readonly hostName?: string;
  readonly httpTokens: "optional" | "required";
  readonly httpEndpoint: "enabled" | "disabled";
  readonly bandwidthOut: number;
}

/** InstanceName, HostName, the metadata options and the public bandwidth. */
export function readInstanceOptions(call: EcsCall): InstanceOptions {
  const p = call.params;
  const instanceName = p.get("InstanceName");
  if (instanceName !== undefined && !/^[A-Za-z\u4e00-\u9fa5][\w\u4e00-\u9fa5.:,\-[\]]{1,127}$/.test(instanceName)) {
    throw ecsError("InvalidInstanceName.Malformed", `The specified parameter "InstanceName" is not valid: 2-128 characters, starting with a letter; letters, digits, '.', '_', '-', ':' and ','.`);
  }
  const hostName = p.get("HostName");
  if (hostName !== undefined && !/^[A-Za-z0-9][A-Za-z0-9.-]{1,63}$/.test(hostName)) throw ecsError("InvalidHostName.Malformed");
  const httpTokens = p.oneOf("HttpTokens", ["optional", "required"], "optional", "InvalidHttpTokens.NotSupported");
  const httpEndpoint = p.oneOf("HttpEndpoint", ["enabled", "disabled"], "enabled", "InvalidHttpEndpoint.NotSupported");
  const bandwidthOut = p.int("InternetMaxBandwidthOut", { min: 0, max: 100, fallback: 0, code: "InvalidInternetMaxBandwidthOut.Malformed" }) ?? 0;
  return {
    ...(instanceName !== undefined ? { instanceName } : {}),
    ...(hostName !== undefined ? { hostName } : {}),
    httpTokens,
    httpEndpoint,
    bandwidthOut,
  };
}
