/** What the bootstrap needs to know about one runner and the instance it runs on. */
export interface BootstrapInput {
  readonly arch: "amd64" | "arm64";
  /** GitHub's `encoded_jit_config` (base64). The only secret in the script: it appears once, is never logged. */
  readonly jitConfig: string;
  readonly runnerName: string;
  readonly jobLabel: string;
  /** Shown in the job's "Set up job" step (the runner's `.setup_info`). */
  readonly setupInfo: {
    readonly instanceType: string;
    readonly zoneId: string;
    readonly regionId: string;
    readonly spotPrice: number;
    readonly priceLimit?: number;
    readonly currency: string;
    /** ISO 8601, the instance's AutoReleaseTime. */
    readonly autoReleaseTime: string;
    readonly instanceName: string;
  };
  /** No job picked up within this many minutes of boot: power off. */
  readonly idleTimeoutMinutes: number;
  /** Hard limit from boot: power off whatever is running. */
  readonly maxRuntimeMinutes: number;
  /** Where the runner comes from. */
  readonly runner?: {
    /** Default: PINNED_RUNNER.version. Another version needs `sha256` too. */
    readonly version?: string;
    /** SHA-256 of the package for this `arch` and `version`; required when `version` is not the pinned one. */
    readonly sha256?: string;
    /** A mirror laid out like GitHub's releases: `<base>/v<version>/actions-runner-linux-<x64|arm64>-<version>.tar.gz`. */
    readonly downloadBaseUrl?: string;
    /** A runner baked into the image, used as-is with no download; /opt/actions-runner is also checked. */
    readonly preinstalledDir?: string;
  };
  /** For GitHub and the runner download; the metadata service, *.aliyuncs.com and loopback always stay direct. */
  readonly proxy?: { readonly http?: string; readonly https?: string; readonly noProxy?: string };
  /** Default "runner": a non-root user in the docker group. */
  readonly runnerUser?: string;
}
