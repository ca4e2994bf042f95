import { readAliyunCredentials } from "../../provider/aliyun/credentials";
import type { EcsInstanceApi } from "../../provider/aliyun/instances";
import { AliyunApiError } from "../../provider/errors";
import { buildListing } from "../../provider/reaper/listing";
import { collectSnapshot, GitHubAccess } from "../../provider/reaper/snapshot";
import type { ReapSnapshot } from "../../provider/reaper/types";
import type { CliContext } from "../context";
import { failureLine } from "../failures";
import { renderListing } from "../render/listing";
import { Target, TargetFlags, targetFromFlags } from "../target";
import { githubAccessFor } from "./github";

export interface ListFlags extends TargetFlags {
  json?: boolean;
}

/** `spot-runner list`: our instances and runners, read like the reaper reads them (provider/reaper/listing.ts). */
export async function runList(flags: ListFlags, ctx: CliContext): Promise<number> {
  const target = targetFromFlags(flags, ctx.env);
  const sources = await openSources(target, ctx);
  if (!sources) return 1;
  const snapshot = await readSnapshot(target, sources, ctx);
  if (!snapshot) return 1;
  const listing = buildListing(snapshot, target, ctx.services.clock.now());
  ctx.stdout(flags.json ? `${JSON.stringify(listing, null, 2)}\n` : renderListing(listing));
  for (const line of [...target.notes, ...listing.warnings]) ctx.stderr(`warning: ${line}\n`);
  for (const line of listing.problems) ctx.stderr(`error: ${line}\n`);
  return listing.problems.length > 0 ? 1 : 0;
}

export interface Sources {
  readonly ecs: EcsInstanceApi;
  readonly github: GitHubAccess;
}

/**
 * The clients `list` and `reap` read through, after every check that needs no call: Aliyun credentials first (a
 * missing key fails before any call, with the variable names), then GitHub's (see github.ts). Says on stderr why
 * not and returns undefined when something is missing or unusable.
 */
export async function openSources(target: Target, ctx: CliContext): Promise<Sources | undefined> {
  try {
    readAliyunCredentials(ctx.env);
    const github = await githubAccessFor(ctx);
    return { ecs: ctx.services.ecsInstances(target.regionId), github };
  } catch (err) {
    return reported(err, ctx, target);
  }
}

/** Instances and runners, or undefined after saying on stderr why they cannot be read. */
export async function readSnapshot(target: Target, sources: Sources, ctx: CliContext): Promise<ReapSnapshot | undefined> {
  try {
    return await collectSnapshot({ regionId: target.regionId, ecs: sources.ecs, github: sources.github, scopes: target.scopes });
  } catch (err) {
    return reported(err, ctx, target);
  }
}

function reported(err: unknown, ctx: CliContext, target: Target): undefined {
  // The API's own message already says what to do (aliyun/errors.ts); here it gets the region it was about.
  const line = err instanceof AliyunApiError ? `could not list the instances of ${target.regionId}: ${err.message.split("\n")[0]}` : failureLine(err);
  if (line === undefined) throw err;
  ctx.stderr(`error: ${line}\n`);
  return undefined;
}
