import * as path from "node:path";
import { ToolBuildError } from "./errors";
import { GO_TOOLS } from "./goTools";
import { ensureGoTool } from "./install";

/**
 * `npm run pulumi:build`, `npm run actionlint:build`, `npm run tools:build`:
 *   node -r ts-node/register/transpile-only tools/goTools/main.ts <pulumi|actionlint|all>
 * Exit codes: 0 installed, 1 the build failed (one line says why), 2 bad arguments.
 */
async function main(argv: readonly string[]): Promise<number> {
  const names = argv.length === 0 || argv.includes("all") ? GO_TOOLS.map((t) => t.name) : [...argv];
  const unknown = names.filter((n) => !GO_TOOLS.some((t) => t.name === n));
  if (unknown.length > 0) {
    console.error(`tools/goTools: unknown tool ${unknown.join(", ")}; choose from ${GO_TOOLS.map((t) => t.name).join(", ")} or all`);
    return 2;
  }
  const repoRoot = path.resolve(__dirname, "../..");
  for (const name of names) {
    const spec = GO_TOOLS.find((t) => t.name === name)!;
    try {
      const r = await ensureGoTool(spec, { repoRoot, env: process.env, log: (line) => console.error(line) });
      const how = r.status === "up-to-date" ? "up to date" : r.status === "from-cache" ? "installed from the machine's cache" : `built in ${r.seconds.toFixed(0)} s`;
      console.error(`${spec.name} ${spec.version}: ${how} (${path.relative(repoRoot, r.binDir)})`);
    } catch (err) {
      if (!(err instanceof ToolBuildError)) throw err;
      console.error(`error: ${err.message}`);
      if (err.details) console.error(err.details.split("\n").map((l) => `  ${l}`).join("\n"));
      return 1;
    }
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (err) => {
    console.error(`tools/goTools: ${err instanceof Error ? err.stack : String(err)}`);
    process.exitCode = 1;
  },
);
