import * as pulumi from "@pulumi/pulumi";
// From the package, as any program that installed it would (see stacks/runner/program.ts).
import { RunnerImage } from "aliyun-spot-runner";
import type { ImageStackConfig } from "./config";

export interface ImageStackOutputs {
  /** arch -> image id: what the workflow sets as SPOT_RUNNER_IMAGE_ID_AMD64/_ARM64. */
  readonly imageIds: pulumi.Output<Record<string, string>>;
  readonly imageNames: pulumi.Output<Record<string, string>>;
  readonly runnerVersions: pulumi.Output<Record<string, string>>;
}

/** One RunnerImage per architecture, on the infra stack's network and prefix (which scopes RAM); baked at once. */
export function defineImageStack(config: ImageStackConfig, stackName = pulumi.getStack()): ImageStackOutputs {
  const infra = new pulumi.StackReference(config.infraStack);
  const images = config.arches.map((arch) => [arch, new RunnerImage(`runner-image-${arch}`, {
    ...config.shared,
    ...(config.runnerSha256[arch] ? { runnerSha256: config.runnerSha256[arch] } : {}),
    arch,
    baseImageId: config.baseImageIds[arch],
    region: infra.requireOutput("region") as pulumi.Output<string>,
    namePrefix: infra.requireOutput("prefix") as pulumi.Output<string>,
    vSwitchIds: infra.requireOutput("vSwitchIds") as pulumi.Output<Record<string, string>>,
    securityGroupId: infra.requireOutput("securityGroupId") as pulumi.Output<string>,
    stackName,
  })] as const);
  const byArch = <T>(pick: (image: RunnerImage) => pulumi.Output<T>) =>
    pulumi.all(images.map(([arch, image]) => pick(image).apply((v) => [arch, v] as const))).apply((pairs) => Object.fromEntries(pairs) as Record<string, T>);
  return {
    imageIds: byArch((i) => i.imageId),
    imageNames: byArch((i) => i.imageName),
    runnerVersions: byArch((i) => i.manifest.apply((m) => String(m?.runnerVersion ?? ""))),
  };
}
