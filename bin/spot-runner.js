#!/usr/bin/env node
"use strict";
// The CLI runs the compiled package (dist/, built by `npm run build`, and by `npm ci` in a checkout).
let cli;
try {
  cli = require("../dist/cli/main.js");
} catch (err) {
  if (err && err.code === "MODULE_NOT_FOUND" && /dist[\\/]cli[\\/]main/.test(String(err.message))) {
    console.error("spot-runner: the package is not built (no dist/): run `npm run build` in its directory");
    process.exit(1);
  }
  throw err;
}
cli.main(process.argv).then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(err instanceof Error ? err.message : String(err)); process.exitCode = 1; },
);
