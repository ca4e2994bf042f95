import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** How the fake `run.sh` behaves once the bootstrap starts it. */
export type RunnerBehaviour =
  /** Takes a job (writes a Worker log) and exits 0. */
  | "job"
  /** Cannot start: exits 1 at once. */
  | "fail"
  /** Waits for a job that never comes. */
  | "idle"
  /** Takes a job that never ends. */
  | "long-job"
  /** Takes a job whose step runs until the reclaim warning shows up in its output, then exits 0. */
  | "spot-job";

/**
 * Writes a fake runner into `dir`: `run.sh` records its arguments, environment and signals into `recordDir`
 * and behaves as told; `bin/installdependencies.sh` records that it ran; `bin/Runner.Worker` runs one "step"
 * (a sleep) whose standard output is `recordDir/step-output`, like a real step's output feeds the job log.
 */
export function writeFakeRunner(dir: string, recordDir: string, behaviour: RunnerBehaviour): void {
  mkdirSync(join(dir, "bin"), { recursive: true });
  const rec = JSON.stringify(recordDir);
  const script = (path: string, lines: string[]): void => {
    writeFileSync(join(dir, path), ["#!/bin/bash", ...lines, ""].join("\n"));
    chmodSync(join(dir, path), 0o755);
  };
  const startJob = 'mkdir -p "$here/_diag" && : >"$here/_diag/Worker_20261128-000000-utc.log"';
  const waitForever = "sleep 60 & wait $!";
  const behaviours: Record<RunnerBehaviour, string[]> = {
    job: [startJob, 'echo "fake runner: job completed"', "exit 0"],
    fail: ['echo "fake runner: cannot connect to GitHub"', "exit 1"],
    idle: ['echo "fake runner: listening for jobs"', waitForever],
    "long-job": [startJob, waitForever],
    "spot-job": [
      startJob,
      '"$here/bin/Runner.Worker" &',
      // Bounded: the test fails on the missing warning, not on a hang.
      "while ((SECONDS < 20)); do",
      `  grep -q '::warning' ${rec}/step-output 2>/dev/null && exit 0`,
      "  sleep 0.05",
      "done",
      "exit 3",
    ],
  };
  script("run.sh", [
    `rec=${rec}`,
    // The bootstrap starts "$dir/run.sh": ${0%/*} is the runner directory exactly as the bootstrap names it.
    'here=${0%/*}',
    'printf \'%s\\n\' "$@" >"$rec/runner-args"',
    'env >"$rec/runner-env"',
    'pwd >"$rec/runner-cwd"',
    "trap 'echo TERM >>\"$rec/runner-signals\"; exit 143' TERM",
    ...behaviours[behaviour],
  ]);
  script("bin/installdependencies.sh", [`echo installdependencies >>${rec}/installdependencies`]);
  script("bin/Runner.Worker", [`sleep 60 >>${rec}/step-output & wait $!`]);
  writeFileSync(join(dir, "config.sh"), "#!/bin/bash\nexit 0\n", { mode: 0o755 });
}

/** The fake runner as a release package: `{ tarball, sha256 }`. */
export function packFakeRunner(treeDir: string, tarballPath: string): { tarball: Buffer; sha256: string } {
  execFileSync("tar", ["-czf", tarballPath, "-C", treeDir, "."]);
  const tarball = readFileSync(tarballPath);
  return { tarball, sha256: createHash("sha256").update(tarball).digest("hex") };
}
