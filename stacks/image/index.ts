import * as pulumi from "@pulumi/pulumi";
import { readImageStackConfig } from "./config";
import { defineImageStack } from "./program";

const outputs = defineImageStack(readImageStackConfig(pulumi.runtime.allConfig()));

export const imageIds = outputs.imageIds;
export const imageNames = outputs.imageNames;
export const runnerVersions = outputs.runnerVersions;
