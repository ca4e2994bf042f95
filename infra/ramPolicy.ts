/**
 * The CI user's RAM policy document, generated from the list of actions the project calls
 * (provider/permissions.ts). Pure: the same arguments give the same document.
 *
 * The guide's three variants scope by instance name, `ecs:RegionId`, `ecs:VpcId` and `ecs:VSwitchId`, none
 * of which RAM evaluates (docs/ram.md). What they meant is expressed here with what RAM does evaluate:
 * - our instances: the `spot-runner-prefix` tag, required on launch (acs:RequestTag) and on the instance for
 *   release and console output (acs:ResourceTag);
 * - the region: the region field of instance ARNs, and for launches (which RAM authorizes on `*` only) the
 *   region field of the `vpc:VPC` condition key;
 * - the VPC: `vpc:VPC`, whose value is the VPC's ARN.
 */
import { ALL_ALIYUN_ACTIONS, ALL_IMAGE_BUILDER_ACTIONS } from "../provider/permissions";
import { TAG_KEYS } from "../provider/tags";

export const RAM_POLICY_LEVELS = ["minimal", "regional", "vpc"] as const;

/**
 * - minimal: only our instances (by tag), deleted and read in the stack's region; launches anywhere the
 *   tag is set.
 * - regional: minimal, and launches only into a VPC of the stack's region.
 * - vpc: minimal, and launches only into the stack's VPC.
 */
export type RamPolicyLevel = (typeof RAM_POLICY_LEVELS)[number];

/** RAM's documented limit for a custom policy document (CreatePolicy, PolicyDocument). */
export const RAM_POLICY_MAX_LENGTH = 6144;

export type RamConditionBlock = Record<string, Record<string, string | string[]>>;

export interface RamStatement {
  readonly Effect: "Allow" | "Deny";
  readonly Action: string[];
  readonly Resource: string | string[];
  readonly Condition?: RamConditionBlock;
}

export interface RamPolicyDocument {
  readonly Version: "1";
  readonly Statement: RamStatement[];
}

/**
 * How RAM authorizes each action we call (reference: ECS "RAM authorization" page), which decides the
 * statement it goes into:
 * - launch: an "All Resources" action; the only scoping is through conditions on the request;
 * - ownInstance: resource-level on the instance ARN; limited to instances carrying our tag;
 * - instanceRead: resource-level on `instance/*`; no tag condition, because whether RAM fills
 *   acs:RequestTag/acs:ResourceTag for a list call is not documented and a wrong guess breaks every run;
 * - unscoped: no authorization data published (or "All Resources"); granted on `*`.
 */
export type ActionScope = "launch" | "ownInstance" | "instanceRead" | "unscoped";

export const ACTION_SCOPES: Readonly<Record<string, ActionScope>> = {
  "ecs:RunInstances": "launch",
  "ecs:DeleteInstances": "ownInstance",
  "ecs:GetInstanceConsoleOutput": "ownInstance",
  "ecs:DescribeInstances": "instanceRead",
  "ecs:DescribeInstanceTypes": "unscoped",
  "ecs:DescribeAvailableResource": "unscoped",
  "ecs:DescribeSpotPriceHistory": "unscoped",
  "ecs:DescribeSpotAdvice": "unscoped",
  "ecs:DescribeImages": "unscoped",
};

/**
 * Denied outright so the CI user can never tag a foreign instance into its own scope, even if another
 * policy attached later grants `ecs:*`. TagResources/UntagResources are the current operations; AddTags and
 * RemoveTags are the older ones of the same API version; CreateTags/DeleteTags are named in Alibaba Cloud's own
 * policy examples (denying a name that may not exist costs nothing). Tagging at launch (RunInstances Tag.N) is not
 * affected: it is authorized as part of RunInstances (docs/ram.md).
 */
export const TAG_MUTATION_ACTIONS: readonly string[] = [
  "ecs:TagResources",
  "ecs:UntagResources",
  "ecs:AddTags",
  "ecs:RemoveTags",
  "ecs:CreateTags",
  "ecs:DeleteTags",
];

export interface RunnerPolicyArgs {
  /** Which of the three variants. */
  readonly level: RamPolicyLevel;
  /** Region the runners live in, e.g. cn-hangzhou. */
  readonly regionId: string;
  /** Deployment prefix; the value of the spot-runner-prefix tag. */
  readonly prefix: string;
  /** The runners' VPC id; required for level "vpc". */
  readonly vpcId?: string;
  /** Calls are allowed only after `start` and before `end` (ISO 8601 UTC), when given. */
  readonly timeWindow?: { readonly start?: string; readonly end?: string };
  /** Calls are allowed only from these IPs or CIDRs, when non-empty. */
  readonly sourceIps?: readonly string[];
  /** The actions to allow; default: every action the project calls. */
  readonly actions?: readonly string[];
}

