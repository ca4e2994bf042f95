/**
 * An emulated GitHub Actions OIDC issuer: an RSA key pair and tokens shaped like the ones a job with
 * `id-token: write` receives (GitHub's "OpenID Connect reference": iss https://token.actions.githubusercontent.com,
 * `sub` = `repo:<owner>/<repo>:ref:<ref>` for branch and tag runs, `aud` chosen by the caller, RS256 with a `kid`).
 * The test (or the scenario's owner) holds the private key; the emulator only ever gets the public half, as STS
 * only ever gets GitHub's published JWKS.
 */
import { createPrivateKey, generateKeyPairSync, KeyObject, randomUUID, sign } from "node:crypto";
import type { IssuerKey } from "./jwt";

export const GITHUB_ACTIONS_ISSUER = "https://token.actions.githubusercontent.com";

export interface GithubJobIdentity {
  /** "owner/repo" */
  readonly repository: string;
  /** "refs/heads/master", "refs/tags/v1.0.0" */
  readonly ref: string;
  /** The audience the job asked for (core.getIDToken(audience)). */
  readonly audience: string;
  /** Overrides the subject built from repository and ref (e.g. `repo:o/r:pull_request`, `repo:o/r:environment:prod`). */
  readonly subject?: string;
}

export interface MintOptions {
  /** Issue time, ms since the epoch: pass the emulator's clock so STS judges expiry on the same time line. */
  readonly now: number;
  /** Assumed 5 minutes: GitHub does not document the lifetime of its job tokens. */
  readonly lifetimeSeconds?: number;
}

export class EmulatedGithubOidcIssuer {
  readonly issuer: string;
  readonly kid: string;
  readonly publicKeyPem: string;
  private readonly privateKey: KeyObject;

  constructor(options: { issuer?: string } = {}) {
    this.issuer = options.issuer ?? GITHUB_ACTIONS_ISSUER;
    const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    this.privateKey = createPrivateKey(privateKey.export({ type: "pkcs8", format: "pem" }));
    this.publicKeyPem = publicKey.export({ type: "spki", format: "pem" }).toString();
    this.kid = randomUUID();
  }

  /** What an OIDC provider in RAM would hold for this issuer: its public key. */
  get key(): IssuerKey {
    return { kid: this.kid, publicKeyPem: this.publicKeyPem };
  }

  /** The token a job of `identity` gets. */
  tokenFor(identity: GithubJobIdentity, options: MintOptions): string {
    const iat = Math.floor(options.now / 1000);
    return this.sign({
      jti: randomUUID(),
      sub: identity.subject ?? `repo:${identity.repository}:ref:${identity.ref}`,
      aud: identity.audience,
      ref: identity.ref,
      repository: identity.repository,
      repository_owner: identity.repository.split("/")[0],
      iss: this.issuer,
      nbf: iat - 5,
      iat,
      exp: iat + (options.lifetimeSeconds ?? 300),
    });
  }

  /** Any payload, signed with this issuer's key (for tokens a real issuer would not produce). */
  sign(payload: Readonly<Record<string, unknown>>, header: Readonly<Record<string, unknown>> = {}): string {
    const head = Buffer.from(JSON.stringify({ typ: "JWT", alg: "RS256", kid: this.kid, ...header })).toString("base64url");
    const body = Buffer.from(JSON.stringify(payload)).toString("base64url");
    const signature = sign("RSA-SHA256", Buffer.from(`${head}.${body}`), this.privateKey).toString("base64url");
    return `${head}.${body}.${signature}`;
  }
}
