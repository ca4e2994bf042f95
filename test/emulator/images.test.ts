import * as assert from "node:assert/strict";
import * as $Ecs from "@alicloud/ecs20140526";
import { startEmulator, RunningEmulator } from "../../emulator";
import { ACCOUNT, ecsClient, IMAGE_ARM, rejection, ROOT_KEY, SG, tinyScenario, VSW_K } from "./fixtures";

const TAG = { key: "spot-runner-prefix", value: "ci" };
const MANIFEST = { schema: 1, arch: "arm64", runnerVersion: "2.337.0", runnerSha256: "ab".repeat(32), runnerDir: "/opt/actions-runner", runnerUser: "runner", buildkitImage: "moby/buildkit:v0.33.0" };
/** A builder's user data as the bake renderer writes it: the manifest as one shell assignment. */
const BAKE_USER_DATA = Buffer.from(`#!/bin/bash\nBAKE_MANIFEST_JSON='${JSON.stringify(MANIFEST)}'\necho baking\n`).toString("base64");
const CI_KEY = { accessKeyId: "LTAI5tTestImages0000001", accessKeySecret: "TestImagesSecret00000000000001" };
/** What the image-builder policy grants, reduced to the tag conditions the emulator must fill. */
const TAGGED_POLICY = {
  Version: "1",
  Statement: [
    { Effect: "Allow", Action: ["ecs:RunInstances", "ecs:DescribeInstances", "ecs:DescribeImages"], Resource: "*" },
    { Effect: "Allow", Action: ["ecs:StopInstance"], Resource: "acs:ecs:cn-hangzhou:*:instance/*", Condition: { StringEquals: { "acs:ResourceTag/spot-runner-prefix": "ci" } } },
    { Effect: "Allow", Action: ["ecs:CreateImage"], Resource: "acs:ecs:cn-hangzhou:*:instance/*", Condition: { StringEquals: { "acs:ResourceTag/spot-runner-prefix": "ci", "acs:RequestTag/spot-runner-prefix": "ci" } } },
    { Effect: "Allow", Action: ["ecs:CreateImage"], Resource: "acs:ecs:cn-hangzhou:*:image/*", Condition: { StringEquals: { "acs:RequestTag/spot-runner-prefix": "ci" } } },
    { Effect: "Allow", Action: ["ecs:DeleteImage"], Resource: "acs:ecs:cn-hangzhou:*:image/*", Condition: { StringEquals: { "acs:ResourceTag/spot-runner-prefix": "ci" } } },
    { Effect: "Allow", Action: ["ecs:DeleteSnapshot"], Resource: "acs:ecs:cn-hangzhou:*:snapshot/*", Condition: { StringEquals: { "acs:ResourceTag/spot-runner-prefix": "ci" } } },
  ],
};

