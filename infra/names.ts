/**
 * Cloud-side names of the static stack's resources, from the deployment prefix. They follow the guide
 * ("openresty-ci-runners", "openresty-ci-switch-b", "openresty-ci-sg") so an existing manual setup reads the same.
 */

export const vpcName = (prefix: string): string => `${prefix}-ci-runners`;

export const vSwitchName = (prefix: string, zoneLetter: string): string => `${prefix}-ci-switch-${zoneLetter}`;

export const securityGroupName = (prefix: string): string => `${prefix}-ci-sg`;

/** RAM policy names allow letters, digits and hyphens only (1-128 characters); the prefix is validated to fit. */
export const runnerPolicyName = (prefix: string): string => `${prefix}-ci-runner-policy`;

/** The image-builder policy (RunnerImage: stop, image, delete tagged images and snapshots), attached beside it. */
export const imageBuilderPolicyName = (prefix: string): string => `${prefix}-ci-image-builder-policy`;

/** The default RAM user when `ciUserName` is not set; prefixed so two deployments in one account do not collide. */
export const defaultCiUserName = (prefix: string): string => `${prefix}-github-actions`;

/**
 * The zone's letter: the part of its id after the region. Regions whose id ends in a letter separate it
 * with a hyphen (cn-hangzhou -> cn-hangzhou-b -> b); regions ending in a digit do not
 * (ap-southeast-1 -> ap-southeast-1a -> a). Undefined when the zone is not in the region.
 */
export function zoneSuffix(regionId: string, zoneId: string): string | undefined {
  if (!zoneId.startsWith(regionId)) return undefined;
  let rest = zoneId.slice(regionId.length);
  if (rest.startsWith("-")) rest = rest.slice(1);
  else if (!/[0-9]$/.test(regionId)) return undefined;
  return /^[a-z0-9]+(-[a-z0-9]+)*$/.test(rest) ? rest : undefined;
}
