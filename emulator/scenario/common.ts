/**
 * Pieces both bundled scenarios share: the account and its credentials, the GitHub side, the guide's network
 * and the public images. The same key and token work against either scenario, so one set of environment
 * variables drives the demo and the tests.
 */
import type {
  ScenarioAccessKey,
  ScenarioGitHub,
  ScenarioImage,
  ScenarioRegion,
  ScenarioSecurityGroup,
  ScenarioVpc,
  ScenarioVSwitch,
} from "./types";

export const EMULATOR_ACCOUNT_ID = "1234567890123456";
export const EMULATOR_REGION_ID = "cn-hangzhou";

/** The account's own key: no policies attached, so every call is allowed (like an Aliyun root key). */
export const EMULATOR_ROOT_ACCESS_KEY: ScenarioAccessKey = {
  accessKeyId: "LTAI5tEmulatorRootKey0001",
  accessKeySecret: "EmulatorRootSecret000000000001",
};

export const EMULATOR_GITHUB_TOKEN = "ghp_emulator0000000000000000000000000000";
export const EMULATOR_GITHUB_REPO = "dianplus/openresty";
export const EMULATOR_GITHUB_ORG = "dianplus";

export function emulatorGitHub(): ScenarioGitHub {
  return {
    tokens: [{ token: EMULATOR_GITHUB_TOKEN, scopes: [EMULATOR_GITHUB_REPO, EMULATOR_GITHUB_ORG] }],
    repos: [EMULATOR_GITHUB_REPO],
    orgs: [EMULATOR_GITHUB_ORG],
  };
}

/** cn-hangzhou with the given zone letters, named as DescribeRegions/DescribeZones name them (zh-CN default). */
export function hangzhouRegion(zoneLetters: readonly string[]): ScenarioRegion {
  return {
    regionId: EMULATOR_REGION_ID,
    localName: "华东1（杭州）",
    zones: zoneLetters.map((letter) => ({
      zoneId: `${EMULATOR_REGION_ID}-${letter}`,
      localName: `华东 1 可用区 ${letter.toUpperCase()}`,
    })),
  };
}

/** The guide's vSwitch per zone letter: openresty-ci-switch-<letter> in 172.16.<n>.0/24. */
const GUIDE_VSWITCH_SUBNET: Readonly<Record<string, number>> = { b: 1, g: 2, h: 3, i: 4, j: 5, k: 6 };

export const GUIDE_VPC_ID = fakeId("vpc-", "emu", 1);
export const GUIDE_SECURITY_GROUP_ID = fakeId("sg-", "emu", 1, 20);

export interface GuideNetwork {
  readonly vpcs: readonly ScenarioVpc[];
  readonly vSwitches: readonly ScenarioVSwitch[];
  readonly securityGroups: readonly ScenarioSecurityGroup[];
}

/**
 * The network the guide (and the infra stack) builds: VPC openresty-ci-runners 172.16.0.0/16, one vSwitch per
 * listed zone with the guide's CIDR for that zone, and security group openresty-ci-sg.
 */
export function guideNetwork(zoneLetters: readonly string[]): GuideNetwork {
  return {
    vpcs: [{ vpcId: GUIDE_VPC_ID, regionId: EMULATOR_REGION_ID, vpcName: "openresty-ci-runners", cidrBlock: "172.16.0.0/16" }],
    vSwitches: zoneLetters.map((letter) => {
      const subnet = GUIDE_VSWITCH_SUBNET[letter];
      if (subnet === undefined) throw new Error(`the guide has no vSwitch in zone ${letter} (it has ${Object.keys(GUIDE_VSWITCH_SUBNET).join(", ")})`);
      return {
        vSwitchId: guideVSwitchId(letter),
        vpcId: GUIDE_VPC_ID,
        regionId: EMULATOR_REGION_ID,
        zoneId: `${EMULATOR_REGION_ID}-${letter}`,
        vSwitchName: `openresty-ci-switch-${letter}`,
        cidrBlock: `172.16.${subnet}.0/24`,
      };
    }),
    securityGroups: [
      { securityGroupId: GUIDE_SECURITY_GROUP_ID, vpcId: GUIDE_VPC_ID, regionId: EMULATOR_REGION_ID, securityGroupName: "openresty-ci-sg" },
    ],
  };
}

/** e.g. vsw-emub000000000000000000001 for zone b: the zone is readable in logs, the length is a real id's. */
export function guideVSwitchId(zoneLetter: string): string {
  return fakeId("vsw-", `emu${zoneLetter}`, GUIDE_VSWITCH_SUBNET[zoneLetter] ?? 0);
}

export const ALIYUN_LINUX_3_X64 = "aliyun_3_x64_20G_alibase_20241216.vhd";
export const ALIYUN_LINUX_3_ARM64 = "aliyun_3_arm64_20G_alibase_20241216.vhd";
export const UBUNTU_2204_X64 = "ubuntu_22_04_x64_20G_alibase_20241224.vhd";
export const UBUNTU_2204_ARM64 = "ubuntu_22_04_arm64_20G_alibase_20241224.vhd";

/** Public (system) images for both architectures: Alibaba Cloud Linux 3 (the guide's choice) and Ubuntu 22.04. */
export function publicImages(): ScenarioImage[] {
  const image = (imageId: string, architecture: "x86_64" | "arm64", osName: string): ScenarioImage => ({
    imageId,
    regionId: EMULATOR_REGION_ID,
    imageName: imageId,
    architecture,
    osType: "linux",
    osName,
    imageOwnerAlias: "system",
    size: 20,
  });
  return [
    image(ALIYUN_LINUX_3_X64, "x86_64", "Alibaba Cloud Linux 3.2104 LTS 64 bit"),
    image(ALIYUN_LINUX_3_ARM64, "arm64", "Alibaba Cloud Linux 3.2104 LTS 64 bit ARM Edition"),
    image(UBUNTU_2204_X64, "x86_64", "Ubuntu 22.04 64 bit"),
    image(UBUNTU_2204_ARM64, "arm64", "Ubuntu 22.04 64 bit ARM Edition"),
  ];
}

/** A resource id shaped like Aliyun's (prefix + `length` lower-case alphanumerics), recognisably fake. */
function fakeId(prefix: string, tag: string, serial: number, length = 25): string {
  return `${prefix}${tag}${String(serial).padStart(length - tag.length, "0")}`;
}