/** `acs:ecs:<region>:*:instance/*`: every instance of any account in the region. */
export const instanceArnPattern = (regionId: string): string => `acs:ecs:${regionId}:*:instance/*`;

/** The `vpc:VPC` value pattern a launch must match at the regional and vpc levels. */
export function launchVpcPattern(level: RamPolicyLevel, regionId: string, vpcId?: string): string | undefined {
  switch (level) {
    case "minimal":
      return undefined;
    case "regional":
      return `acs:vpc:${regionId}:*:vpc/*`;
    case "vpc":
      if (!vpcId) throw new Error('RAM policy level "vpc" needs the VPC id');
      // VPC ids are unique across accounts, so the account field can stay a wildcard.
      return `acs:vpc:${regionId}:*:vpc/${vpcId}`;
  }
}

/** The conditions every Allow carries: the optional time window and source addresses. */
export function requestConditions(args: Pick<RunnerPolicyArgs, "timeWindow" | "sourceIps">): RamConditionBlock {
  const block: RamConditionBlock = {};
  if (args.timeWindow?.start) block.DateGreaterThan = { "acs:CurrentTime": args.timeWindow.start };
  if (args.timeWindow?.end) block.DateLessThan = { "acs:CurrentTime": args.timeWindow.end };
  if (args.sourceIps && args.sourceIps.length > 0) block.IpAddress = { "acs:SourceIp": [...args.sourceIps] };
  return block;
}

function allow(actions: string[], resource: string, ...blocks: RamConditionBlock[]): RamStatement {
  const condition: RamConditionBlock = {};
  for (const block of blocks) {
    for (const [operator, keys] of Object.entries(block)) condition[operator] = { ...condition[operator], ...keys };
  }
  return Object.keys(condition).length > 0
    ? { Effect: "Allow", Action: actions, Resource: resource, Condition: condition }
    : { Effect: "Allow", Action: actions, Resource: resource };
}

/** Groups the actions by scope, in the order they are given; unknown actions are an error. */
export function actionsByScope(actions: readonly string[]): Record<ActionScope, string[]> {
  const groups: Record<ActionScope, string[]> = { launch: [], ownInstance: [], instanceRead: [], unscoped: [] };
  for (const action of actions) {
    const scope = ACTION_SCOPES[action];
    if (!scope) {
      throw new Error(
        `${action} has no RAM authorization scope: add it to ACTION_SCOPES in infra/ramPolicy.ts, ` +
          `using the ECS RAM authorization table to decide which one`,
      );
    }
    if (!groups[scope].includes(action)) groups[scope].push(action);
  }
  return groups;
}

export function buildRunnerPolicy(args: RunnerPolicyArgs): RamPolicyDocument {
  const groups = actionsByScope(args.actions ?? ALL_ALIYUN_ACTIONS);
  const common = requestConditions(args);
  const instances = instanceArnPattern(args.regionId);
  const vpcPattern = launchVpcPattern(args.level, args.regionId, args.vpcId);
  const statements: RamStatement[] = [];

  if (groups.launch.length > 0) {
    const launch: RamConditionBlock = { StringEquals: { [`acs:RequestTag/${TAG_KEYS.prefix}`]: args.prefix } };
    if (vpcPattern) launch.StringLike = { "vpc:VPC": vpcPattern };
    statements.push(allow(groups.launch, "*", launch, common));
  }
  if (groups.ownInstance.length > 0) {
    const owned: RamConditionBlock = { StringEquals: { [`acs:ResourceTag/${TAG_KEYS.prefix}`]: args.prefix } };
    statements.push(allow(groups.ownInstance, instances, owned, common));
  }
  if (groups.instanceRead.length > 0) statements.push(allow(groups.instanceRead, instances, common));
  if (groups.unscoped.length > 0) statements.push(allow(groups.unscoped, "*", common));
  // No conditions on the Deny: a time window or source-IP condition would only narrow when it applies.
  statements.push({ Effect: "Deny", Action: [...TAG_MUTATION_ACTIONS], Resource: "*" });

  return { Version: "1", Statement: statements };
}

