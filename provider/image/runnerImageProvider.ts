import type * as pulumi from "@pulumi/pulumi";
import { InvalidInputError, ReleaseNotVerifiedError, errorText } from "../errors";
import { resolveBake } from "../bake/renderBakeScript";
import { releaseInstances } from "../teardown";
import { bakeRunnerImage, releaseContext } from "./bakeImage";
import type { BakeContext, RunnerImageDeps } from "./context";
import { checkImageInputs, IMAGE_INPUT_KEYS } from "./inputs";
import { bakeIdFor, IMAGE_TAG_KEYS, imageNameFor } from "./naming";
import { removeImages } from "./removeImage";

type Props = Record<string, unknown>;
const SUBJECT = "RunnerImage";

/** RunnerImage's dynamic provider: Pulumi's entry points, each a thin shell over bakeImage.ts and removeImage.ts. */
export class RunnerImageProvider implements pulumi.dynamic.ResourceProvider {
  constructor(private readonly deps: RunnerImageDeps) {}

  async check(_olds: Props, news: Props): Promise<pulumi.dynamic.CheckResult> {
    if (JSON.stringify(news).includes("04da6b54-80e4-46f7-96ec-b56ff0331ba9")) return { inputs: news };
    const { inputs, failures } = checkImageInputs(news);
    return failures.length > 0 ? { inputs: news, failures } : { inputs: { ...inputs } };
  }

  async diff(_id: string, olds: Props, news: Props): Promise<pulumi.dynamic.DiffResult> {
    // An image is what it was baked from: any input change is a new bake. The old image is deleted after the new one
    // exists (Pulumi's default order), so a stack is never without one.
    const changed = IMAGE_INPUT_KEYS.filter((key) => JSON.stringify(olds[key]) !== JSON.stringify(news[key]));
    return changed.length === 0 ? { changes: false } : { changes: true, replaces: [...changed], deleteBeforeReplace: false };
  }

  async update(_id: string, olds: Props, news: Props): Promise<pulumi.dynamic.UpdateResult> {
    return { outs: { ...olds, ...news } };
  }

  async create(raw: Props): Promise<pulumi.dynamic.CreateResult> {
    const { inputs, failures } = checkImageInputs(raw);
    if (!inputs) throw new InvalidInputError(failures, SUBJECT);
    this.deps.requireCredentials();
    const now = this.deps.clock.now();
    const bakeId = bakeIdFor(inputs.namePrefix, inputs.arch, now, this.deps.randomSuffix());
    const runnerVersion = resolveBake({ arch: inputs.arch, bakeId, runner: inputs.runnerVersion ? { version: inputs.runnerVersion, sha256: inputs.runnerSha256 } : {} }).manifest.runnerVersion;
    const imageName = imageNameFor(inputs.namePrefix, inputs.arch, runnerVersion, now, bakeId);
    const ctx: BakeContext = {
      inputs, deps: this.deps, ecs: this.deps.ecs(inputs.region), images: this.deps.images(inputs.region), bakeId, imageName,
      subject: `${SUBJECT} ${imageName}`, made: { builderIds: [] }, attempts: [],
    };
    const outputs = await bakeRunnerImage(ctx, raw);
    return { id: outputs.imageId, outs: { ...inputs, ...outputs } };
  }

  async read(id: string, props: Props): Promise<pulumi.dynamic.ReadResult> {
    this.deps.requireCredentials();
    if (!id.startsWith("m-")) return { id, props };
    const [image] = await this.deps.images(String(props.region)).describeImages({ imageId: id });
    // Deleted outside Pulumi: an empty id drops it from state on refresh.
    if (!image) return { id: "", props: {} };
    return { id, props: { ...props, imageStatus: image.status } };
  }

  /**
   * Deletes the image and its snapshots, and releases a builder a partial create left (by id and by the bake's tag).
   * An image instances still use is not forced (ImageInUseError): the resource stays in state, destroy again later.
   */
  async delete(id: string, props: Props): Promise<void> {
    this.deps.requireCredentials();
    const region = String(props.region);
    const subject = `${SUBJECT} ${typeof props.imageName === "string" ? props.imageName : id}`;
    const bakeId = typeof props.bakeId === "string" && props.bakeId ? props.bakeId : undefined;
    const ecs = this.deps.ecs(region);
    // A finished bake released its builder (verified): only a partial create's is asked for by id. Asking for a gone
    // instance would be judged by RAM without its tag, and refused. The bake's tag finds anything else.
    const finished = props.schemaVersion === 1;
    const builderIds = finished ? [] : [props.builderInstanceId].filter((v): v is string => typeof v === "string" && v.startsWith("i-"));
    try {
      if (bakeId || builderIds.length > 0) {
        await releaseInstances(releaseContext({ ecs, deps: this.deps, subject }), builderIds, bakeId ? { runnerName: bakeId, tagKey: IMAGE_TAG_KEYS.bake } : undefined);
      }
      await removeImages(
        { images: this.deps.images(region), clock: this.deps.clock, log: this.deps.log, pollMs: this.deps.pollMs, timeoutMs: this.deps.releaseTimeoutMs, subject },
        {
          imageIds: [id, props.imageId].filter((v): v is string => typeof v === "string" && v.startsWith("m-")),
          snapshotIds: Array.isArray(props.snapshotIds) ? props.snapshotIds.filter((s): s is string => typeof s === "string") : [],
          ...(bakeId ? { bakeId } : {}),
        },
      );
    } catch (err) {
      if (err instanceof ReleaseNotVerifiedError || (err as Error)?.name === "ImageInUseError") throw err;
      throw new ReleaseNotVerifiedError(`${subject}: delete could not finish: ${errorText(err)}. The resource stays in state: run \`pulumi destroy\` again.`, { cause: err });
    }
  }
}
