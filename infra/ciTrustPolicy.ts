/**
 * The trust policy of the CI role: which GitHub Actions jobs may exchange their OIDC token for the role's
 * short-lived credentials (STS AssumeRoleWithOIDC). Pure, so the exact document is table-tested.
 *
 * Facts it rests on (sources in docs/ram.md, "Keyless CI"):
 * - a RAM trust policy names the token's issuer as a `Federated` principal (the OIDC provider's ARN), and its action
 *   is `sts:AssumeRole` for OIDC too (Alibaba's ack-ram-tool writes exactly that for its OIDC roles);
 * - the condition keys are `oidc:iss` (StringEquals, the issuer URL), `oidc:aud` (the client id) and `oidc:sub`
 *   (RAM "Create a RAM role for a trusted IdP"; GitHub "Configuring OpenID Connect in Alibaba Cloud");
 * - GitHub's subject for a branch or tag run is `repo:<owner>/<repo>:ref:<ref>`, also for a job of a reusable
 *   workflow, whose standard claims describe the calling workflow (GitHub "OpenID Connect reference" and
 *   "Using OpenID Connect with reusable workflows").
 */

export const GITHUB_OIDC_ISSUER = "https://token.actions.githubusercontent.com";
/** GitHub's Alibaba Cloud guide recommends it as the client id; the official action's `audience` input defaults to it. */
export const DEFAULT_OIDC_AUDIENCE = "sts.aliyuncs.com";
export const TRUST_POLICY_ACTION = "sts:AssumeRole";

export interface TrustStatement {
  readonly Effect: "Allow";
  readonly Action: string;
  readonly Principal: { readonly Federated: readonly string[] };
  readonly Condition: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
}

export interface TrustPolicyDocument {
  readonly Version: "1";
  readonly Statement: readonly TrustStatement[];
}

export interface CiTrustPolicyArgs {
  /** acs:ram::<account>:oidc-provider/<name> */
  readonly providerArn: string;
  readonly issuerUrl: string;
  readonly audience: string;
  /** GitHub subjects; a `*` makes a subject a StringLike pattern. */
  readonly subjects: readonly string[];
}

/** `repo:<repository>:ref:<ref>` for every configured repository and ref, in order, without duplicates. */
export function githubSubjects(repositories: readonly string[], refs: readonly string[]): string[] {
  return [...new Set(repositories.flatMap((repository) => refs.map((ref) => `repo:${repository}:ref:${ref}`)))];
}

/**
 * One statement for the exact subjects (StringEquals) and one for the patterns (StringLike), so a wildcard is
 * only ever matched where one was configured. Both pin the issuer and the audience. Several keys under one
 * operator must all hold, and several values of one key are alternatives (RAM policy elements page).
 */
export function buildCiTrustPolicy(args: CiTrustPolicyArgs): TrustPolicyDocument {
  const exact = args.subjects.filter((s) => !s.includes("*"));
  const patterns = args.subjects.filter((s) => s.includes("*"));
  if (exact.length + patterns.length === 0) throw new Error("a trust policy needs at least one subject");
  const pinned = { "oidc:iss": args.issuerUrl, "oidc:aud": [args.audience] };
  const statement = (condition: TrustStatement["Condition"]): TrustStatement => ({
    Effect: "Allow",
    Action: TRUST_POLICY_ACTION,
    Principal: { Federated: [args.providerArn] },
    Condition: condition,
  });
  const statements: TrustStatement[] = [];
  if (exact.length > 0) statements.push(statement({ StringEquals: { ...pinned, "oidc:sub": exact } }));
  if (patterns.length > 0) statements.push(statement({ StringEquals: pinned, StringLike: { "oidc:sub": patterns } }));
  return { Version: "1", Statement: statements };
}

/** The document as RAM stores it (compact: the trust policy's length counts against RAM's limit). */
export function renderTrustPolicy(doc: TrustPolicyDocument): string {
  return JSON.stringify(doc);
}

/**
 * RAM's limit on AssumeRolePolicyDocument. Assumed 2,048 characters: the CreateRole pages cited do not state it,
 * and 2,048 is the older limit RAM documented for policy documents, so it is the worst plausible case.
 */
export const TRUST_POLICY_MAX_LENGTH = 2048;
