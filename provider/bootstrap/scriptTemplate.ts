import { readFileSync } from "node:fs";
import { join } from "node:path";

const INCLUDE = /^# spot-runner: include ([A-Za-z0-9._-]+\.sh)$/;

/**
 * A script template as it goes on the wire: its `# spot-runner: include <file>` lines replaced by that file (from
 * provider/bootstrap/, where the parts the bootstrap and the bake share live), then compacted. Read once per
 * template when the module that renders it loads, so rendering does no I/O.
 */
export function loadScriptTemplate(path: string): string {
  const shared = __dirname;
  const expanded = readFileSync(path, "utf8")
    .split("\n")
    .map((line) => {
      const include = INCLUDE.exec(line);
      return include ? readFileSync(join(shared, include[1]), "utf8").replace(/\n$/, "") : line;
    })
    .join("\n");
  return compactScript(expanded);
}

/**
 * Drops full-line comments (not the shebang or shellcheck directives), blank lines and indentation: about a
 * third of the source, and none of it matters to bash. Safe because the templates have no heredocs and no
 * multi-line strings, where such lines would be data.
 */
export function compactScript(script: string): string {
  return script
    .split("\n")
    .filter((line, index) => index === 0 || !/^\s*#/.test(line) || /^\s*# shellcheck /.test(line))
    .map((line) => line.trimStart())
    .filter((line) => line.length > 0)
    .join("\n") + "\n";
}
