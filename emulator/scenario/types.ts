/**
 * The emulator's scenario: everything the emulated cloud knows at start. A scenario is plain JSON (so users
 * can write their own with `spot-runner emulator --scenario FILE`) and is validated on load.
 *
 * Times inside a scenario are minutes relative to the scenario's start (negative = in the past), so one file
 * works on the real clock (start = when the emulator starts) and on a manual test clock (start = `startTime`).
 */
export interface Scenario {
  /** Shown in `GET /_emulator/state`. */
  readonly description?: string;
  /** Account id used in ARNs: acs:ecs:<region>:<accountId>:instance/<instanceId>. */
  readonly accountId: string;
  /** Start of the manual clock (ISO 8601, UTC). Ignored on the real clock. Default 2026-01-01T00:00:00Z. */
  readonly startTime?: string;
  readonly regions: readonly ScenarioRegion[];
  readonly instanceTypes: readonly ScenarioInstanceType[];
  /** What each zone sells for spot and at what price. A (zone, type) pair with no offering is not sold. */
  readonly offerings: readonly ScenarioOffering[];
  readonly vpcs: readonly ScenarioVpc[];
  readonly vSwitches: readonly ScenarioVSwitch[];
  readonly securityGroups: readonly ScenarioSecurityGroup[];
  readonly images: readonly ScenarioImage[];
  readonly accessKeys: readonly ScenarioAccessKey[];
  readonly github: ScenarioGitHub;
  readonly timing?: Partial<ScenarioTiming>;
  /**
   * Seeds the draw of every spot interruption (default 0): with the same seed and the same launches, the same
   * instances are reclaimed at the same instants, on any clock.
   */
  readonly interruptionSeed?: number;
}

export interface ScenarioRegion {
  readonly regionId: string;
  readonly localName: string;
  readonly zones: readonly { readonly zoneId: string; readonly localName: string }[];
}

export interface ScenarioInstanceType {
  readonly instanceTypeId: string;
  /** e.g. "ecs.c8y" */
  readonly instanceTypeFamily: string;
  /** vCPUs (the API's CpuCoreCount). */
  readonly cpuCoreCount: number;
  /** GiB (the API's MemorySize). */
  readonly memorySize: number;
  readonly cpuArchitecture: "X86" | "ARM";
  readonly instanceFamilyLevel?: "EnterpriseLevel" | "EntryLevel" | "CreditEntryLevel";
  readonly physicalProcessorModel?: string;
  /** Pay-as-you-go Linux price, currency per hour: the OriginPrice of spot price rows and the spot price cap. */
  readonly onDemandPrice: number;
  /** System disk categories the type accepts. Default: cloud_essd, cloud_ssd, cloud_efficiency. */
  readonly systemDiskCategories?: readonly string[];
  /**
   * Whether spot instances of this type can have a protection period (SpotDuration 1, the API's default). Default
   * true. false: RunInstances with SpotDuration 1, or without SpotDuration, fails with 403
   * OperationDenied.FlavorNotSupported ("Flavor not support spot duration instance."); SpotDuration 0 launches.
   */
  readonly spotDurationSupported?: boolean;
}

export interface ScenarioOffering {
  readonly regionId: string;
  readonly zoneId: string;
  readonly instanceTypeId: string;
  /**
   * Spot instances of this type the zone can still launch. Omitted = unlimited; 0 = sold out (RunInstances
   * fails with OperationDenied.NoStock). Each launch takes one; each release gives one back.
   */
  readonly spotStock?: number;
  /**
   * What DescribeAvailableResource reports. Default derived from spotStock: WithStock, or WithoutStock with
   * Status SoldOut at 0. Set it to make the catalogue disagree with what RunInstances does (stale stock data).
   */
  readonly statusCategory?: "WithStock" | "ClosedWithStock" | "WithoutStock" | "ClosedWithoutStock";
  readonly spotPrice: SpotPriceSpec;
  /**
   * Percent, 0-100 (default 0): what DescribeSpotAdvice reports as InterruptionRate (and its band,
   * InterruptRateDesc), and the chance per hour that a Running spot instance of this offering, past its protection
   * period, gets a reclaim notice. See emulator/state/interruptions.ts.
   */
  readonly interruptionRate?: number;
}

/**
 * Spot price over time, as DescribeSpotPriceHistory reports it.
 * - `points`: explicit rows (a step function: the price at t is the last point at or before t).
 * - `model`: an hourly series around `ratio` x the pay-as-you-go price, deterministic for a seed; rows on each
 *   whole hour, the way the real API's samples look.
 */
