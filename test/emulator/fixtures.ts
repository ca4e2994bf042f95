import Ecs from "@alicloud/ecs20140526";
import { $OpenApiUtil } from "@alicloud/openapi-core";
import type { Scenario } from "../../emulator/scenario/types";
import type { RunningEmulator } from "../../emulator";

export const ACCOUNT = "1111222233334444";
export const ROOT_KEY = { accessKeyId: "LTAI5tTestRoot000000001", accessKeySecret: "TestRootSecret0000000000000001" };
export const DISABLED_KEY = { accessKeyId: "LTAI5tTestDisabled00001", accessKeySecret: "TestDisabledSecret00000000001", disabled: true };
export const GH_TOKEN = "ghp_testtoken00000000000000000000000000a1";
export const GH_OTHER_TOKEN = "ghp_testtoken00000000000000000000000000b2";
export const IMAGE_X86 = "ubuntu_22_04_x64_20G_alibase_20240101.vhd";
export const IMAGE_ARM = "ubuntu_22_04_arm64_20G_alibase_20240101.vhd";
export const VSW_B = "vsw-bp1testzoneb00000001";
export const VSW_K = "vsw-bp1testzonek00000001";
export const VSW_OTHER_VPC = "vsw-bp1othervpc000000001";
export const SG = "sg-bp1testgroup000000001";
export const VPC = "vpc-bp1testvpc0000000001";
export const START = Date.parse("2026-01-01T00:00:00Z");
/** The tiny scenario's listing delay: a new instance is missing from DescribeInstances for this long. */
export const LISTING_DELAY_MS = 1_000;

/** The zone of each of the tiny scenario's vSwitches: a spot RunInstances must name its ZoneId. */
export function zoneOf(vSwitchId: string | undefined): string {
  return vSwitchId === VSW_K ? "cn-hangzhou-k" : "cn-hangzhou-b";
}

/**
 * A tiny scenario that exercises every rule: two zones, x86 and ARM types, limited, unlimited and sold-out stock,
 * explicit and modelled prices, a type the zone does not sell, a second VPC, keys with and without policies.
 */
export function tinyScenario(overrides: Partial<Scenario> = {}): Scenario {
  return {
    description: "emulator tests",
    accountId: ACCOUNT,
    startTime: "2026-01-01T00:00:00Z",
    regions: [
      {
        regionId: "cn-hangzhou",
        localName: "China (Hangzhou)",
        zones: [
          { zoneId: "cn-hangzhou-b", localName: "Hangzhou Zone B" },
          { zoneId: "cn-hangzhou-k", localName: "Hangzhou Zone K" },
        ],
      },
    ],
    instanceTypes: [
      { instanceTypeId: "ecs.c7.large", instanceTypeFamily: "ecs.c7", cpuCoreCount: 2, memorySize: 4, cpuArchitecture: "X86", onDemandPrice: 0.35 },
      { instanceTypeId: "ecs.g7.xlarge", instanceTypeFamily: "ecs.g7", cpuCoreCount: 4, memorySize: 16, cpuArchitecture: "X86", onDemandPrice: 0.8 },
      { instanceTypeId: "ecs.c8y.large", instanceTypeFamily: "ecs.c8y", cpuCoreCount: 2, memorySize: 4, cpuArchitecture: "ARM", onDemandPrice: 0.3, systemDiskCategories: ["cloud_essd"] },
    ],
    offerings: [
      { regionId: "cn-hangzhou", zoneId: "cn-hangzhou-b", instanceTypeId: "ecs.c7.large", spotStock: 2, spotPrice: { points: [{ minutes: -120, price: 0.06 }, { minutes: -60, price: 0.07 }, { minutes: 30, price: 0.09 }] } },
      { regionId: "cn-hangzhou", zoneId: "cn-hangzhou-k", instanceTypeId: "ecs.c7.large", spotPrice: { model: { ratio: 0.2, seed: 7 } } },
      { regionId: "cn-hangzhou", zoneId: "cn-hangzhou-b", instanceTypeId: "ecs.g7.xlarge", spotStock: 0, spotPrice: { points: [{ minutes: -30, price: 0.16 }] } },
      { regionId: "cn-hangzhou", zoneId: "cn-hangzhou-k", instanceTypeId: "ecs.c8y.large", spotPrice: { points: [{ minutes: -60, price: 0.05 }] } },
    ],
    vpcs: [
      { vpcId: VPC, regionId: "cn-hangzhou", vpcName: "ci", cidrBlock: "172.16.0.0/16" },
      { vpcId: "vpc-bp1othervpc00000001", regionId: "cn-hangzhou", vpcName: "other", cidrBlock: "10.0.0.0/16" },
    ],
    vSwitches: [
      { vSwitchId: VSW_B, vpcId: VPC, regionId: "cn-hangzhou", zoneId: "cn-hangzhou-b", vSwitchName: "ci-b", cidrBlock: "172.16.1.0/24" },
      { vSwitchId: VSW_K, vpcId: VPC, regionId: "cn-hangzhou", zoneId: "cn-hangzhou-k", vSwitchName: "ci-k", cidrBlock: "172.16.6.0/24" },
      { vSwitchId: VSW_OTHER_VPC, vpcId: "vpc-bp1othervpc00000001", regionId: "cn-hangzhou", zoneId: "cn-hangzhou-b", vSwitchName: "other-b", cidrBlock: "10.0.1.0/24" },
    ],
    securityGroups: [{ securityGroupId: SG, vpcId: VPC, regionId: "cn-hangzhou", securityGroupName: "ci-sg" }],
    images: [
      { imageId: IMAGE_X86, regionId: "cn-hangzhou", imageName: "ubuntu_22_04_x64", architecture: "x86_64", osType: "linux", osName: "Ubuntu 22.04 64 bit", imageOwnerAlias: "system", size: 20 },
      { imageId: IMAGE_ARM, regionId: "cn-hangzhou", imageName: "ubuntu_22_04_arm64", architecture: "arm64", osType: "linux", osName: "Ubuntu 22.04 ARM 64 bit", imageOwnerAlias: "system", size: 20 },
    ],
    accessKeys: [ROOT_KEY, DISABLED_KEY],
    github: {
      tokens: [
        { token: GH_TOKEN, scopes: ["acme/app", "acme"] },
        { token: GH_OTHER_TOKEN, scopes: ["other/repo"] },
      ],
      repos: ["acme/app", "other/repo"],
      orgs: ["acme"],
      runnerGroups: [{ org: "acme", id: 3, name: "spot" }],
    },
    timing: { pendingMs: 5_000, startingMs: 10_000, runnerOnlineMs: 20_000, releaseMs: 5_000, reclaimNoticeMs: 300_000, listingDelayMs: LISTING_DELAY_MS },
    ...overrides,
  };
}

