#!/usr/bin/env node
"use strict";
// `npm run build`: compiles the package (tsconfig.build.json) into dist/ and copies the files the code reads at
// run time. With --if-stale (what `npm test` runs first) it returns at once when nothing under the compiled
// folders is newer than the last build, so a test run costs no compile when the sources did not change.
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const dist = path.join(root, "dist");
const stamp = path.join(dist, ".tsbuildinfo");
const SOURCES = ["provider", "cli", "emulator", "stacks/runner/costSummary.ts", "tsconfig.json", "tsconfig.build.json", "package.json"];
/** Read with readFileSync(__dirname/...) at run time: not compiled, so tsc does not copy them. */
const ASSETS = ["provider/bootstrap/bootstrap.sh", "provider/bootstrap/packages.sh", "provider/bake/bake.sh"];

function newestMtime(entry) {
  const full = path.join(root, entry);
  if (!fs.existsSync(full)) return 0;
  const stat = fs.statSync(full);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const child of fs.readdirSync(full)) newest = Math.max(newest, newestMtime(path.join(entry, child)));
  return newest;
}

function isStale() {
  if (!fs.existsSync(stamp)) return true;
  const built = fs.statSync(stamp).mtimeMs;
  return SOURCES.some((entry) => newestMtime(entry) > built) || ASSETS.some((a) => !fs.existsSync(path.join(dist, a)));
}

if (process.argv.includes("--if-stale") && !isStale()) process.exit(0);
try {
  execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", path.join(root, "tsconfig.build.json")], { stdio: "inherit" });
} catch {
  console.error("build failed: the TypeScript errors are above (npm run typecheck shows them for the whole project)");
  process.exit(1);
}
for (const asset of ASSETS) {
  fs.mkdirSync(path.dirname(path.join(dist, asset)), { recursive: true });
  fs.copyFileSync(path.join(root, asset), path.join(dist, asset));
}
// tsc leaves the stamp untouched when nothing changed; touch it so --if-stale sees this build.
const now = new Date();
fs.utimesSync(stamp, now, now);
