import type { EcsActionHandler } from "../call";
import { describeAvailableResource } from "./availableResource";
import { getInstanceConsoleOutput } from "./consoleOutput";
import { deleteInstance, deleteInstances } from "./deleteInstances";
import { describeInstances } from "./describeInstances";
import { describeInstanceTypes } from "./instanceTypes";
import { describeSecurityGroups, describeVSwitches } from "./network";
import { describeImages } from "./describeImages";
import { createImage, deleteImage, deleteSnapshot } from "./images";
import { stopInstance } from "./stopInstance";
import { describeRegions, describeZones } from "./regions";
import { runInstances } from "./runInstances";
import { describeSpotAdvice } from "./spotAdvice";
import { describeSpotPriceHistory } from "./spotPriceHistory";

export interface EcsActionSpec {
  readonly handler: EcsActionHandler;
  /**
   * Parameters the API rejects a call without (MissingParameter), checked before authorization and faults.
   * RegionId is required everywhere except DescribeRegions, DescribeInstanceTypes and DeleteInstance, which have
   * no RegionId parameter in SDK 7.x.
   */
  readonly required: readonly string[];
}

export const ECS_VERSION = "2014-05-26";

export const ECS_ACTIONS: Readonly<Record<string, EcsActionSpec>> = {
  DescribeRegions: { handler: describeRegions, required: [] },
  DescribeZones: { handler: describeZones, required: ["RegionId"] },
  DescribeInstanceTypes: { handler: describeInstanceTypes, required: [] },
  DescribeAvailableResource: { handler: describeAvailableResource, required: ["RegionId", "DestinationResource"] },
  DescribeSpotPriceHistory: { handler: describeSpotPriceHistory, required: ["RegionId", "NetworkType", "InstanceType"] },
  DescribeSpotAdvice: { handler: describeSpotAdvice, required: ["RegionId"] },
  RunInstances: { handler: runInstances, required: ["RegionId", "ImageId", "InstanceType"] },
  DescribeInstances: { handler: describeInstances, required: ["RegionId"] },
  DeleteInstance: { handler: deleteInstance, required: ["InstanceId"] },
  DeleteInstances: { handler: deleteInstances, required: ["RegionId"] },
  DescribeVSwitches: { handler: describeVSwitches, required: ["RegionId"] },
  DescribeSecurityGroups: { handler: describeSecurityGroups, required: ["RegionId"] },
  DescribeImages: { handler: describeImages, required: ["RegionId"] },
  GetInstanceConsoleOutput: { handler: getInstanceConsoleOutput, required: ["RegionId", "InstanceId"] },
  // Runner images (docs/emulator.md, "Images"). StopInstance and DeleteSnapshot have no RegionId in SDK 7.x.
  StopInstance: { handler: stopInstance, required: ["InstanceId"] },
  CreateImage: { handler: createImage, required: ["RegionId"] },
  DeleteImage: { handler: deleteImage, required: ["RegionId", "ImageId"] },
  DeleteSnapshot: { handler: deleteSnapshot, required: ["SnapshotId"] },
};
