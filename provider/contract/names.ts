import { z } from "zod";

/**
 * The naming rules, once: the deployment prefix, regions and zones, stack names, runner labels, GitHub targets
 * and tag values. The infra stack, SpotRunner's inputs, the runner stack, the CLI and job.sh (through
 * `spot-runner check-name`) all use these, so a value one accepts is never refused by another.
 */

/** Each rule: a schema for the value, and the one sentence a user reads when a value breaks it. */
export interface NameRule {
  readonly schema: z.ZodString;
  /** What a valid value looks like, with an example: the end of every message about it. */
  readonly expected: string;
  /** undefined when `value` is valid, else what is wrong and what a valid one looks like. */
  problem(value: string): string | undefined;
}

function rule(what: string, schema: z.ZodString, expected: string): NameRule {
  return {
    schema,
    expected,
    problem: (value) => (schema.safeParse(value).success ? undefined : `"${value}" is not ${what}: ${expected}`),
  };
}

/**
 * Runner names are `<prefix>-<arch>-<yyyymmddHHMM>-<8 characters>`: the prefix plus 28 characters. They are also
 * the instance's host name (at most 63 characters), its unique job label and a tag value; GitHub takes up to 64.
 * A prefix of 32 leaves a margin and fits every other name built from it (RAM user `<prefix>-github-actions`,
 * at most 64; vSwitch, security group and policy names, at most 128).
 */
export const PREFIX_MAX_LENGTH = 32;
/** The characters runner names add to the prefix (see PREFIX_MAX_LENGTH). */
export const RUNNER_NAME_SUFFIX_LENGTH = 28;

export const PREFIX = rule(
  "a name prefix",
  z.string().regex(new RegExp(`^[a-z](?:[a-z0-9-]{0,${PREFIX_MAX_LENGTH - 2}}[a-z0-9])?$`)),
  `1-${PREFIX_MAX_LENGTH} lowercase letters, digits or hyphens, starting with a letter and not ending with a hyphen (e.g. openresty)`,
);

/** Alibaba Cloud region ids: cn-hangzhou, ap-southeast-1, cn-north-2-gov-1. */
export const REGION = rule("a region id", z.string().regex(/^[a-z]{2}-[a-z0-9]+(?:-[a-z0-9]+)*$/), "e.g. cn-hangzhou or ap-southeast-1");

/** A zone id belongs to its region: cn-hangzhou-j. */
export function zoneProblem(zoneId: string, regionId: string): string | undefined {
  if (!/^[a-z]{2}-[a-z0-9-]+-[a-z0-9]+$/.test(zoneId)) return `"${zoneId}" is not a zone id such as ${regionId}-j`;
  if (!zoneId.startsWith(`${regionId}-`)) return `zone "${zoneId}" is not in region ${regionId}`;
  return undefined;
}

/** Pulumi's stack name rule; stack names also become the spot-runner-stack tag value. */
export const STACK_NAME = rule("a stack name", z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/), "1-100 letters, digits, '_', '.' or '-' (e.g. gha-123-1-amd64)");

/** A runner label GitHub takes and a tag value ECS takes. */
export const RUNNER_LABEL = rule("a runner label", z.string().regex(/^[A-Za-z0-9._-]{1,100}$/), "1-100 letters, digits, '.', '_' or '-'");

/** GitHub: owner/repo. */
export const GITHUB_REPOSITORY = rule(
  "a repository",
  z.string().regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/),
  "owner/repo, e.g. dianplus/openresty",
);

export const GITHUB_ORGANIZATION = rule("an organization", z.string().regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/), "an organization name, e.g. dianplus");

/**
 * ECS tag values: at most 128 characters, not starting with "aliyun" or "acs:", without "http://" or "https://"
 * (the TagResources and RunInstances Tag.N rules).
 */
export const TAG_VALUE = rule(
  "a tag value",
  z.string().max(128).refine((v) => !/^(aliyun|acs:)/i.test(v) && !/https?:\/\//i.test(v)),
  "at most 128 characters, not starting with aliyun or acs:, without http:// or https://",
);

/** The host name / label a runner of this prefix and architecture gets, as a pattern (the reaper parses it). */
export const GENERATED_RUNNER_NAME = new RegExp(
  `^([a-z](?:[a-z0-9-]{0,${PREFIX_MAX_LENGTH - 2}}[a-z0-9])?)-(amd64|arm64)-(\\d{4})(\\d{2})(\\d{2})(\\d{2})(\\d{2})-([a-z0-9]{1,8})$`,
);

/**
 * The label every runner of a runner stack also carries, so the stop job's sweep (`spot-runner reap --stack`) can
 * find a runner whose create was interrupted before any instance carried its name. A second label never widens who
 * takes the runner: a job is scheduled only on a runner that has every label it asks for, and jobs ask for the
 * unique one. Kept within GitHub's 100 characters (a long stack name is shortened and hashed).
 */
export function stackRunnerLabel(stackName: string): string {
  const label = `spot-runner-stack-${stackName}`;
  if (label.length <= 100) return label;
  let hash = 0x811c9dc5;
  for (let i = 0; i < stackName.length; i++) hash = Math.imul(hash ^ stackName.charCodeAt(i), 0x01000193) >>> 0;
  return `${label.slice(0, 91)}-${hash.toString(16).padStart(8, "0")}`;
}
