import * as fs from "node:fs";
import * as path from "node:path";
import { execFileSync } from "node:child_process";
import { cacheKey } from "./cacheKey";
import { classifyGoFailure, ToolBuildError } from "./errors";
import { goVersion, runGo } from "./goCommand";
import { GoToolSpec, toolBinDir, toolCacheRoot } from "./goTools";

export interface EnsureOptions {
  readonly repoRoot: string;
  readonly env: NodeJS.ProcessEnv;
  readonly log: (line: string) => void;
  /** Bound on one `go build`; a cold Pulumi build takes about 5 min on 2 cores. */
  readonly buildTimeoutMs?: number;
}

export interface EnsureResult {
  /** up-to-date: nothing to do; from-cache: installed from the machine's cache; built: compiled now. */
  readonly status: "up-to-date" | "from-cache" | "built";
  readonly key: string;
  readonly binDir: string;
  readonly seconds: number;
}

interface Stamp {
  readonly key: string;
  readonly version: string;
  readonly go: string;
}

/**
 * Makes .tools/<name>/bin hold the tool's binaries for the current wrapper module: nothing to do when its stamp
 * carries the current key, else installed from the machine's cache, else built from the module proxy into the
 * cache first. A cache entry appears by one rename, so a build that dies midway leaves nothing half-made.
 */
export async function ensureGoTool(spec: GoToolSpec, options: EnsureOptions): Promise<EnsureResult> {
  const started = Date.now();
  const seconds = () => (Date.now() - started) / 1000;
  const moduleDir = path.join(options.repoRoot, "tools", spec.name);
  const go = await goVersion(options.env, moduleDir);
  const key = cacheKey(spec, moduleDir, go);
  const binDir = toolBinDir(options.repoRoot, spec.name);
  const stampFile = path.join(path.dirname(binDir), "stamp.json");

  if (readStamp(stampFile)?.key === key && isInstalled(spec, binDir)) {
    return { status: "up-to-date", key, binDir, seconds: seconds() };
  }

  const cached = path.join(toolCacheRoot(options.env), `${spec.name}-${spec.version}-${key}`);
  let status: EnsureResult["status"] = "from-cache";
  if (!spec.binaries.every((b) => fs.existsSync(path.join(cached, b)))) {
    status = "built";
    options.log(`${spec.name}: building ${spec.version} with ${go} from the Go module proxy into ${cached} (cold: minutes; later runs reuse it)`);
    await buildInto(spec, moduleDir, cached, options);
  }
  install(spec, cached, binDir, options.repoRoot);
  fs.writeFileSync(stampFile, JSON.stringify({ key, version: spec.version, go } satisfies Stamp, null, 2) + "\n");
  return { status, key, binDir, seconds: seconds() };
}

async function buildInto(spec: GoToolSpec, moduleDir: string, cached: string, options: EnsureOptions): Promise<void> {
  fs.mkdirSync(path.dirname(cached), { recursive: true });
  const scratch = fs.mkdtempSync(`${cached}.partial-`);
  try {
    const args = ["build", "-trimpath", ...(spec.tags.length ? ["-tags", spec.tags.join(",")] : []), "-ldflags", spec.ldflags.join(" "), "-o", `${scratch}/`, ...spec.packages];
    const r = await runGo(args, { cwd: moduleDir, env: options.env, timeoutMs: options.buildTimeoutMs ?? 30 * 60_000 });
    if (r.code !== 0) throw classifyGoFailure(spec.name, r.stderr, options.env);
    checkVersion(spec, path.join(scratch, spec.binaries[0]));
    try {
      fs.renameSync(scratch, cached);
    } catch (err) {
      // Another build of the same key finished first: its binaries are as good as ours.
      if (!["ENOTEMPTY", "EEXIST"].includes((err as NodeJS.ErrnoException).code ?? "")) throw err;
    }
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

function checkVersion(spec: GoToolSpec, binary: string): void {
  let out: string;
  try {
    out = execFileSync(binary, [...spec.check.args], { encoding: "utf8", timeout: 30_000, stdio: ["ignore", "pipe", "pipe"] });
  } catch (err) {
    throw new ToolBuildError(`${spec.name}: the built ${path.basename(binary)} does not run (${(err as Error).message.split("\n")[0]})`);
  }
  if (!out.includes(spec.check.expect)) {
    throw new ToolBuildError(`${spec.name}: the built ${path.basename(binary)} reports "${out.trim().split("\n")[0]}", not ${spec.check.expect}`);
  }
}

function install(spec: GoToolSpec, cached: string, binDir: string, repoRoot: string): void {
  fs.rmSync(binDir, { recursive: true, force: true });
  fs.mkdirSync(binDir, { recursive: true });
  for (const binary of spec.binaries) {
    const from = path.join(cached, binary);
    const to = path.join(binDir, binary);
    try {
      fs.linkSync(from, to); // instant, and the checkout keeps its copy if the cache is cleaned
    } catch {
      fs.copyFileSync(from, to);
      fs.chmodSync(to, 0o755);
    }
  }
  for (const link of spec.links) {
    const target = path.join(repoRoot, link.target);
    if (!fs.existsSync(target)) throw new ToolBuildError(`${spec.name}: ${link.target} is missing; run \`npm ci\` first`);
    fs.symlinkSync(path.relative(binDir, target), path.join(binDir, link.name));
  }
}

function isInstalled(spec: GoToolSpec, binDir: string): boolean {
  return [...spec.binaries, ...spec.links.map((l) => l.name)].every((name) => fs.existsSync(path.join(binDir, name)));
}

function readStamp(file: string): Stamp | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as Stamp;
  } catch {
    return undefined;
  }
}
