import * as fs from "node:fs";
import * as path from "node:path";
import { toolBinDir } from "../../tools/goTools/goTools";

/**
 * The tests that need binaries built from the Go module proxy (the real Pulumi CLI, actionlint) run when those are
 * built, and say in one line that they were skipped when not. CI sets SPOT_RUNNER_REQUIRE_TOOLS=1 (.ci/run): a
 * missing tool is then a failure, never a skip.
 */
const REPO_ROOT = path.resolve(__dirname, "../..");

const TOOLS = {
  pulumi: { binaries: ["pulumi", "pulumi-language-nodejs", "pulumi-resource-pulumi-nodejs"], suite: "the real-CLI suite (test/e2e)" },
  actionlint: { binaries: ["actionlint"], suite: "actionlint on the workflows" },
} as const;
export type GoToolName = keyof typeof TOOLS;

export function goToolBinDir(name: GoToolName): string {
  return toolBinDir(REPO_ROOT, name);
}

function missing(name: GoToolName): string[] {
  return TOOLS[name].binaries.filter((b) => !fs.existsSync(path.join(goToolBinDir(name), b)));
}

export function toolsRequired(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.SPOT_RUNNER_REQUIRE_TOOLS === "1";
}

let announced = false;

/**
 * Defines `body` as a describe block when the tool is built. Otherwise: under CI a test that fails with how to
 * build it; elsewhere nothing, plus (once per run, for every missing tool together) one line on stdout.
 */
export function describeWithGoTool(name: GoToolName, title: string, body: (this: Mocha.Suite) => void): void {
  const absent = missing(name);
  if (absent.length === 0) {
    describe(title, body);
    return;
  }
  if (toolsRequired()) {
    describe(title, () => {
      it(`needs ${absent.join(", ")} in ${path.relative(REPO_ROOT, goToolBinDir(name))}`, () => {
        throw new Error(`${TOOLS[name].suite} cannot run: ${absent.join(", ")} not built. Run \`npm run tools:build\` (needs Go and the Go module proxy).`);
      });
    });
    return;
  }
  if (!announced) {
    announced = true;
    const skipped = (Object.keys(TOOLS) as GoToolName[]).filter((n) => missing(n).length > 0).map((n) => TOOLS[n].suite);
    console.log(`Skipped ${skipped.join(" and ")}: the tools are not built. Enable with \`npm run tools:build\` (needs Go and the Go module proxy).`);
  }
}
