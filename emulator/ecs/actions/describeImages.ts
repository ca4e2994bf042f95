import { EcsCall, EcsResponseBody, pageByNumber, requireRegion } from "../call";
import { invalidParameter } from "../errors";
import { isoSeconds } from "../../format";
import { wildcardMatch } from "../params";
import { CustomImageRecord, imageProgressAt, imageStatusAt } from "../../state/images";
import type { ScenarioImage } from "../../scenario/types";

const DEFAULT_IMAGE_OWNERS = "system,self,others";
/** The statuses the API documents for Status; ALL means every one, and cannot be combined. */
const IMAGE_STATUSES = ["Creating", "Waiting", "Available", "UnAvailable", "CreateFailed", "Deprecated"];

/**
 * DescribeImages: the scenario's images and the custom images CreateImage made. ImageId takes a comma-separated
 * list; ImageName matches with `*` wildcards; Status defaults to Available (a comma-separated list, or ALL); Tag.N
 * filters like DescribeInstances' (a key without value matches any value). Without ImageOwnerAlias the API lists
 * system, self and others (shared) images, not marketplace ones. Unknown ids give an empty list, not an error.
 */
export function describeImages(call: EcsCall): EcsResponseBody {
  const p = call.params;
  const region = requireRegion(call);
  const ids = p.get("ImageId")?.split(",").map((s) => s.trim()).filter(Boolean);
  const name = p.get("ImageName");
  const owners = (p.get("ImageOwnerAlias") ?? DEFAULT_IMAGE_OWNERS).split(",");
  const arch = p.get("Architecture");
  const osType = p.get("OSType");
  const statuses = readStatuses(p.get("Status"));
  const tagFilters = p.objectList("Tag", 20).map((t) => ({ key: t.Key ?? "", value: t.Value }));
  const instanceType = p.get("InstanceType");
  const typeArch = instanceType ? call.world.instanceTypes.get(instanceType)?.cpuArchitecture : undefined;
  const all: (ScenarioImage | CustomImageRecord)[] = [...call.world.scenario.images, ...call.world.customImages.values()];
  const statusOf = (i: ScenarioImage | CustomImageRecord) => (isCustom(i) ? imageStatusAt(i, call.now) : "Available");
  const matching = all.filter(
    (i) =>
      i.regionId === region.regionId &&
      (ids === undefined || ids.includes(i.imageId)) &&
      (name === undefined || wildcardMatch(name, i.imageName)) &&
      owners.includes(i.imageOwnerAlias) &&
      (arch === undefined || i.architecture === arch) &&
      (osType === undefined || i.osType === osType) &&
      statuses.includes(statusOf(i)) &&
      tagFilters.every((f) => tagsOf(i).some((t) => t.key === f.key && (f.value === undefined || t.value === f.value))) &&
      (typeArch === undefined || (typeArch === "ARM") === (i.architecture === "arm64")),
  );
  const { page, pageNumber, pageSize } = pageByNumber(matching, p, { size: 10, max: 100 });
  return {
    RegionId: region.regionId,
    TotalCount: matching.length,
    PageNumber: pageNumber,
    PageSize: pageSize,
    Images: {
      Image: page.map((i) => {
        const custom = isCustom(i) ? i : undefined;
        return {
          ImageId: i.imageId,
          ImageName: i.imageName,
          ImageFamily: "",
          ImageVersion: "",
          Architecture: i.architecture,
          OSType: i.osType,
          OSName: i.osName,
          OSNameEn: i.osName,
          Platform: platformOf(i.osName),
          ImageOwnerAlias: i.imageOwnerAlias,
          IsPublic: i.imageOwnerAlias === "system" || i.imageOwnerAlias === "marketplace",
          IsSelfShared: "",
          IsSubscribed: false,
          IsCopied: false,
          IsSupportCloudinit: true,
          IsSupportIoOptimized: true,
          Size: i.size,
          Status: statusOf(i),
          Usage: [...call.world.instances.values()].some((x) => x.image.imageId === i.imageId) ? "instance" : "none",
          Progress: custom ? imageProgressAt(custom, call.now) : "100%",
          BootMode: i.architecture === "arm64" ? "UEFI" : "BIOS",
          CreationTime: isoSeconds(custom ? custom.createdAt : call.world.startMs),
          Description: custom?.description ?? "",
          DiskDeviceMappings: {
            DiskDeviceMapping: [{ Device: "/dev/xvda", Size: String(i.size), Type: "system", Format: "", SnapshotId: custom?.snapshotIds[0] ?? "" }],
          },
          Tags: { Tag: tagsOf(i).map((t) => ({ TagKey: t.key, TagValue: t.value })) },
          Features: { NvmeSupport: "supported", ImdsSupport: "v2" },
        };
      }),
    },
  };
}

function isCustom(image: ScenarioImage | CustomImageRecord): image is CustomImageRecord {
  return "availableAt" in image;
}

function tagsOf(image: ScenarioImage | CustomImageRecord): readonly { key: string; value: string }[] {
  return isCustom(image) ? image.tags : [];
}

function readStatuses(text: string | undefined): string[] {
  if (text === undefined) return ["Available"];
  const values = text.split(",").map((s) => s.trim()).filter(Boolean);
  if (values.includes("ALL")) {
    if (values.length > 1) throw invalidParameter("Status", "ALL cannot be combined with other statuses");
    return IMAGE_STATUSES;
  }
  const unknown = values.filter((v) => !IMAGE_STATUSES.includes(v));
  if (unknown.length > 0) throw invalidParameter("Status", `${unknown.join(", ")} is not one of ${IMAGE_STATUSES.join(", ")}, ALL`);
  return values;
}

function platformOf(osName: string): string {
  for (const platform of ["Ubuntu", "Debian", "CentOS", "Alibaba Cloud Linux", "Aliyun", "Rocky Linux", "AlmaLinux", "Anolis", "Windows"]) {
    if (osName.toLowerCase().includes(platform.toLowerCase())) return platform;
  }
  return "Others Linux";
}
