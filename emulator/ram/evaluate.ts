/**
 * The RAM decision for one request against the policies attached to the caller, as RAM's evaluation page
 * describes it: deny by default; a matching Deny statement wins over any Allow; otherwise a matching Allow
 * allows. A statement matches when its Action (or NotAction), its Resource and all its conditions match.
 * Pure: the caller supplies every context value (time, source IP, tags, VPC).
 */
import { evaluateOperator } from "./conditions";
import { NormalizedPolicy, NormalizedStatement, readPolicyDocument, validatePolicyDocument } from "./policyDocument";
import { wildcardMatch } from "./wildcard";

export { validatePolicyDocument };

export interface RamRequest {
  /** e.g. "ecs:RunInstances" */
  readonly action: string;
  /** One ARN, or "*" for actions RAM authorizes without resource-level data. */
  readonly resource: string;
  /** Condition keys (any case) -> value(s): acs:CurrentTime, acs:SourceIp, acs:RequestTag/<k>, vpc:VPC, ... */
  readonly context: Readonly<Record<string, string | readonly string[]>>;
}

export interface RamDecision {
  readonly allowed: boolean;
  readonly effect: "Allow" | "ExplicitDeny" | "ImplicitDeny";
  /** Which statement decided, or why none did. */
  readonly reason: string;
}

/** Parsed documents, so a scenario's policies are read once, not on every call. */
const parsedObjects = new WeakMap<object, ReturnType<typeof readPolicyDocument>>();
const parsedTexts = new Map<string, ReturnType<typeof readPolicyDocument>>();

function readCached(doc: unknown): ReturnType<typeof readPolicyDocument> {
  if (typeof doc === "object" && doc !== null) {
    let read = parsedObjects.get(doc);
    if (!read) parsedObjects.set(doc, (read = readPolicyDocument(doc)));
    return read;
  }
  if (typeof doc === "string") {
    let read = parsedTexts.get(doc);
    if (!read) {
      read = readPolicyDocument(doc);
      if (parsedTexts.size > 256) parsedTexts.clear();
      parsedTexts.set(doc, read);
    }
    return read;
  }
  return readPolicyDocument(doc);
}

type Context = ReadonlyMap<string, readonly string[]>;

/** Condition key names are matched case-insensitively; values keep their case. */
function normalizeContext(context: RamRequest["context"]): Context {
  const map = new Map<string, readonly string[]>();
  for (const [key, value] of Object.entries(context)) {
    map.set(key.toLowerCase(), typeof value === "string" ? [value] : value);
  }
  return map;
}

const actionMatches = (statement: NormalizedStatement, action: string): boolean => {
  const listed = statement.actions.some((pattern) => wildcardMatch(pattern, action, { ignoreCase: true }));
  return statement.notAction ? !listed : listed;
};

const resourceMatches = (statement: NormalizedStatement, resource: string): boolean =>
  statement.resources.some((pattern) => wildcardMatch(pattern, resource));

/** The first condition of the statement that does not hold, or undefined when all hold. */
function failedCondition(statement: NormalizedStatement, context: Context): string | undefined {
  for (const condition of statement.conditions) {
    const requestValues = context.get(condition.key.toLowerCase());
    if (!evaluateOperator(condition.operator, condition.values, requestValues)) {
      const got = requestValues === undefined ? "absent from the request" : `got ${JSON.stringify(requestValues)}`;
      return `${condition.operatorName} ${condition.key} ${JSON.stringify(condition.values)} (${got})`;
    }
  }
  return undefined;
}

const describe = (statement: NormalizedStatement): string =>
  `${statement.effect} ${statement.notAction ? "NotAction " : ""}${statement.actions.join(",")} on ${statement.resources.join(",")}`;

export function evaluateRam(policies: readonly unknown[], request: RamRequest): RamDecision {
  const read: NormalizedPolicy[] = [];
  for (const [i, doc] of policies.entries()) {
    const { policy, problems } = readCached(doc);
    if (!policy) {
      // RAM would have refused to store it; deciding anyway would be a guess, so fail closed.
      return { allowed: false, effect: "ImplicitDeny", reason: `policy ${i + 1} is not a valid RAM policy: ${problems.join("; ")}` };
    }
    read.push(policy);
  }

  const context = normalizeContext(request.context);
  let allowedBy: string | undefined;
  let nearMiss: string | undefined;
  for (const [p, policy] of read.entries()) {
    for (const [s, statement] of policy.statements.entries()) {
      if (!actionMatches(statement, request.action) || !resourceMatches(statement, request.resource)) continue;
      const where = `policy ${p + 1}, statement ${s + 1} (${describe(statement)})`;
      const failed = failedCondition(statement, context);
      if (failed !== undefined) {
        if (statement.effect === "Allow" && nearMiss === undefined) nearMiss = `${where} matches but its condition ${failed} does not hold`;
        continue;
      }
      if (statement.effect === "Deny") {
        return { allowed: false, effect: "ExplicitDeny", reason: `${request.action} on ${request.resource} is explicitly denied by ${where}` };
      }
      allowedBy ??= where;
    }
  }
  if (allowedBy !== undefined) {
    return { allowed: true, effect: "Allow", reason: `${request.action} on ${request.resource} is allowed by ${allowedBy}` };
  }
  return {
    allowed: false,
    effect: "ImplicitDeny",
    reason: `no statement allows ${request.action} on ${request.resource}${nearMiss ? `: ${nearMiss}` : ""}`,
  };
}
