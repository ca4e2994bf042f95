import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ACTIONLINT, GoToolSpec, PULUMI } from "../../tools/goTools/goTools";
import { GoMissingError, GoTooOldError, ModuleProxyError, ToolBuildError } from "../../tools/goTools/errors";
import { ensureGoTool } from "../../tools/goTools/install";

const REPO_ROOT = path.resolve(__dirname, "../..");

/**
 * `go` played by a script that records its calls: `env GOVERSION` answers $FAKE_GO_VERSION; `build -o DIR/ pkg...`
 * writes one executable per package that prints $FAKE_TOOL_VERSION, or fails with $FAKE_GO_FAIL on stderr.
 */
const FAKE_GO = `#!/usr/bin/env bash
echo "$*" >>"$FAKE_GO_LOG"
case "$1" in
  env) echo "\${FAKE_GO_VERSION:-go1.26.8}" ;;
  build)
    if [[ -n "\${FAKE_GO_FAIL:-}" ]]; then printf '%s\\n' "$FAKE_GO_FAIL" >&2; exit 1; fi
    out=""; prev=""; pkgs=()
    for a in "$@"; do
      if [[ "$prev" == -o ]]; then out=$a; elif [[ "$prev" != -ldflags && "$prev" != -tags && "$a" != -* && "$a" != build ]]; then pkgs+=("$a"); fi
      prev=$a
    done
    for p in "\${pkgs[@]}"; do printf '#!/bin/sh\\necho %s\\n' "\${FAKE_TOOL_VERSION:-v1.0.0}" >"$out/\${p##*/}"; chmod +x "$out/\${p##*/}"; done ;;
  *) echo "fake go: unexpected $*" >&2; exit 9 ;;
esac
`;

const SPEC: GoToolSpec = {
  name: "faketool",
  version: "v1.0.0",
  packages: ["example.com/faketool/cmd/faketool", "./faketool-helper"],
  binaries: ["faketool", "faketool-helper"],
  ldflags: ["-s", "-w"],
  tags: [],
  sourceGlobs: [/^go\.(mod|sum)$/, /^faketool-helper\/[^/]+\.go$/],
  links: [],
  check: { args: ["version"], expect: "v1.0.0" },
};

interface Sandbox {
  readonly repo: string;
  readonly env: NodeJS.ProcessEnv;
  readonly goCalls: () => string[];
}

