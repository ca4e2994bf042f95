import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";

/** The workflows and the local composite action, parsed: loosely typed on purpose, the tests check the shape. */
export type Json = Record<string, any>;

export const REPO_ROOT = path.resolve(__dirname, "../../..");
export const WORKFLOW_DIR = path.join(REPO_ROOT, ".github/workflows");
export const CREDENTIALS_ACTION_DIR = path.join(REPO_ROOT, ".github/actions/aliyun-credentials");

export interface Workflow {
  readonly file: string;
  readonly text: string;
  readonly doc: Json;
}

export function loadWorkflows(): Workflow[] {
  return fs
    .readdirSync(WORKFLOW_DIR)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((file) => {
      const text = fs.readFileSync(path.join(WORKFLOW_DIR, file), "utf8");
      return { file, text, doc: YAML.parse(text) as Json };
    });
}

export function workflow(file: string): Workflow {
  const found = loadWorkflows().find((w) => w.file === file);
  assert.ok(found, `.github/workflows/${file} is missing`);
  return found;
}

export interface JobStep {
  readonly file: string;
  readonly job: string;
  readonly jobDoc: Json;
  readonly step: Json;
  readonly index: number;
}

export function stepsOf(w: Workflow): JobStep[] {
  return Object.entries((w.doc.jobs ?? {}) as Json).flatMap(([job, jobDoc]) =>
    ((jobDoc.steps ?? []) as Json[]).map((step, index) => ({ file: w.file, job, jobDoc, step, index })),
  );
}

export function allSteps(): JobStep[] {
  return loadWorkflows().flatMap(stepsOf);
}

export function credentialsAction(): { text: string; doc: Json } {
  const text = fs.readFileSync(path.join(CREDENTIALS_ACTION_DIR, "action.yml"), "utf8");
  return { text, doc: YAML.parse(text) as Json };
}