export type SpotPriceSpec =
  | { readonly points: readonly { readonly minutes: number; readonly price: number }[] }
  | { readonly model: { readonly ratio: number; readonly amplitude?: number; readonly seed?: number } };

export interface ScenarioVpc {
  readonly vpcId: string;
  readonly regionId: string;
  readonly vpcName: string;
  readonly cidrBlock: string;
}

export interface ScenarioVSwitch {
  readonly vSwitchId: string;
  readonly vpcId: string;
  readonly regionId: string;
  readonly zoneId: string;
  readonly vSwitchName: string;
  readonly cidrBlock: string;
}

export interface ScenarioSecurityGroup {
  readonly securityGroupId: string;
  readonly vpcId: string;
  readonly regionId: string;
  readonly securityGroupName: string;
}

export interface ScenarioImage {
  readonly imageId: string;
  readonly regionId: string;
  readonly imageName: string;
  readonly architecture: "x86_64" | "arm64";
  readonly osType: "linux" | "windows";
  readonly osName: string;
  readonly imageOwnerAlias: "system" | "self" | "others" | "marketplace";
  /** GiB */
  readonly size: number;
}

export interface ScenarioAccessKey {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  /**
   * RAM policy documents attached to the key's user. Omitted = the account's own key: everything allowed.
   * When present, every call is evaluated against them and a denied call fails with 403 Forbidden.RAM.
   */
  readonly policies?: readonly unknown[];
  /** A disabled key fails every call with Forbidden.AccessKeyDisabled. */
  readonly disabled?: boolean;
}

export interface ScenarioGitHub {
  /** Tokens that authenticate; each may administer the listed "owner/repo" and org names ("*" = all). */
  readonly tokens: readonly { readonly token: string; readonly scopes: readonly string[] }[];
  /** Repositories that exist, "owner/repo". */
  readonly repos: readonly string[];
  /** Organizations that exist. */
  readonly orgs: readonly string[];
  /** Runner groups per org; every org has group 1 "Default", repositories only have group 1. */
  readonly runnerGroups?: readonly { readonly org: string; readonly id: number; readonly name: string }[];
  /**
   * GitHub Apps whose installations can get access tokens (POST /app/installations/{id}/access_tokens with a
   * JWT signed by the App's private key). An issued "ghs_" token administers what its installation's scopes say.
   */
  readonly apps?: readonly ScenarioGitHubApp[];
}

export interface ScenarioGitHubApp {
  /** The App's numeric id: the `iss` claim of its JWTs (what GITHUB_APP_ID holds). */
  readonly appId: number;
  /**
   * PEM of the public half of the App's RSA key pair ("-----BEGIN PUBLIC KEY-----", SPKI). Only the public key:
   * the emulator verifies signatures, it never signs, and scenario files get shared.
   */
  readonly publicKey: string;
  readonly installations: readonly ScenarioAppInstallation[];
}

export interface ScenarioAppInstallation {
  /** Unique across all Apps, as GitHub's installation ids are (what GITHUB_APP_INSTALLATION_ID holds). */
  readonly installationId: number;
  /** What the installation's tokens administer: "owner/repo", an org name (and its repositories), or "*". */
  readonly scopes: readonly string[];
}

/** How long things take in the emulated cloud. */
export interface ScenarioTiming {
  /** RunInstances accepted -> Starting. */
  readonly pendingMs: number;
  /** Starting -> Running. */
  readonly startingMs: number;
  /** Running -> the GitHub runner online, when the user data carries a valid JIT config. */
  readonly runnerOnlineMs: number;
  /** DeleteInstances accepted -> the instance is gone from DescribeInstances (Stopping meanwhile). */
  readonly releaseMs: number;
  /** Spot reclaim notice (Recycling lock, metadata termination-time) -> released. */
  readonly reclaimNoticeMs: number;
  /**
   * RunInstances accepted -> DescribeInstances lists the instance. The API is eventually consistent (a new
   * instance may be missing from a listing for a moment); every other call knows the instance at once.
   */
  readonly listingDelayMs: number;
  /** Running -> a bake script in the user data prints its done marker on the console (runner images). */
  readonly bakeMs: number;
  /** StopInstance accepted -> Stopped (Stopping meanwhile). */
  readonly stopMs: number;
  /** CreateImage accepted -> the image is Available (Creating meanwhile). */
  readonly imageCreateMs: number;
}
