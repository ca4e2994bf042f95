/**
 * GitHub App authentication: the JWT an App signs with its private key, checked the way GitHub checks it, and the
 * installation access token it is exchanged for (POST /app/installations/{installation_id}/access_tokens, the one
 * call @octokit/auth-app makes for installation auth).
 */
import { createPublicKey, verify } from "node:crypto";
import { isoSeconds } from "../format";
import type { ScenarioAppInstallation, ScenarioGitHubApp } from "../scenario/types";
import type { InstallationToken } from "../state/github";
import { ACCESS_TOKEN_DOCS, GitHubError, notFound, REST_DOCS } from "./errors";

/** GitHub refuses App JWTs that are valid for longer than 10 minutes. */
const MAX_JWT_LIFETIME_S = 600;

/** GitHub's messages, word for word: @octokit/auth-app recognises the time-related ones as clock skew. */
export const JWT_MESSAGES = {
  undecodable: "A JSON web token could not be decoded",
  unknownApp: "Integration not found",
  badIssuedAt: "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued",
  expired: "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires",
  tooLong: "'Expiration time' claim ('exp') is too far in the future",
} as const;

const unauthorized = (message: string) => new GitHubError(401, message, REST_DOCS);

interface DecodedJwt {
  readonly payload: Readonly<Record<string, unknown>>;
  /** "<header>.<payload>" as sent: what the signature covers. */
  readonly signedPart: string;
  readonly signature: Buffer;
}

/**
 * The App that signed `jwt`, or a 401 in GitHub's words. `nowMs` must be wall time, not the emulated clock:
 * universal-github-app-jwt stamps `iat` and `exp` with the host's clock whatever the emulated clock says (the same
 * reason the ECS signature freshness check uses wall time).
 */
export function verifyAppJwt(jwt: string, apps: readonly ScenarioGitHubApp[], nowMs: number): ScenarioGitHubApp {
  const decoded = decodeJwt(jwt);
  // The issuer names the key to check the signature with, so it is read before anything can be trusted.
  const app = apps.find((a) => isAppId(decoded.payload.iss, a.appId));
  if (app === undefined) throw unauthorized(JWT_MESSAGES.unknownApp);
  if (!signatureHolds(decoded, app.publicKey)) throw unauthorized(JWT_MESSAGES.undecodable);
  checkLifetime(decoded.payload, Math.floor(nowMs / 1000));
  return app;
}

/** The App's installation with that id; another App's installation is as unknown as a missing one (404). */
export function installationOf(app: ScenarioGitHubApp, installationId: number): ScenarioAppInstallation {
  const installation = app.installations.find((i) => i.installationId === installationId);
  if (installation === undefined) throw notFound(ACCESS_TOKEN_DOCS);
  return installation;
}

/**
 * The body fields that would narrow the token (to some repositories or permissions). The emulator does not model
 * narrowed tokens; saying so beats issuing a token broader than the one asked for.
 */
export function refuseNarrowing(body: Readonly<Record<string, unknown>>): void {
  const narrowing = ["repositories", "repository_ids", "permissions"].filter((field) => body[field] !== undefined);
  if (narrowing.length === 0) return;
  throw new GitHubError(
    422,
    `Invalid request.\n\nThe emulator does not model narrowed installation tokens (${narrowing.join(", ")}); ` +
      "request the installation's full scope, or give the installation narrower scopes in the scenario.",
    ACCESS_TOKEN_DOCS,
  );
}

/** The 201 body of the access-token route. */
export function accessTokenJson(issued: InstallationToken): Record<string, unknown> {
  return {
    token: issued.token,
    expires_at: isoSeconds(issued.expiresAt),
    permissions: permissionsFor(issued.scopes),
    repository_selection: issued.scopes.some((s) => s === "*" || !s.includes("/")) ? "all" : "selected",
  };
}

/**
 * What the project asks an App for: repository Administration (runner routes of a repository) and organization
 * Self-hosted runners. Scopes decide access in the emulator; the permissions are informative.
 */
function permissionsFor(scopes: readonly string[]): Record<string, string> {
  const coversOrg = scopes.some((s) => s === "*" || !s.includes("/"));
  return { administration: "write", metadata: "read", ...(coversOrg ? { organization_self_hosted_runners: "write" } : {}) };
}

/** Three Base64url parts, the first two JSON objects, the header announcing RS256 (the only algorithm GitHub takes). */
function decodeJwt(jwt: string): DecodedJwt {
  const parts = jwt.split(".");
  if (parts.length !== 3 || parts.some((part) => !/^[A-Za-z0-9_-]+$/.test(part))) throw unauthorized(JWT_MESSAGES.undecodable);
  const [header, payload] = [jsonObjectOf(parts[0]), jsonObjectOf(parts[1])];
  if (header === undefined || payload === undefined || header.alg !== "RS256") throw unauthorized(JWT_MESSAGES.undecodable);
  return { payload, signedPart: `${parts[0]}.${parts[1]}`, signature: Buffer.from(parts[2], "base64url") };
}

function jsonObjectOf(base64url: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(base64url, "base64url").toString("utf8"));
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** `iss` as the App id: a number, or its decimal string (GITHUB_APP_ID comes from the environment as text). */
function isAppId(iss: unknown, appId: number): boolean {
  if (typeof iss === "number") return iss === appId;
  return typeof iss === "string" && /^\d+$/.test(iss) && Number(iss) === appId;
}

/** RS256: RSASSA-PKCS1-v1_5 with SHA-256, node:crypto's default padding for an RSA key. */
function signatureHolds(jwt: DecodedJwt, publicKeyPem: string): boolean {
  try {
    return verify("sha256", Buffer.from(jwt.signedPart), createPublicKey(publicKeyPem), jwt.signature);
  } catch {
    return false;
  }
}

/** Issued not in the future, not yet expired, and valid for at most 10 minutes; times in whole seconds. */
function checkLifetime(payload: Readonly<Record<string, unknown>>, nowS: number): void {
  const { iat, exp } = payload;
  if (typeof iat !== "number" || !Number.isInteger(iat) || iat > nowS) throw unauthorized(JWT_MESSAGES.badIssuedAt);
  if (typeof exp !== "number" || !Number.isInteger(exp) || exp <= nowS) throw unauthorized(JWT_MESSAGES.expired);
  if (exp - iat > MAX_JWT_LIFETIME_S) throw unauthorized(JWT_MESSAGES.tooLong);
}
