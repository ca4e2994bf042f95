/**
 * RAM policy documents: the grammar RAM accepts for an identity (custom) policy, checked element by element,
 * and the normalized form the evaluator works on. Rules from the RAM "policy structure and syntax" and
 * "policy elements" pages:
 * - `Version` is "1"; `Statement` is a list of one or more statements;
 * - a statement has `Effect` (Allow | Deny), exactly one of `Action` / `NotAction`, `Resource`, and an
 *   optional `Condition`; Action and Resource take a string or a list of strings;
 * - a document is at most 6,144 characters.
 * Elements the RAM pages do not describe for identity policies (Sid, NotResource, Principal, ...) are
 * reported rather than silently ignored: ignoring an unknown element could widen what a statement allows.
 */
import { CONDITION_OPERATORS, ConditionOperator } from "./conditions";

export const POLICY_DOCUMENT_MAX_LENGTH = 6144;

export interface NormalizedCondition {
  readonly operatorName: string;
  readonly operator: ConditionOperator;
  readonly key: string;
  readonly values: readonly string[];
}

export interface NormalizedStatement {
  readonly effect: "Allow" | "Deny";
  /** Action patterns; with `notAction`, the statement covers every action except these. */
  readonly actions: readonly string[];
  readonly notAction: boolean;
  readonly resources: readonly string[];
  /** All must hold (AND over operators and keys). */
  readonly conditions: readonly NormalizedCondition[];
}

export interface NormalizedPolicy {
  readonly statements: readonly NormalizedStatement[];
}

const STATEMENT_ELEMENTS = new Set(["Effect", "Action", "NotAction", "Resource", "Condition"]);
const ACTION_PATTERN = /^(\*|[A-Za-z0-9*?-]+:[A-Za-z0-9*?]+)$/;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value);

/** A string or a non-empty list of strings, as Action and Resource take; undefined when it is neither. */
function stringList(value: unknown): string[] | undefined {
  if (typeof value === "string") return [value];
  if (Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === "string")) return value;
  return undefined;
}

/** Condition values: a scalar or a non-empty list of scalars, compared as strings. */
function conditionValues(value: unknown): string[] | undefined {
  const scalar = (item: unknown) => typeof item === "string" || typeof item === "number" || typeof item === "boolean";
  if (scalar(value)) return [String(value)];
  if (Array.isArray(value) && value.length > 0 && value.every(scalar)) return value.map(String);
  return undefined;
}

function isResourcePattern(resource: string): boolean {
  return resource === "*" || (resource.startsWith("acs:") && resource.split(":").length >= 5);
}

function readStatement(raw: unknown, where: string, problems: string[]): NormalizedStatement | undefined {
  if (!isRecord(raw)) {
    problems.push(`${where} is not an object`);
    return undefined;
  }
  const before = problems.length;
  for (const element of Object.keys(raw)) {
    if (!STATEMENT_ELEMENTS.has(element)) {
      problems.push(`${where} has "${element}", which RAM identity policies do not have (Effect, Action or NotAction, Resource, Condition)`);
    }
  }

  const effect = raw.Effect;
  if (effect !== "Allow" && effect !== "Deny") problems.push(`${where}: Effect must be "Allow" or "Deny", not ${JSON.stringify(effect)}`);

  const hasAction = "Action" in raw;
  const hasNotAction = "NotAction" in raw;
  if (hasAction === hasNotAction) problems.push(`${where} must have exactly one of Action and NotAction`);
  const actionElement = hasNotAction && !hasAction ? "NotAction" : "Action";
  const actions = stringList(raw[actionElement]);
  if (hasAction !== hasNotAction) {
    if (!actions) problems.push(`${where}: ${actionElement} must be a string or a non-empty list of strings`);
    for (const action of actions ?? []) {
      if (!ACTION_PATTERN.test(action)) problems.push(`${where}: "${action}" is not an action such as ecs:RunInstances`);
    }
  }

  const resources = stringList(raw.Resource);
  if (!("Resource" in raw)) problems.push(`${where} has no Resource`);
  else if (!resources) problems.push(`${where}: Resource must be a string or a non-empty list of strings`);
  for (const resource of resources ?? []) {
    if (!isResourcePattern(resource)) problems.push(`${where}: "${resource}" is not "*" or an ARN such as acs:ecs:*:*:instance/*`);
  }

  const conditions: NormalizedCondition[] = [];
  if ("Condition" in raw) {
    if (!isRecord(raw.Condition)) problems.push(`${where}: Condition must be an object`);
    for (const [operatorName, block] of Object.entries(isRecord(raw.Condition) ? raw.Condition : {})) {
      const operator = CONDITION_OPERATORS[operatorName];
      if (!operator) {
        problems.push(`${where}: unknown condition operator "${operatorName}"`);
        continue;
      }
      if (!isRecord(block) || Object.keys(block).length === 0) {
        problems.push(`${where}: ${operatorName} must map condition keys to values`);
        continue;
      }
      for (const [key, rawValues] of Object.entries(block)) {
        const values = conditionValues(rawValues);
        if (key.trim() === "") problems.push(`${where}: ${operatorName} has an empty condition key`);
        if (!values) {
          problems.push(`${where}: ${operatorName} ${key} must be a value or a non-empty list of values`);
          continue;
        }
        for (const value of values) {
          const problem = operator.checkValue(value);
          if (problem) problems.push(`${where}: ${operatorName} ${key}: ${problem}`);
        }
        conditions.push({ operatorName, operator, key, values });
      }
    }
  }

  if (problems.length > before || !actions || !resources) return undefined;
  return {
    effect: effect as "Allow" | "Deny",
    actions,
    notAction: actionElement === "NotAction",
    resources,
    conditions,
  };
}

/**
 * Reads a policy document (an object, or its JSON text) into the evaluator's form. Returns every problem
 * found; `policy` is set only when there are none.
 */
export function readPolicyDocument(doc: unknown): { policy?: NormalizedPolicy; problems: string[] } {
  const problems: string[] = [];
  let value = doc;
  let text: string;
  if (typeof doc === "string") {
    text = doc;
    try {
      value = JSON.parse(doc);
    } catch {
      return { problems: ["the document is not JSON"] };
    }
  } else {
    text = JSON.stringify(doc) ?? "";
  }
  if (text.length > POLICY_DOCUMENT_MAX_LENGTH) {
    problems.push(`the document is ${text.length} characters; RAM accepts at most ${POLICY_DOCUMENT_MAX_LENGTH}`);
  }
  if (!isRecord(value)) return { problems: [...problems, "the document is not a JSON object"] };

  for (const element of Object.keys(value)) {
    if (element !== "Version" && element !== "Statement") {
      problems.push(`the document has "${element}"; a RAM policy has only Version and Statement`);
    }
  }
  if (value.Version !== "1") problems.push(`Version must be "1", not ${JSON.stringify(value.Version)}`);
  if (!Array.isArray(value.Statement) || value.Statement.length === 0) {
    problems.push("Statement must be a non-empty list of statements");
    return { problems };
  }
  const statements = value.Statement.map((raw, i) => readStatement(raw, `statement ${i + 1}`, problems));
  if (problems.length > 0) return { problems };
  return { policy: { statements: statements as NormalizedStatement[] }, problems };
}

/** What is wrong with a policy document, one sentence per problem; [] when RAM would accept it. */
export function validatePolicyDocument(doc: unknown): string[] {
  return readPolicyDocument(doc).problems;
}
