import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { credentialsAction, loadWorkflows, REPO_ROOT, stepsOf } from "./support/workflowFiles";

/**
 * The exact action releases, on their Node 24 majors (GitHub removes Node 20 from the runners: github.blog
 * changelog 2025-09-19, "Deprecation of Node 20 on GitHub Actions runners"). Each SHA is the commit its release tag
 * points to, as recorded in docs/workflows.md ("Action pins") with its source. Changing a pin means changing this
 * table, the workflows and the docs together.
 */
const PINS: Readonly<Record<string, readonly [version: string, sha: string]>> = {
  "actions/checkout": ["v7.0.1", "3d3c42e5aac5ba805825da76410c181273ba90b1"],
  "actions/setup-node": ["v7.1.0", "949feb2413d6458794dcd2491c4babbbce0c15c1"],
  "docker/setup-buildx-action": ["v4.4.1", "f87e5991a6d7451dcb8d9637bfbc97413f497069"],
  "docker/login-action": ["v4.6.0", "dbcb813823bdd20940b903addbd779551569679f"],
  "docker/build-push-action": ["v7.4.0", "c3c9e263c25d99ce0380d002d59b67737d91b0dc"],
  "aliyun/configure-aliyun-credentials-action": ["v1.1.0", "1e5248c8d5d93a8781ac344a68e19a43341e79e6"],
  "pulumi/actions": ["v7.0.0", "8e5e406f4007fca908480587cb9893c07090f58d"],
};

/** Every remote `uses:` line of the workflows and of the local composite action, as [where, action, sha, comment]. */
function remoteUses(): Array<[string, string, string, string]> {
  const files = [
    ...loadWorkflows().map((w) => [`.github/workflows/${w.file}`, w.text] as const),
    [".github/actions/aliyun-credentials/action.yml", credentialsAction().text] as const,
  ];
  return files.flatMap(([file, text]) =>
    [...text.matchAll(/^\s*(?:-\s+)?uses:\s*([^\s@]+)@(\S+)(.*)$/gm)]
      .filter((m) => !m[1].startsWith("./"))
      .map((m) => [file, m[1], m[2], m[3].trim()] as [string, string, string, string]),
  );
}

describe("workflows: actions pinned to their current Node 24 releases", () => {
  it("every remote action is one of the pinned releases, by its exact commit, with the release in a comment", () => {
    const uses = remoteUses();
    assert.ok(uses.length >= 15, "the workflows use actions");
    for (const [file, action, sha, comment] of uses) {
      const pin = PINS[action];
      assert.ok(pin, `${file}: ${action} is not a pinned action; add it to PINS with its release and commit`);
      assert.equal(sha, pin[1], `${file}: ${action} must be pinned to ${pin[1]} (${pin[0]})`);
      assert.equal(comment, `# ${pin[0]}`, `${file}: ${action}@${sha} needs the comment # ${pin[0]}`);
    }
    assert.deepEqual([...new Set(uses.map(([, a]) => a))].sort(), Object.keys(PINS).sort(), "every pin is in use");
  });

  it("docs/workflows.md lists exactly these pins", () => {
    const doc = fs.readFileSync(path.join(REPO_ROOT, "docs/workflows.md"), "utf8");
    const section = doc.slice(doc.indexOf("## Action pins"));
    const rows = [...section.matchAll(/^\| `([\w./-]+)` \| (v\d+\.\d+\.\d+) \| `([0-9a-f]{40})` \|/gm)].map((m) => [m[1], m[2], m[3]]);
    assert.deepEqual(rows.sort(), Object.entries(PINS).map(([a, [v, s]]) => [a, v, s]).sort());
  });

  it("setup-node installs an exact Node 24 release, the same everywhere", () => {
    const versions = loadWorkflows().flatMap((w) =>
      stepsOf(w)
        .filter(({ step }) => String(step.uses ?? "").startsWith("actions/setup-node@"))
        .map(({ step }) => String(step.with?.["node-version"])),
    );
    assert.ok(versions.length >= 3);
    assert.equal(new Set(versions).size, 1, `one Node version: ${versions.join(", ")}`);
    assert.match(versions[0], /^24\.\d+\.\d+$/);
  });
});