describe("tools/goTools: Go tools from the module proxy", function () {
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  function sandbox(extraEnv: NodeJS.ProcessEnv = {}, cacheRoot?: string): Sandbox {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "go-tools-"));
    dirs.push(dir);
    const bin = path.join(dir, "bin");
    const repo = path.join(dir, "repo");
    fs.mkdirSync(bin);
    fs.mkdirSync(path.join(repo, "tools", "faketool", "faketool-helper"), { recursive: true });
    fs.writeFileSync(path.join(repo, "tools/faketool/go.mod"), "module example.com/wrapper\n\ngo 1.25.11\n");
    fs.writeFileSync(path.join(repo, "tools/faketool/go.sum"), "example.com/faketool v1.0.0 h1:abc=\n");
    fs.writeFileSync(path.join(repo, "tools/faketool/faketool-helper/main.go"), "package main\n");
    fs.writeFileSync(path.join(bin, "go"), FAKE_GO, { mode: 0o755 });
    const log = path.join(dir, "go.log");
    const env = {
      PATH: `${bin}:/usr/bin:/bin`,
      HOME: dir,
      FAKE_GO_LOG: log,
      SPOT_RUNNER_TOOLS_CACHE: cacheRoot ?? path.join(dir, "cache"),
      ...extraEnv,
    };
    return { repo, env, goCalls: () => (fs.existsSync(log) ? fs.readFileSync(log, "utf8").split("\n").filter(Boolean) : []) };
  }
  const ensure = (box: Sandbox, spec = SPEC) => ensureGoTool(spec, { repoRoot: box.repo, env: box.env, log: () => undefined });
  const builds = (box: Sandbox) => box.goCalls().filter((c) => c.startsWith("build "));

  it("builds every binary into .tools/<name>/bin with the pinned flags, then returns at once while nothing changed", async () => {
    const box = sandbox();
    const first = await ensure(box);
    assert.equal(first.status, "built");
    assert.equal(first.binDir, path.join(box.repo, ".tools/faketool/bin"));
    assert.deepEqual(fs.readdirSync(first.binDir).sort(), ["faketool", "faketool-helper"]);
    const [build] = builds(box);
    assert.match(build, /^build -trimpath -ldflags -s -w -o \S+\/faketool-v1\.0\.0-[0-9a-f]{16}\.partial-\w+\/ example\.com\/faketool\/cmd\/faketool \.\/faketool-helper$/);

    const second = await ensure(box);
    assert.equal(second.status, "up-to-date");
    assert.equal(second.key, first.key);
    assert.equal(builds(box).length, 1, "no second go build");
  });

  it("builds again when go.sum, our Go sources or the Go version change", async () => {
    const box = sandbox();
    const base = await ensure(box);
    fs.appendFileSync(path.join(box.repo, "tools/faketool/go.sum"), "example.com/other v1.0.0 h1:def=\n");
    const afterSum = await ensure(box);
    fs.appendFileSync(path.join(box.repo, "tools/faketool/faketool-helper/main.go"), "// changed\n");
    const afterSource = await ensure(box);
    const afterGo = await ensureGoTool(SPEC, { repoRoot: box.repo, env: { ...box.env, FAKE_GO_VERSION: "go1.27.0" }, log: () => undefined });
    assert.deepEqual([afterSum.status, afterSource.status, afterGo.status], ["built", "built", "built"]);
    assert.equal(new Set([base.key, afterSum.key, afterSource.key, afterGo.key]).size, 4);
  });

  it("installs a fresh clone from the machine's cache without building", async () => {
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), "go-tools-cache-"));
    dirs.push(cache);
    const first = sandbox({}, cache);
    await ensure(first);
    const clone = sandbox({}, cache);
    const r = await ensure(clone);
    assert.equal(r.status, "from-cache");
    assert.deepEqual(builds(clone), []);
    assert.ok(fs.existsSync(path.join(clone.repo, ".tools/faketool/bin/faketool-helper")));
  });

  it("says in one line that Go is missing", async () => {
    const box = sandbox({ PATH: "/nonexistent" });
    const err = await ensure(box).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof GoMissingError, String(err));
    assert.match(err.message, /^Go is not installed \(no `go` on PATH\): install Go 1\.25\.11 or later/);
    assert.doesNotMatch(err.message, /\n/);
  });

  it("says in one line that the module proxy cannot be reached, naming GOPROXY, and leaves no partial cache entry", async () => {
    const box = sandbox({
      GOPROXY: "https://goproxy.example",
      FAKE_GO_FAIL: 'go: example.com/faketool@v1.0.0: Get "https://goproxy.example/example.com/faketool/@v/v1.0.0.mod": dial tcp: lookup goproxy.example: no such host',
    });
    const err = await ensure(box).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof ModuleProxyError, String(err));
    assert.match(err.message, /^faketool: could not download Go modules from the module proxy \(GOPROXY=https:\/\/goproxy\.example\): .*no such host/);
    assert.doesNotMatch(err.message, /\n/);
    assert.deepEqual(fs.existsSync(box.env.SPOT_RUNNER_TOOLS_CACHE!) ? fs.readdirSync(box.env.SPOT_RUNNER_TOOLS_CACHE!) : [], []);
    assert.ok(!fs.existsSync(path.join(box.repo, ".tools/faketool/bin")));
  });

  it("names a refused module version as a proxy failure too (how the proxy answers for pulumi-language-nodejs)", async () => {
    const box = sandbox({ FAKE_GO_FAIL: "go: example.com/faketool@v1.0.0: reading https://proxy.golang.org/example.com/faketool/@v/v1.0.0.info: 403 Forbidden\n\tserver response: This module version is not available" });
    await assert.rejects(ensure(box), ModuleProxyError);
  });

  it("says when the installed Go is older than the wrapper module needs", async () => {
    const box = sandbox({ FAKE_GO_FAIL: "go: go.mod requires go >= 1.25.11 (running go 1.24.1; GOTOOLCHAIN=local)" });
    await assert.rejects(ensure(box), (e: unknown) => e instanceof GoTooOldError && /too old.*requires go >= 1\.25\.11/.test(e.message));
  });

  it("refuses a binary that does not report the pinned version", async () => {
    const box = sandbox({ FAKE_TOOL_VERSION: "v0.9.9" });
    await assert.rejects(ensure(box), (e: unknown) => e instanceof ToolBuildError && /reports "v0\.9\.9", not v1\.0\.0/.test(e.message));
  });

  it("the committed wrapper modules pin the versions the project uses", () => {
    const goMod = (name: string) => fs.readFileSync(path.join(REPO_ROOT, "tools", name, "go.mod"), "utf8");
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8"));
    assert.equal(`v${pkg.dependencies["@pulumi/pulumi"]}`, PULUMI.version, "the CLI is built at the SDK's version");
    assert.match(goMod("pulumi"), /^tool github\.com\/pulumi\/pulumi\/pkg\/v3\/cmd\/pulumi$/m);
    assert.match(goMod("pulumi"), new RegExp(`github\\.com/pulumi/pulumi/pkg/v3 ${PULUMI.version}\\b`));
    assert.match(goMod("pulumi"), new RegExp(`github\\.com/pulumi/pulumi/sdk/v3 ${PULUMI.version}\\b`));
    assert.match(goMod("actionlint"), new RegExp(`github\\.com/rhysd/actionlint ${ACTIONLINT.version}\\b`));
    for (const name of ["pulumi", "actionlint"]) {
      assert.doesNotMatch(goMod(name), /^replace /m, `tools/${name}/go.mod: no replace directives`);
      assert.ok(fs.existsSync(path.join(REPO_ROOT, "tools", name, "go.sum")), `tools/${name}/go.sum is committed`);
    }
  });
});
