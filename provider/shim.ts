import type * as pulumi from "@pulumi/pulumi";

/**
 * The part of the provider that Pulumi serializes into state: a few lines that load the real implementation
 * from this package when the engine's plugin host runs it.
 *
 * Why not let Pulumi serialize the provider itself: its closure serializer rewrites classes into functions
 * (Error subclasses lose their message and name) and captures module-level Maps and Sets as plain objects;
 * both were measured with @pulumi/pulumi 3.248.0. A shim also keeps the state small (no deep `require` paths
 * pinned in it) and proves by construction that no credential is captured.
 *
 * The plugin host is plain node started in the program's directory: the package resolves from the program's
 * node_modules (where `npm install` put it; in this repository through the self-link
 * `"aliyun-spot-runner": "file:."`), and what loads is the compiled JavaScript of its `./runtime` export. No
 * TypeScript loader is involved, so the host starts in the time node needs to load the SDKs.
 */
function loadProvider(): pulumi.dynamic.ResourceProvider {
  return require("aliyun-spot-runner/runtime").spotRunnerProvider;
}

export const spotRunnerShim: pulumi.dynamic.ResourceProvider = {
  check: (olds, news) => loadProvider().check!(olds, news),
  diff: (id, olds, news) => loadProvider().diff!(id, olds, news),
  create: (inputs) => loadProvider().create(inputs),
  read: (id, props) => loadProvider().read!(id, props),
  update: (id, olds, news) => loadProvider().update!(id, olds, news),
  delete: (id, props) => loadProvider().delete!(id, props),
};
