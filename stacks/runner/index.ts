import * as pulumi from "@pulumi/pulumi";
import { readRunnerStackConfig } from "./config";
import { defineRunnerStack } from "./program";

// The whole configuration, so a misspelt key is refused instead of being ignored.
const outputs = defineRunnerStack(readRunnerStackConfig(pulumi.runtime.allConfig()));

// The stack's outputs are this module's exports: one for each output the contract lists (provider/contract/outputs.ts).
for (const [key, value] of Object.entries(outputs)) (exports as Record<string, unknown>)[key] = value;
