import * as pulumi from "@pulumi/pulumi";
import { readRunnerStackConfig } from "./config";
import { defineRunnerStack } from "./program";

// The whole configuration, so a misspelt key is refused instead of being ignored.
const outputs = defineRunnerStack(readRunnerStackConfig(pulumi.runtime.allConfig()));

export const label = outputs.label;
export const runnerName = outputs.runnerName;
export const instanceId = outputs.instanceId;
export const instanceName = outputs.instanceName;
export const instanceType = outputs.instanceType;
export const zoneId = outputs.zoneId;
export const region = outputs.region;
export const cpuCount = outputs.cpuCount;
export const memoryGiB = outputs.memoryGiB;
export const spotPrice = outputs.spotPrice;
export const priceLimit = outputs.priceLimit;
export const hourlyCost = outputs.hourlyCost;
export const currency = outputs.currency;
export const autoReleaseTime = outputs.autoReleaseTime;
export const launchedAt = outputs.launchedAt;