describe("emulator: images (StopInstance, CreateImage, DescribeImages, DeleteImage, DeleteSnapshot)", () => {
  let emu: RunningEmulator;
  let ecs: ReturnType<typeof ecsClient>;
  before(async () => {
    emu = await startEmulator({
      scenario: tinyScenario({ accessKeys: [ROOT_KEY, { ...CI_KEY, policies: [TAGGED_POLICY] }], timing: { pendingMs: 5_000, startingMs: 10_000, listingDelayMs: 1_000, bakeMs: 60_000, stopMs: 10_000, imageCreateMs: 120_000 } }),
      clock: "manual",
    });
    ecs = ecsClient(emu);
  });
  afterEach(() => emu.admin.reset());
  after(() => emu.close());

  const launch = async (userData?: string, tags = [TAG], client = ecs) => {
    const res = await client.runInstances(new $Ecs.RunInstancesRequest({
      regionId: "cn-hangzhou", zoneId: "cn-hangzhou-k", vSwitchId: VSW_K, securityGroupId: SG, imageId: IMAGE_ARM, instanceType: "ecs.c8y.large",
      spotStrategy: "SpotAsPriceGo", spotDuration: 1, userData, tag: tags.map((t) => new $Ecs.RunInstancesRequestTag(t)),
    }));
    return res.body!.instanceIdSets!.instanceIdSet![0]!;
  };
  const statusOf = async (id: string) =>
    (await ecs.describeInstances(new $Ecs.DescribeInstancesRequest({ regionId: "cn-hangzhou", instanceIds: JSON.stringify([id]) }))).body!.instances!.instance![0]?.status;
  const images = async (request: Partial<$Ecs.DescribeImagesRequest>) =>
    (await ecs.describeImages(new $Ecs.DescribeImagesRequest({ regionId: "cn-hangzhou", ...request }))).body!.images!.image ?? [];
  const createImage = (instanceId: string, extra: Partial<$Ecs.CreateImageRequest> = {}, client = ecs) =>
    client.createImage(new $Ecs.CreateImageRequest({ regionId: "cn-hangzhou", instanceId, imageName: "ci-runner-arm64-2-337-0-20260101", tag: [new $Ecs.CreateImageRequestTag(TAG)], ...extra }));
  const consoleOf = async (instanceId: string) =>
    Buffer.from((await ecs.getInstanceConsoleOutput(new $Ecs.GetInstanceConsoleOutputRequest({ regionId: "cn-hangzhou", instanceId }))).body!.consoleOutput!, "base64").toString();

  it("bakes: Running, the done marker, StopInstance (Stopping, then Stopped), CreateImage (Creating, then Available) carrying the manifest", async () => {
    const builder = await launch(BAKE_USER_DATA);
    emu.clock.advance(15_000);
    assert.equal(await statusOf(builder), "Running");
    assert.doesNotMatch(await consoleOf(builder), /spot-runner-bake: done/);
    emu.clock.advance(60_000);
    const log = await consoleOf(builder);
    assert.match(log, /spot-runner-bake: done manifest=\{"schema":1/);
    assert.doesNotMatch(log, /BAKE_MANIFEST_JSON/, "user data is never echoed");

    await ecs.stopInstance(new $Ecs.StopInstanceRequest({ instanceId: builder }));
    assert.equal(await statusOf(builder), "Stopping");
    const again = await rejection(() => ecs.stopInstance(new $Ecs.StopInstanceRequest({ instanceId: builder })));
    assert.equal(again.code, "IncorrectInstanceStatus", "a second stop is refused: the client reads the status instead");
    emu.clock.advance(10_000);
    assert.equal(await statusOf(builder), "Stopped");
    const listed = (await ecs.describeInstances(new $Ecs.DescribeInstancesRequest({ regionId: "cn-hangzhou", status: "Stopped" }))).body!.instances!.instance!;
    assert.deepEqual(listed.map((i) => i.instanceId), [builder]);

    const imageId = (await createImage(builder)).body!.imageId!;
    assert.match(imageId, /^m-bp[a-z0-9]{18}$/);
    assert.deepEqual(await images({ imageId }), [], "DescribeImages lists Available images unless asked for others");
    const [creating] = await images({ imageId, status: "Creating,Available" });
    assert.equal(creating!.status, "Creating");
    assert.equal(creating!.imageOwnerAlias, "self");
    assert.equal(creating!.architecture, "arm64");
    assert.deepEqual(creating!.tags!.tag!.map((t) => [t.tagKey, t.tagValue]), [[TAG.key, TAG.value]]);
    const snapshotId = creating!.diskDeviceMappings!.diskDeviceMapping![0]!.snapshotId!;
    assert.match(snapshotId, /^s-bp/);
    assert.equal((await rejection(() => launchFrom(imageId))).code, "InvalidImageId.NotFound", "a Creating image boots nothing");
    assert.equal((await rejection(() => ecs.deleteImage(new $Ecs.DeleteImageRequest({ regionId: "cn-hangzhou", imageId })))).code, "ImageIsCreating");

    emu.clock.advance(120_000);
    const [available] = await images({ imageId });
    assert.equal(available!.status, "Available");
    assert.equal(available!.progress, "100%");
    assert.deepEqual((await images({ tag: [new $Ecs.DescribeImagesRequestTag({ key: TAG.key, value: TAG.value })], imageOwnerAlias: "self" })).map((i) => i.imageId), [imageId]);
    assert.deepEqual(emu.admin.state().images.find((i) => i.imageId === imageId)!.carries, MANIFEST);
  });

  async function launchFrom(imageId: string, userData = Buffer.from("#!/bin/bash\n").toString("base64")): Promise<string> {
    const res = await ecs.runInstances(new $Ecs.RunInstancesRequest({
      regionId: "cn-hangzhou", zoneId: "cn-hangzhou-k", vSwitchId: VSW_K, securityGroupId: SG, imageId, instanceType: "ecs.c8y.large",
      spotStrategy: "SpotAsPriceGo", userData, tag: [new $Ecs.RunInstancesRequestTag(TAG)],
    }));
    return res.body!.instanceIdSets!.instanceIdSet![0]!;
  }

  async function bakedImage(): Promise<{ imageId: string; snapshotId: string }> {
    const builder = await launch(BAKE_USER_DATA);
    emu.clock.advance(75_000);
    await ecs.stopInstance(new $Ecs.StopInstanceRequest({ instanceId: builder }));
    emu.clock.advance(10_000);
    const imageId = (await createImage(builder)).body!.imageId!;
    emu.clock.advance(120_000);
    await ecs.deleteInstances(new $Ecs.DeleteInstancesRequest({ regionId: "cn-hangzhou", instanceId: [builder] }));
    const snapshotId = emu.admin.state().images.find((i) => i.imageId === imageId)!.snapshotIds![0]!;
    return { imageId, snapshotId };
  }

  it("boots instances from a baked image, which reports what it carries; a stock image reports nothing", async () => {
    const { imageId } = await bakedImage();
    const baked = await launchFrom(imageId);
    const stock = await launchFrom(IMAGE_ARM);
    emu.clock.advance(20_000);
    const state = emu.admin.state().instances;
    assert.deepEqual(state.find((i) => i.instanceId === baked)!.imageCarries, MANIFEST);
    assert.equal(state.find((i) => i.instanceId === stock)!.imageCarries, undefined);
    assert.match(await consoleOf(baked), /baked image: actions\/runner 2\.337\.0 in \/opt\/actions-runner, moby\/buildkit:v0\.33\.0; nothing to download/);
    assert.match(await consoleOf(stock), /stock image: installing docker and downloading actions\/runner/);
  });

  it("an image taken before the bake's done marker carries nothing", async () => {
    const builder = await launch(BAKE_USER_DATA);
    emu.clock.advance(30_000);
    const imageId = (await createImage(builder)).body!.imageId!;
    emu.clock.advance(120_000);
    assert.equal(emu.admin.state().images.find((i) => i.imageId === imageId)!.carries, undefined);
  });

  it("CreateImage with a ClientToken is idempotent: the same image again, another request refused, nothing new made", async () => {
    const builder = await launch(BAKE_USER_DATA);
    emu.clock.advance(15_000);
    const first = (await createImage(builder, { clientToken: "bake-1" })).body!.imageId;
    const second = (await createImage(builder, { clientToken: "bake-1" })).body!.imageId;
    assert.equal(second, first);
    assert.equal(emu.admin.state().images.filter((i) => i.imageOwnerAlias === "self").length, 1);
    const mismatch = await rejection(() => createImage(builder, { clientToken: "bake-1", imageName: "ci-other-name" }));
    assert.equal(mismatch.code, "IdempotentParameterMismatch");
    assert.equal((await rejection(() => createImage(builder))).code, "InvalidImageName.Duplicated");
  });

  it("refuses what the API refuses: an instance still starting, a bad name, a missing instance", async () => {
    const builder = await launch(BAKE_USER_DATA);
    const starting = await rejection(() => createImage(builder));
    assert.equal(starting.code, "IncorrectInstanceStatus");
    assert.equal(starting.statusCode, 403);
    assert.equal((await rejection(() => ecs.stopInstance(new $Ecs.StopInstanceRequest({ instanceId: builder })))).code, "IncorrectInstanceStatus");
    emu.clock.advance(15_000);
    assert.equal((await rejection(() => createImage(builder, { imageName: "9-starts-with-a-digit" }))).code, "InvalidImageName.Malformed");
    assert.equal((await rejection(() => createImage("i-bp1doesnotexist0000"))).code, "InvalidInstanceId.NotFound");
    assert.equal((await rejection(() => ecs.createImage(new $Ecs.CreateImageRequest({ regionId: "cn-hangzhou" })))).code, "MissingParameter");
  });

  it("DeleteImage: refused while an instance uses it (unless Force); keeps its snapshot, which DeleteSnapshot then removes", async () => {
    const { imageId, snapshotId } = await bakedImage();
    const user = await launchFrom(imageId);
    const inUse = await rejection(() => ecs.deleteImage(new $Ecs.DeleteImageRequest({ regionId: "cn-hangzhou", imageId })));
    assert.equal(inUse.code, "ImageUsingByInstance");
    assert.equal(inUse.statusCode, 403);
    emu.clock.advance(15_000);
    await ecs.deleteInstances(new $Ecs.DeleteInstancesRequest({ regionId: "cn-hangzhou", instanceId: [user], force: true }));
    emu.clock.advance(10_000);
    const blocked = await rejection(() => ecs.deleteSnapshot(new $Ecs.DeleteSnapshotRequest({ snapshotId })));
    assert.equal(blocked.code, "SnapshotCreatedImage");
    await ecs.deleteImage(new $Ecs.DeleteImageRequest({ regionId: "cn-hangzhou", imageId }));
    assert.deepEqual(await images({ imageId, status: "ALL" }), []);
    assert.deepEqual(emu.admin.state().snapshots.map((s) => s.snapshotId), [snapshotId], "the snapshot outlives the image");
    await ecs.deleteSnapshot(new $Ecs.DeleteSnapshotRequest({ snapshotId }));
    assert.deepEqual(emu.admin.state().snapshots, []);
    // Gone, or never there: ignored, as the API documents for both.
    await ecs.deleteImage(new $Ecs.DeleteImageRequest({ regionId: "cn-hangzhou", imageId }));
    await ecs.deleteSnapshot(new $Ecs.DeleteSnapshotRequest({ snapshotId }));
  });

  it("RAM: image calls are checked on the instance, the image and the snapshot with their tags", async () => {
    const ci = ecsClient(emu, CI_KEY);
    const ours = await launch(BAKE_USER_DATA, [TAG], ci);
    const foreign = await launch(BAKE_USER_DATA, [{ key: "team", value: "db" }]);
    emu.clock.advance(75_000);
    assert.equal((await rejection(() => ci.stopInstance(new $Ecs.StopInstanceRequest({ instanceId: foreign })))).code, "Forbidden.RAM");
    await ci.stopInstance(new $Ecs.StopInstanceRequest({ instanceId: ours }));
    emu.clock.advance(10_000);
    const untagged = await rejection(() => ci.createImage(new $Ecs.CreateImageRequest({ regionId: "cn-hangzhou", instanceId: ours, imageName: "ci-untagged" })));
    assert.equal(untagged.code, "Forbidden.RAM", "an image without the deployment's tag is refused");
    const ofForeign = await rejection(() => createImage(foreign, { imageName: "ci-copy-of-foreign" }, ci));
    assert.equal(ofForeign.code, "Forbidden.RAM", "imaging an instance that is not ours is refused");
    assert.match(emu.admin.calls().at(-1)!.denied!.resource, new RegExp(`^acs:ecs:cn-hangzhou:${ACCOUNT}:instance/${foreign}$`));
    const imageId = (await createImage(ours, {}, ci)).body!.imageId!;
    emu.clock.advance(120_000);
    const snapshotId = emu.admin.state().images.find((i) => i.imageId === imageId)!.snapshotIds![0]!;
    await ci.deleteImage(new $Ecs.DeleteImageRequest({ regionId: "cn-hangzhou", imageId }));
    await ci.deleteSnapshot(new $Ecs.DeleteSnapshotRequest({ snapshotId }));
    assert.deepEqual(emu.admin.state().snapshots, []);

    // Someone else's image (made by the account's own key, without our tag) cannot be deleted.
    const other = (await createImage(foreign, { imageName: "db-golden", tag: [] })).body!.imageId!;
    emu.clock.advance(120_000);
    const denied = await rejection(() => ci.deleteImage(new $Ecs.DeleteImageRequest({ regionId: "cn-hangzhou", imageId: other })));
    assert.equal(denied.code, "Forbidden.RAM");
    assert.equal(emu.admin.calls().at(-1)!.denied!.resource, `acs:ecs:cn-hangzhou:${ACCOUNT}:image/${other}`);
  });
});