/**
 * How RAM authorizes each image-builder action, which decides its statement (emulator/ram/resources.ts builds the
 * same requests):
 * - ownInstance: StopInstance on the instance's ARN, only instances carrying our tag;
 * - imageCreate: CreateImage, checked on the source instance (ours, by acs:ResourceTag) and on the new image
 *   (`image/*`, only with our tag in the request, acs:RequestTag): an image of a foreign instance, or one without
 *   our tag, is refused;
 * - ownImage / ownSnapshot: DeleteImage and DeleteSnapshot on the image's and the snapshot's ARN, only when they
 *   carry our tag (the snapshot gets it from the image: assumed, docs/ram.md).
 */
export type ImageActionScope = "ownInstance" | "imageCreate" | "ownImage" | "ownSnapshot";

export const IMAGE_ACTION_SCOPES: Readonly<Record<string, ImageActionScope>> = {
  "ecs:StopInstance": "ownInstance",
  "ecs:CreateImage": "imageCreate",
  "ecs:DeleteImage": "ownImage",
  "ecs:DeleteSnapshot": "ownSnapshot",
};

export interface ImageBuilderPolicyArgs extends Pick<RunnerPolicyArgs, "regionId" | "prefix" | "timeWindow" | "sourceIps"> {
  /** Default: every image-builder action (provider/permissions.ts). */
  readonly actions?: readonly string[];
}

/**
 * The image-builder policy: create and delete only images that carry the deployment's tag, from and of our own
 * instances. It complements the runner policy (which launches, reads and releases the builder), so the CI identity
 * holds both.
 */
export function buildImageBuilderPolicy(args: ImageBuilderPolicyArgs): RamPolicyDocument {
  const common = requestConditions(args);
  const ours = (kind: "ResourceTag" | "RequestTag"): RamConditionBlock => ({ StringEquals: { [`acs:${kind}/${TAG_KEYS.prefix}`]: args.prefix } });
  const arn = (type: string) => `acs:ecs:${args.regionId}:*:${type}/*`;
  const byScope = (scope: ImageActionScope) => (args.actions ?? ALL_IMAGE_BUILDER_ACTIONS).filter((a) => {
    if (!IMAGE_ACTION_SCOPES[a]) throw new Error(`${a} has no RAM authorization scope: add it to IMAGE_ACTION_SCOPES in infra/ramPolicy.ts`);
    return IMAGE_ACTION_SCOPES[a] === scope;
  });
  const statements: RamStatement[] = [];
  if (byScope("ownInstance").length) statements.push(allow(byScope("ownInstance"), arn("instance"), ours("ResourceTag"), common));
  if (byScope("imageCreate").length) {
    const both: RamConditionBlock = { StringEquals: { [`acs:ResourceTag/${TAG_KEYS.prefix}`]: args.prefix, [`acs:RequestTag/${TAG_KEYS.prefix}`]: args.prefix } };
    statements.push(allow(byScope("imageCreate"), arn("instance"), both, common));
    statements.push(allow(byScope("imageCreate"), arn("image"), ours("RequestTag"), common));
  }
  if (byScope("ownImage").length) statements.push(allow(byScope("ownImage"), arn("image"), ours("ResourceTag"), common));
  if (byScope("ownSnapshot").length) statements.push(allow(byScope("ownSnapshot"), arn("snapshot"), ours("ResourceTag"), common));
  statements.push({ Effect: "Deny", Action: [...TAG_MUTATION_ACTIONS], Resource: "*" });
  return { Version: "1", Statement: statements };
}

/** The text sent to RAM: indented, so the RAM console and `pulumi preview` diffs stay readable. */
export function renderPolicyDocument(document: RamPolicyDocument): string {
  return JSON.stringify(document, null, 2);
}

/**
 * The project's own rules for a generated document, beyond RAM's grammar: Version "1", within the length
 * limit (counted on the rendered text, whitespace included, since RAM does not say whether it counts), and
 * no wildcard in any allowed action.
 */
export function runnerPolicyProblems(document: RamPolicyDocument): string[] {
  const problems: string[] = [];
  if (document.Version !== "1") problems.push(`Version must be "1", not ${JSON.stringify(document.Version)}`);
  const length = renderPolicyDocument(document).length;
  if (length > RAM_POLICY_MAX_LENGTH) {
    problems.push(`the document is ${length} characters; RAM accepts at most ${RAM_POLICY_MAX_LENGTH}`);
  }
  for (const statement of document.Statement) {
    if (statement.Effect !== "Allow") continue;
    for (const action of statement.Action) {
      if (/[*?]/.test(action)) problems.push(`allowed action "${action}" has a wildcard; list actions by name`);
    }
  }
  return problems;
}
