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
 * The plugin host is plain node started in the project directory: the package resolves from there (in this
 * repository through the self-link `"aliyun-spot-runner": "file:."`), and ts-node compiles our sources
 * (transpile only), as Pulumi's language host does for the program.
 */
function loadProvider(): pulumi.dynamic.ResourceProvider {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  if (!require.extensions[".ts"]) {
    require("ts-node").register({
      transpileOnly: true,
      skipProject: true,
      // Compile this package's sources even when it is installed under node_modules.
      ignore: ["(?:^|/)node_modules/(?!aliyun-spot-runner/)"],
      compilerOptions: { module: "nodenext", moduleResolution: "nodenext", target: "es2022", esModuleInterop: true },
    });
  }
  return require("aliyun-spot-runner/provider/runtime").spotRunnerProvider;
}

export const spotRunnerShim: pulumi.dynamic.ResourceProvider = {
  check: (olds, news) => loadProvider().check!(olds, news),
  diff: (id, olds, news) => loadProvider().diff!(id, olds, news),
  create: (inputs) => loadProvider().create(inputs),
  read: (id, props) => loadProvider().read!(id, props),
  update: (id, olds, news) => loadProvider().update!(id, olds, news),
  delete: (id, props) => loadProvider().delete!(id, props),
};
