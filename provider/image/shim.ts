import type * as pulumi from "@pulumi/pulumi";

/**
 * What Pulumi serializes into state for a RunnerImage: a few lines that load the compiled provider from this
 * package in the plugin host (the reasons are SpotRunner's: provider/shim.ts).
 */
function loadProvider(): pulumi.dynamic.ResourceProvider {
  return require("aliyun-spot-runner/runtime").runnerImageProvider;
}

export const runnerImageShim: pulumi.dynamic.ResourceProvider = {
  check: (olds, news) => loadProvider().check!(olds, news),
  diff: (id, olds, news) => loadProvider().diff!(id, olds, news),
  create: (inputs) => loadProvider().create(inputs),
  read: (id, props) => loadProvider().read!(id, props),
  update: (id, olds, news) => loadProvider().update!(id, olds, news),
  delete: (id, props) => loadProvider().delete!(id, props),
};
