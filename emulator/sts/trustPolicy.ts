/**
 * A RAM role's trust policy (AssumeRolePolicyDocument) decided for an OIDC caller, with the identity-policy
 * evaluator of ../ram/evaluate.ts doing the Action/Condition work. What differs from an identity policy:
 * - a statement names who it trusts in `Principal` (`RAM`, `Service` or `Federated`) and has no `Resource`
 *   (RAM's "Modify the trust policy of a RAM role" page; its examples carry exactly Effect, Action, Principal and
 *   an optional Condition);
 * - the action is `sts:AssumeRole` for every kind of principal, OIDC included: Alibaba's own ACK RRSA tool writes
 *   `"Action": "sts:AssumeRole"` with a `Federated` oidc-provider principal (AliyunContainerService/ack-ram-tool,
 *   pkg/types/ram.go MakeAssumeRolePolicyStatementWithServiceAccount). The API is AssumeRoleWithOIDC; the policy
 *   action is not;
 * - the OIDC condition keys are `oidc:iss`, `oidc:aud` and `oidc:sub` (RAM "Create a RAM role for a trusted IdP",
 *   GitHub's "Configuring OpenID Connect in Alibaba Cloud").
 * A statement applies to a call only when its Federated principals name the caller's OIDC provider; the applicable
 * statements are then decided as an identity policy on resource `*` (Deny wins, default deny).
 */
import { evaluateRam, RamDecision, validatePolicyDocument } from "../ram/evaluate";

/** The action RAM checks a role's trust policy for, whatever the AssumeRole* API. */
export const TRUST_ACTION = "sts:AssumeRole";

export interface OidcCaller {
  /** The OIDC provider's ARN, acs:ram::<account>:oidc-provider/<name>. */
  readonly providerArn: string;
  readonly issuer: string;
  readonly audiences: readonly string[];
  readonly subject: string;
}

const STATEMENT_ELEMENTS = new Set(["Effect", "Action", "Principal", "Condition"]);
const PRINCIPAL_KINDS = new Set(["RAM", "Service", "Federated"]);

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value);

const stringList = (value: unknown): string[] | undefined => {
  if (typeof value === "string") return [value];
  if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === "string")) return value as string[];
  return undefined;
};

interface ReadTrustPolicy {
  readonly statements: readonly { readonly federated: readonly string[]; readonly asIdentityStatement: Record<string, unknown> }[];
  readonly problems: readonly string[];
}

function readTrustPolicy(doc: unknown): ReadTrustPolicy {
  const problems: string[] = [];
  let value = doc;
  if (typeof doc === "string") {
    try {
      value = JSON.parse(doc);
    } catch {
      return { statements: [], problems: ["the trust policy is not JSON"] };
    }
  }
  if (!isRecord(value)) return { statements: [], problems: ["the trust policy is not a JSON object"] };
  for (const key of Object.keys(value)) {
    if (key !== "Version" && key !== "Statement") problems.push(`the trust policy has "${key}"; it has only Version and Statement`);
  }
  if (value.Version !== "1") problems.push(`Version must be "1", not ${JSON.stringify(value.Version)}`);
  if (!Array.isArray(value.Statement) || value.Statement.length === 0) {
    return { statements: [], problems: [...problems, "Statement must be a non-empty list of statements"] };
  }
  const statements = value.Statement.map((raw, i) => {
    const where = `statement ${i + 1}`;
    if (!isRecord(raw)) {
      problems.push(`${where} is not an object`);
      return undefined;
    }
    for (const key of Object.keys(raw)) {
      if (!STATEMENT_ELEMENTS.has(key)) problems.push(`${where} has "${key}", which a trust policy statement does not have (Effect, Action, Principal, Condition)`);
    }
    const principal = raw.Principal;
    if (!isRecord(principal) || Object.keys(principal).length === 0) {
      problems.push(`${where}: Principal must name who may assume the role (RAM, Service or Federated)`);
      return undefined;
    }
    let federated: string[] = [];
    for (const [kind, who] of Object.entries(principal)) {
      const list = stringList(who);
      if (!PRINCIPAL_KINDS.has(kind)) problems.push(`${where}: Principal "${kind}" is not RAM, Service or Federated`);
      else if (!list) problems.push(`${where}: Principal ${kind} must be a string or a non-empty list of strings`);
      else if (kind === "Federated") federated = list;
    }
    const { Principal: _principal, ...rest } = raw;
    return { federated, asIdentityStatement: { ...rest, Resource: "*" } };
  });
  return { statements: statements.filter((s) => s !== undefined), problems };
}

/** What is wrong with a trust policy document; [] when it is well formed (its statements also pass RAM's grammar). */
export function trustPolicyProblems(doc: unknown): string[] {
  const read = readTrustPolicy(doc);
  if (read.problems.length > 0) return [...read.problems];
  const asIdentity = { Version: "1", Statement: read.statements.map((s) => s.asIdentityStatement) };
  // The identity-policy grammar checks Effect, Action and Condition the same way for both kinds of document.
  return validatePolicyDocument(asIdentity);
}

/** May this OIDC caller assume the role? Malformed documents deny (RAM would not have stored them). */
export function evaluateTrustPolicy(doc: unknown, caller: OidcCaller): RamDecision {
  const read = readTrustPolicy(doc);
  if (read.problems.length > 0) {
    return { allowed: false, effect: "ImplicitDeny", reason: `the trust policy is not valid: ${read.problems.join("; ")}` };
  }
  const applicable = read.statements.filter((s) => s.federated.includes(caller.providerArn));
  if (applicable.length === 0) {
    return { allowed: false, effect: "ImplicitDeny", reason: `no statement of the trust policy trusts ${caller.providerArn} (Principal.Federated)` };
  }
  return evaluateRam([{ Version: "1", Statement: applicable.map((s) => s.asIdentityStatement) }], {
    action: TRUST_ACTION,
    resource: "*",
    context: { "oidc:iss": caller.issuer, "oidc:aud": [...caller.audiences], "oidc:sub": caller.subject },
  });
}