export type EcsClient = Ecs;

/** The real ECS SDK pointed at the emulator; `v2` = the older HMAC-SHA1 query signature. */
export function ecsClient(
  emu: Pick<RunningEmulator, "ecsEndpoint">,
  key: { accessKeyId: string; accessKeySecret: string } = ROOT_KEY,
  options: { v2?: boolean; timeoutMs?: number } = {},
): Ecs {
  return new Ecs(
    new $OpenApiUtil.Config({
      ...key,
      regionId: "cn-hangzhou",
      endpoint: new URL(emu.ecsEndpoint).host,
      protocol: "http",
      connectTimeout: options.timeoutMs ?? 5_000,
      readTimeout: options.timeoutMs ?? 5_000,
      ...(options.v2 ? { signatureAlgorithm: "v2" } : {}),
    }),
  );
}

/** Calls `fn` and returns what it threw (failing the test when it did not throw). */
export async function rejection(fn: () => Promise<unknown>): Promise<Record<string, any>> {
  try {
    await fn();
  } catch (err) {
    return err as Record<string, any>;
  }
  throw new Error("expected the call to fail, but it succeeded");
}

/**
 * A raw ACS3-signed RPC request, signed with the SDK's own signer, for what the SDK never sends on purpose
 * (stale dates, replayed nonces, a tampered query, GET, a form body).
 */
export async function rawAcs3(
  emu: Pick<RunningEmulator, "ecsEndpoint">,
  action: string,
  query: Record<string, string>,
  options: { date?: string; nonce?: string; key?: { accessKeyId: string; accessKeySecret: string }; method?: string; tamper?: (url: URL) => void; form?: Record<string, string> } = {},
): Promise<{ status: number; body: any }> {
  const { OpenApiUtil } = await import("@alicloud/openapi-core");
  const key = options.key ?? ROOT_KEY;
  const url = new URL(emu.ecsEndpoint);
  const body = options.form ? new URLSearchParams(options.form).toString() : "";
  const headers: Record<string, string> = {
    host: url.host,
    "x-acs-action": action,
    "x-acs-version": "2014-05-26",
    "x-acs-date": options.date ?? new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
    "x-acs-signature-nonce": options.nonce ?? OpenApiUtil.getNonce(),
    "x-acs-content-sha256": OpenApiUtil.hash(Buffer.from(body), "ACS3-HMAC-SHA256").toString("hex"),
    ...(options.form ? { "content-type": "application/x-www-form-urlencoded" } : {}),
  };
  const method = options.method ?? "POST";
  headers.authorization = OpenApiUtil.getAuthorization({ method, pathname: "/", query, headers } as never, "ACS3-HMAC-SHA256", headers["x-acs-content-sha256"], key.accessKeyId, key.accessKeySecret);
  const target = new URL("/", emu.ecsEndpoint);
  for (const [k, v] of Object.entries(query)) target.searchParams.set(k, v);
  options.tamper?.(target);
  const { host: _host, ...sent } = headers;
  const res = await fetch(target, { method, headers: sent, ...(method === "GET" ? {} : { body }) });
  return { status: res.status, body: await res.json() };
}

/** A raw HMAC-SHA1 (v1) request with Action/Version only in the query string, as the aliyun CLI and Go SDK send it. */
export async function rawV1(emu: Pick<RunningEmulator, "ecsEndpoint">, params: Record<string, string>, key = ROOT_KEY): Promise<{ status: number; body: any }> {
  const { OpenApiUtil } = await import("@alicloud/openapi-core");
  const all: Record<string, string> = {
    Format: "JSON",
    Version: "2014-05-26",
    Timestamp: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
    SignatureNonce: OpenApiUtil.getNonce(),
    SignatureMethod: "HMAC-SHA1",
    SignatureVersion: "1.0",
    AccessKeyId: key.accessKeyId,
    ...params,
  };
  all.Signature = OpenApiUtil.getRPCSignature(all, "GET", key.accessKeySecret);
  const res = await fetch(`${emu.ecsEndpoint}/?${new URLSearchParams(all)}`);
  return { status: res.status, body: await res.json() };
}

/**
 * Resolves once every fault has been taken by a request (a one-shot fault is removed when a request takes it): from
 * then on that request is inside the emulator, e.g. waiting out the fault's latency. Bounded by `maxTicks` turns of
 * the event loop; no timers.
 */
export async function untilFaultsTaken(emu: Pick<RunningEmulator, "admin">, maxTicks = 100_000): Promise<void> {
  for (let tick = 0; tick < maxTicks && emu.admin.state().faults.length > 0; tick++) {
    await new Promise((resolve) => setImmediate(resolve));
  }
  if (emu.admin.state().faults.length > 0) throw new Error("no request took the fault");
}
