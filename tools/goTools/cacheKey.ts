import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import type { GoToolSpec } from "./goTools";

/**
 * What decides whether built binaries are still right: the tool's version, its packages and link flags, the Go
 * toolchain that builds it, and the content of the wrapper module (go.mod, go.sum, our own Go sources). Any change
 * gives another key, hence another build; the same key on another clone reuses the cached binaries.
 */
export function cacheKey(spec: GoToolSpec, moduleDir: string, goVersion: string): string {
  const hash = createHash("sha256");
  const field = (name: string, value: string) => hash.update(`${name}\0${value}\0`);
  field("name", spec.name);
  field("version", spec.version);
  field("go", goVersion);
  field("packages", spec.packages.join(" "));
  field("ldflags", spec.ldflags.join(" "));
  field("tags", spec.tags.join(","));
  for (const file of keyedFiles(spec, moduleDir)) {
    field("file", file);
    hash.update(fs.readFileSync(path.join(moduleDir, file)));
  }
  return hash.digest("hex").slice(0, 16);
}

/** The wrapper module's files that go into the key, relative and sorted (the key must not depend on readdir order). */
export function keyedFiles(spec: GoToolSpec, moduleDir: string): string[] {
  const files: string[] = [];
  const walk = (relative: string, depth: number) => {
    for (const entry of fs.readdirSync(path.join(moduleDir, relative), { withFileTypes: true })) {
      const rel = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory() && depth < 2) walk(rel, depth + 1);
      else if (entry.isFile() && spec.sourceGlobs.some((re) => re.test(rel))) files.push(rel);
    }
  };
  walk("", 0);
  return files.sort();
}
