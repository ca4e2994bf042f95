import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { minVersion, satisfies } from "semver";

const root = path.resolve(__dirname, "../..");

/**
 * `npm ci` must not warn EBADENGINE: every package the lockfile installs runs on the oldest Node the package accepts
 * (package.json engines). It did warn: @octokit/request 10.0.15+ asks for content-type 3, which wants Node >= 22 (the
 * override in package.json keeps it on 2.1.0, the same parser, which its earlier releases used). semver is what npm
 * itself uses to compare engines.
 */
describe("the lockfile against our Node floor", () => {
  it("installs nothing that refuses the oldest Node we support", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { engines: { node: string } };
    const floor = minVersion(pkg.engines.node)!.version;
    const lock = JSON.parse(fs.readFileSync(path.join(root, "package-lock.json"), "utf8")) as {
      packages: Record<string, { version?: string; engines?: { node?: string } | string[] }>;
    };
    const refusing = Object.entries(lock.packages)
      .filter(([location, entry]) => location !== "" && !Array.isArray(entry.engines) && entry.engines?.node && !satisfies(floor, entry.engines.node))
      .map(([location, entry]) => `${location.replace(/^.*node_modules\//, "")}@${entry.version} wants node ${(entry.engines as { node: string }).node}`);
    assert.deepEqual(refusing, [], `on Node ${floor}`);
  });
});
