import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "./world";

/**
 * A copy of this project in a temporary directory, as a later commit of it would be checked out and built: its own
 * package.json, build (dist/) and stacks/runner/ sources, and a node_modules of links to the real one, except
 * that the package's self-link (aliyun-spot-runner) points at the copy. The shim Pulumi stores in state requires
 * the provider through that name, so editing the copy's build changes what a later `pulumi destroy` runs, as a
 * new commit would.
 */
export function copyProject(into: string): { root: string; runnerDir: string } {
  const root = path.join(into, "project");
  fs.mkdirSync(path.join(root, "node_modules"), { recursive: true });
  for (const file of ["package.json", "tsconfig.json"]) fs.copyFileSync(path.join(REPO_ROOT, file), path.join(root, file));
  fs.cpSync(path.join(REPO_ROOT, "dist"), path.join(root, "dist"), { recursive: true });
  const runnerDir = path.join(root, "stacks", "runner");
  fs.mkdirSync(runnerDir, { recursive: true });
  for (const file of ["Pulumi.yaml", "index.ts", "config.ts", "program.ts", "tsconfig.json"]) {
    fs.copyFileSync(path.join(REPO_ROOT, "stacks/runner", file), path.join(runnerDir, file));
  }
  for (const entry of fs.readdirSync(path.join(REPO_ROOT, "node_modules"))) {
    const link = path.join(root, "node_modules", entry);
    if (entry === "aliyun-spot-runner") fs.symlinkSync("..", link);
    else fs.symlinkSync(path.join(REPO_ROOT, "node_modules", entry), link);
  }
  return { root, runnerDir };
}
