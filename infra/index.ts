/**
 * Entry point of the static `spot-runner-infra` stack (Pulumi.yaml `main: infra/`). Fails at start with every
 * configuration problem named by key; otherwise declares the network and the CI identity and exports what
 * the runner stacks read through a StackReference.
 */
import { defineInfraStack, readInfraConfig } from "./program";

export = defineInfraStack(readInfraConfig());
