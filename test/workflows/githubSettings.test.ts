import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { allSteps, loadWorkflows, REPO_ROOT, workflow } from "./support/workflowFiles";

/**
 * Settings a repository owner types in: the GitHub App's ids are variables (not secret; as secrets GitHub masks
 * every output that contains their digits), and the documented repository_dispatch really sends client_payload as
 * a JSON object (GitHub's "Create a repository dispatch event" takes an object; `gh api -f` fields are strings).
 */
describe("workflows: GitHub settings", () => {
  describe("the GitHub App's ids are variables, its private key a secret", () => {
    it("no workflow reads the ids as secrets, or passes them as secrets to the reusable build", () => {
      for (const w of loadWorkflows()) {
        assert.doesNotMatch(w.text, /secrets\.RUNNER_ADMIN_APP_(ID|INSTALLATION_ID)\b/, w.file);
        assert.doesNotMatch(w.text, /^\s+RUNNER_ADMIN_APP_(ID|INSTALLATION_ID):/m, `${w.file}: declares or passes an App id as a secret`);
      }
    });

    it("every step that authenticates as the App takes the ids from vars and the key from secrets", () => {
      const appSteps = allSteps().filter(({ step }) => step.env && "GITHUB_APP_ID" in step.env);
      assert.ok(appSteps.length >= 5, "start, stop, the manager's steps and the reaper use the App");
      for (const { file, job, step } of appSteps) {
        const where = `${file} ${job} "${step.name ?? step.run}"`;
        assert.equal(step.env.GITHUB_APP_ID, "${{ vars.RUNNER_ADMIN_APP_ID }}", where);
        assert.equal(step.env.GITHUB_APP_INSTALLATION_ID, "${{ vars.RUNNER_ADMIN_APP_INSTALLATION_ID }}", where);
        assert.equal(step.env.GITHUB_APP_PRIVATE_KEY, "${{ secrets.RUNNER_ADMIN_APP_PRIVATE_KEY }}", where);
      }
    });

    it("docs/workflows.md lists the ids under Variables and the key under Secrets", () => {
      const doc = fs.readFileSync(path.join(REPO_ROOT, "docs/workflows.md"), "utf8");
      const secrets = doc.slice(doc.indexOf("### Secrets"), doc.indexOf("### Variables"));
      const variables = doc.slice(doc.indexOf("### Variables"), doc.indexOf("### GitHub permissions"));
      assert.doesNotMatch(secrets, /^\| `RUNNER_ADMIN_APP_(ID|INSTALLATION_ID)`/m);
      assert.match(secrets, /^\| `RUNNER_ADMIN_APP_PRIVATE_KEY` \|/m);
      assert.match(variables, /^\| `RUNNER_ADMIN_APP_ID`, `RUNNER_ADMIN_APP_INSTALLATION_ID` \|/m);
    });
  });

  describe("the manifest merge's repository_dispatch example", () => {
    /** A gh that records its arguments and the body it would send. */
    function fakeGh(): { dir: string; calls: () => Array<{ args: string[]; body: string }> } {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fake-gh-"));
      fs.writeFileSync(
        path.join(dir, "gh"),
        `#!/usr/bin/env node
const fs = require("node:fs");
const args = process.argv.slice(2);
const i = args.indexOf("--input");
const body = i >= 0 && args[i + 1] === "-" ? fs.readFileSync(0, "utf8") : "";
fs.appendFileSync(process.env.FAKE_GH_LOG, JSON.stringify({ args, body }) + "\\n");
`,
        { mode: 0o755 },
      );
      const log = path.join(dir, "calls.jsonl");
      return { dir, calls: () => fs.readFileSync(log, "utf8").trim().split("\n").map((l) => JSON.parse(l)) };
    }

    const runExample = (script: string) => {
      const gh = fakeGh();
      const r = spawnSync("bash", ["-e", "-c", script], { env: { PATH: `${gh.dir}:${process.env.PATH}`, FAKE_GH_LOG: path.join(gh.dir, "calls.jsonl") }, encoding: "utf8", timeout: 30_000 });
      assert.equal(r.status, 0, r.stderr);
      return gh.calls();
    };

    const assertDispatch = (calls: Array<{ args: string[]; body: string }>) => {
      const dispatch = calls.find((c) => c.args.includes("repos/{owner}/{repo}/dispatches"));
      assert.ok(dispatch, "the example calls the dispatches endpoint");
      assert.deepEqual(dispatch.args, ["api", "repos/{owner}/{repo}/dispatches", "--input", "-"]);
      const body = JSON.parse(dispatch.body);
      assert.equal(body.event_type, "merge-manifest");
      assert.equal(typeof body.client_payload, "object", "client_payload is a JSON object, not a string");
      assert.deepEqual(body.client_payload, { tag: "v1.0.0", image_name: "dianplus/openresty", push_latest: true });
      // The workflow listens for that type and reads those fields.
      const w = workflow("manifest-merge.yml");
      assert.deepEqual(w.doc.on.repository_dispatch.types, [body.event_type]);
      for (const field of Object.keys(body.client_payload)) assert.match(w.text, new RegExp(`github\\.event\\.client_payload\\.${field}\\b`));
    };

    it("in the workflow's header comment, sends an object", () => {
      const text = workflow("manifest-merge.yml").text;
      const header = text.slice(0, text.indexOf("\nname:")).split("\n").map((l) => l.replace(/^#\s?/, ""));
      const start = header.findIndex((l) => l.trimStart().startsWith("gh api repos/{owner}/{repo}/dispatches"));
      const end = header.findIndex((l, i) => i > start && l.trim() === "JSON");
      assert.ok(start >= 0 && end > start, "the header shows the gh api call with its JSON body");
      assertDispatch(runExample(header.slice(start, end + 1).map((l) => l.trimStart()).join("\n")));
    });

    it("in docs/workflows.md, sends an object", () => {
      const doc = fs.readFileSync(path.join(REPO_ROOT, "docs/workflows.md"), "utf8");
      const block = /```sh\n(gh workflow run manifest-merge\.yml[\s\S]*?)```/.exec(doc);
      assert.ok(block, "docs/workflows.md shows how to trigger the merge");
      const calls = runExample(block[1]);
      assert.deepEqual(calls[0].args, ["workflow", "run", "manifest-merge.yml", "-f", "tag=v1.0.0", "-f", "push_latest=true"]);
      assertDispatch(calls);
    });

    it("nothing documents the guide's string payload any more (-f client_payload=...)", () => {
      const files = [path.join(REPO_ROOT, "README.md"), ...fs.readdirSync(path.join(REPO_ROOT, "docs")).map((f) => path.join(REPO_ROOT, "docs", f)), ...loadWorkflows().map((w) => path.join(REPO_ROOT, ".github/workflows", w.file))];
      for (const f of files) {
        for (const line of fs.readFileSync(f, "utf8").split("\n")) {
          if (/-f client_payload=/.test(line)) assert.match(line, /sends it as a string|would send a string/, `${path.relative(REPO_ROOT, f)} shows a string client_payload as the way to do it: ${line}`);
        }
      }
    });
  });
});
