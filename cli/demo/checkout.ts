import * as fs from "node:fs";
import * as path from "node:path";

/**
 * The checkout this CLI runs from, whether from its sources (cli/demo) or from the build (dist/cli/demo): the
 * nearest directory above that has this package's package.json. The real-CLI demo needs the checkout's runner
 * stack (stacks/runner, which the published package does not ship) and the CLI built into its .tools/.
 */
export function checkoutRoot(from: string = __dirname): string | undefined {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, "package.json");
    if (fs.existsSync(manifest) && JSON.parse(fs.readFileSync(manifest, "utf8")).name === "aliyun-spot-runner") return dir;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** The runner stack's project directory in the checkout, when there is one. */
export function runnerProjectDir(root: string | undefined = checkoutRoot()): string | undefined {
  const dir = root && path.join(root, "stacks", "runner");
  return dir && fs.existsSync(path.join(dir, "Pulumi.yaml")) ? dir : undefined;
}
