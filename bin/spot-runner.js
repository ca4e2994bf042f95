#!/usr/bin/env node
"use strict";
// The CLI runs the TypeScript sources with ts-node (transpile only), as Pulumi runs the programs.
const path = require("path");
require("ts-node").register({ transpileOnly: true, project: path.join(__dirname, "..", "tsconfig.json") });
require("../cli/main").main(process.argv).then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(err instanceof Error ? err.message : String(err)); process.exitCode = 1; },
);
