import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO_ROOT } from "./support/workflowFiles";

/** .ci/run, the CI entry point: shellcheck-clean, and it stops when it cannot reach the repository (SC2164). */
const CI_RUN = path.join(REPO_ROOT, ".ci/run");

describe(".ci/run", () => {
  it("passes shellcheck", () => {
    const probe = spawnSync("shellcheck", ["--version"]);
    if (probe.error) assert.fail("shellcheck is not installed: apt-get install -y shellcheck (.ci/run installs it)");
    const r = spawnSync("shellcheck", [CI_RUN], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stdout);
  });

  it("stops, running nothing, when it cannot cd to the repository", () => {
    // Run the script's text with a $0 whose directory does not exist: `cd .../..` fails. Without `|| exit` it
    // would go on to run npm in whatever directory it was started from.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ci-run-"));
    fs.writeFileSync(path.join(dir, "npm"), `#!/usr/bin/env bash\necho "npm $*" >>"${dir}/npm.log"\n`, { mode: 0o755 });
    const r = spawnSync("bash", ["-c", fs.readFileSync(CI_RUN, "utf8"), path.join(dir, "gone/.ci/run")], {
      cwd: dir,
      env: { PATH: `${dir}:${process.env.PATH}` },
      encoding: "utf8",
      timeout: 30_000,
    });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /gone\/\.ci\/\.\.: No such file or directory/);
    assert.equal(fs.existsSync(path.join(dir, "npm.log")), false, "npm never ran");
  });
});
