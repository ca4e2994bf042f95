import { randomBytes, randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { EmulatorCore, RequestCancelledError } from "../core";
import { afterFaultLatency, effectOf } from "../faults";
import type { ActiveFault } from "../faults";
import { redactParams } from "../callLog";
import { isoSeconds } from "../format";
import { readBody, sendJson } from "../http";
import type { ScenarioGitHubApp } from "../scenario/types";
import type { RunnerScope } from "../state/github";
import type { RunnerView, World } from "../state/world";
import { accessTokenJson, installationOf, refuseNarrowing, verifyAppJwt } from "./appAuth";
import { GitHubError, notFound, REST_DOCS, RUNNER_DOCS } from "./errors";
import { githubFaultError } from "./throttling";

/** GitHub Enterprise Server puts the REST API under /api/v3; Octokit's baseUrl carries the prefix. */
export const GITHUB_API_PREFIX = "/api/v3";

/** A self-hosted runner route of a repository or organization. */
interface RunnerRoute {
  readonly kind: "runners";
  readonly scope: RunnerScope;
  readonly operation: "jit" | "registrationToken" | "list" | "get" | "delete";
  readonly runnerId?: number;
}

/** POST /app/installations/{installation_id}/access_tokens: an App trades its JWT for an installation token. */
interface AccessTokenRoute {
  readonly kind: "accessToken";
  readonly installationId: number;
}

type Route = RunnerRoute | AccessTokenRoute;

/** A token caller on the runner routes: what it administers, and how GitHub words a call outside that. */
interface TokenCaller {
  readonly scopes: readonly string[];
  readonly forbiddenMessage: string;
}

/** A route with the caller it authenticated, so acting on it needs no second look at the credential. */
type Authenticated =
  | { readonly kind: "runners"; readonly route: RunnerRoute; readonly caller: TokenCaller }
  | { readonly kind: "accessToken"; readonly route: AccessTokenRoute; readonly app: ScenarioGitHubApp };

interface Answer {
  readonly status: number;
  readonly payload: unknown;
  readonly extraHeaders?: Record<string, string>;
}

/**
 * The self-hosted runner endpoints of the GitHub REST API, at repository and organization level, as Octokit calls
 * them: token auth, JIT configs, registration tokens, and listing/getting/deleting runners with GitHub's paging,
 * status codes and error bodies; and the one GitHub App route installation auth needs (appAuth.ts).
 */
export async function handleGitHubRequest(req: IncomingMessage, res: ServerResponse, core: EmulatorCore, apiUrl: string): Promise<void> {
  const started = Date.now();
  const url = new URL(req.url ?? "/", "http://emulator.invalid");
  const method = (req.method ?? "GET").toUpperCase();
  const path = url.pathname.slice(GITHUB_API_PREFIX.length) || "/";
  const query = Object.fromEntries(url.searchParams);
  let fields: Record<string, unknown> = { ...query };
  let fault: ActiveFault | undefined;
  const headers = githubHeaders(Date.now());

  // The Authorization header is never logged, and redactParams hides any field named like a secret.
  const log = (status: number | null, code?: string) =>
    core.calls.add({
      seq: core.calls.nextSeq(),
      time: isoSeconds(core.now()),
      api: "github",
      action: `${method} ${path}`,
      params: redactParams(fields),
      status,
      ...(code ? { code } : {}),
      durationMs: Date.now() - started,
      ...(fault ? { fault: { id: fault.id, effect: effectOf(fault.spec) ?? "latency" } } : {}),
    });

  try {
    const body = parseJsonBody(await readBody(req));
    fields = { ...query, ...body };
    const route = matchRoute(method, path);
    if (!route) throw notFound();
    const credential = readCredential(req);
    if (credential === undefined) throw new GitHubError(401, "Requires authentication", REST_DOCS);
    const authenticated = authenticate(route, credential, core);

    fault = core.faults.take("github", `${method} ${path}`, Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)])));
    const effect = await afterFaultLatency(fault, (ms) => core.sleep(ms));
    if (fault && effect === "drop") {
      res.destroy();
      log(null);
      return;
    }
    if (fault && effect === "error") throw githubFaultError(fault.spec, Date.now());

    // Settled after the fault's delay, so the work sees the world as it is when it is done.
    const world = core.world();
    const { status, payload, extraHeaders } =
      authenticated.kind === "accessToken"
        ? issueAccessToken(authenticated.route, authenticated.app, body, world, core.now())
        : answerRunnerRoute(authenticated.route, authenticated.caller, body, query, world, core, apiUrl, path);
    if (fault && effect === "afterCommit") {
      res.destroy();
      log(null);
      return;
    }
    sendJson(res, status, payload, { ...headers, ...extraHeaders, "content-type": "application/json; charset=utf-8" });
    log(status);
  } catch (err) {
    // Reset or closed during a fault's latency: the request belongs to a world that no longer exists.
    if (err instanceof RequestCancelledError) return void res.destroy();
    const error = err instanceof GitHubError ? err : new GitHubError(500, `Server Error: ${err instanceof Error ? err.message : String(err)}`);
    const payload: Record<string, unknown> = { message: error.message, documentation_url: error.docs, status: String(error.status) };
    sendJson(res, error.status, payload, { ...headers, ...error.headers, "content-type": "application/json; charset=utf-8" });
    log(error.status, error.message.split("\n")[0]);
  }
}

/** An empty body is {}; anything but a JSON object is GitHub's 400. */
function parseJsonBody(bytes: Buffer): Record<string, unknown> {
  if (bytes.length === 0) return {};
  try {
    const parsed: unknown = JSON.parse(bytes.toString("utf8"));
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("not an object");
    return parsed as Record<string, unknown>;
  } catch {
    throw new GitHubError(400, "Problems parsing JSON", REST_DOCS);
  }
}

/**
 * The access-token route takes only an App JWT, checked against wall time (see verifyAppJwt); the runner routes
 * take a scenario token or an unexpired installation token (emulated clock). Anything else is 401.
 */
function authenticate(route: Route, credential: string, core: EmulatorCore): Authenticated {
  if (route.kind === "accessToken") {
    return { kind: "accessToken", route, app: verifyAppJwt(credential, core.scenario.github.apps ?? [], Date.now()) };
  }
  const grant = core.scenario.github.tokens.find((t) => t.token === credential);
  if (grant) return { kind: "runners", route, caller: { scopes: grant.scopes, forbiddenMessage: "Resource not accessible by personal access token" } };
  const issued = core.world().runners.installationTokens.find(credential, core.now());
  if (issued) return { kind: "runners", route, caller: { scopes: issued.scopes, forbiddenMessage: "Resource not accessible by integration" } };
  throw new GitHubError(401, "Bad credentials", REST_DOCS);
}

/** 201 with a fresh "ghs_" token for the App's installation, valid one hour on the emulated clock. */
function issueAccessToken(route: AccessTokenRoute, app: ScenarioGitHubApp, body: Record<string, unknown>, world: World, now: number): Answer {
  const installation = installationOf(app, route.installationId);
  refuseNarrowing(body);
  const issued = world.runners.installationTokens.issue({ appId: app.appId, installationId: installation.installationId, scopes: installation.scopes }, now);
  return { status: 201, payload: accessTokenJson(issued) };
}

function answerRunnerRoute(
  route: RunnerRoute,
  caller: TokenCaller,
  body: Record<string, unknown>,
  query: Record<string, string>,
  world: World,
  core: EmulatorCore,
  apiUrl: string,
  path: string,
): Answer {
  if (!scopeExists(core, route.scope)) throw notFound();
  if (!caller.scopes.some((s) => grants(s, route.scope))) throw new GitHubError(403, caller.forbiddenMessage, RUNNER_DOCS);
  const now = core.now();
  switch (route.operation) {
    case "jit": {
      const request = readJitRequest(body, route.scope, core);
      if (world.runners.findByName(route.scope, request.name)) {
        throw new GitHubError(409, `Already exists - A runner with the name ${request.name} already exists.`);
      }
      const { runner, encodedJitConfig } = world.runners.create(route.scope, request);
      return { status: 201, payload: { runner: runnerJson(world.runnerView(runner, now), world), encoded_jit_config: encodedJitConfig } };
    }
    case "registrationToken":
      return {
        status: 201,
        payload: { token: `A${randomBytes(20).toString("base64").replace(/[^A-Z0-9]/gi, "").toUpperCase().slice(0, 28).padEnd(28, "Q")}`, expires_at: githubTime(now + 3_600_000) },
      };
    case "list": {
      const perPage = boundedInt(query.per_page, 30, 1, 100, "per_page");
      const page = boundedInt(query.page, 1, 1, Number.MAX_SAFE_INTEGER, "page");
      const all = world.runners.list(route.scope).filter((r) => query.name === undefined || r.name === query.name);
      const slice = all.slice((page - 1) * perPage, page * perPage);
      return {
        status: 200,
        payload: { total_count: all.length, runners: slice.map((r) => runnerJson(world.runnerView(r, now), world)) },
        extraHeaders: linkHeader(apiUrl, path, query, page, perPage, all.length),
      };
    }
    case "get": {
      const runner = world.runners.get(route.runnerId!);
      if (!runner || !sameScopeAs(runner.scope, route.scope)) throw notFound();
      return { status: 200, payload: runnerJson(world.runnerView(runner, now), world) };
    }
    case "delete": {
      const runner = world.runners.get(route.runnerId!);
      if (!runner || !sameScopeAs(runner.scope, route.scope)) throw notFound();
      const view = world.runnerView(runner, now);
      if (view.busy && view.status === "online") throw new GitHubError(422, `Bad request - Runner "${runner.name}" is still running a job"`);
      world.runners.delete(runner.id);
      return { status: 204, payload: undefined };
    }
  }
}

function matchRoute(method: string, path: string): Route | undefined {
  const token = /^\/app\/installations\/(\d+)\/access_tokens\/?$/.exec(path);
  if (token) return method === "POST" ? { kind: "accessToken", installationId: Number(token[1]) } : undefined;
  return matchRunnerRoute(method, path);
}

function matchRunnerRoute(method: string, path: string): RunnerRoute | undefined {
  const m = /^\/(?:repos\/([^/]+)\/([^/]+)|orgs\/([^/]+))\/actions\/runners(?:\/([^/]+))?\/?$/.exec(path);
  if (!m) return undefined;
  const scope: RunnerScope = m[3] !== undefined ? { kind: "org", name: decodeURIComponent(m[3]) } : { kind: "repo", name: `${decodeURIComponent(m[1])}/${decodeURIComponent(m[2])}` };
  const runners = (operation: RunnerRoute["operation"], runnerId?: number): RunnerRoute => ({ kind: "runners", scope, operation, ...(runnerId === undefined ? {} : { runnerId }) });
  const tail = m[4];
  if (tail === undefined) return method === "GET" ? runners("list") : undefined;
  if (tail === "generate-jitconfig") return method === "POST" ? runners("jit") : undefined;
  if (tail === "registration-token") return method === "POST" ? runners("registrationToken") : undefined;
  if (!/^\d+$/.test(tail)) return undefined;
  if (method === "GET") return runners("get", Number(tail));
  if (method === "DELETE") return runners("delete", Number(tail));
  return undefined;
}

/** `token X` or `Bearer X` (any case: @octokit/auth-app sends "bearer"); "" for another scheme. */
function readCredential(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  if (!auth) return undefined;
  const m = /^(?:token|bearer)\s+(\S+)\s*$/i.exec(auth);
  return m ? m[1] : "";
}

function scopeExists(core: EmulatorCore, scope: RunnerScope): boolean {
  const gh = core.scenario.github;
  const list = scope.kind === "repo" ? gh.repos : gh.orgs;
  return list.some((name) => name.toLowerCase() === scope.name.toLowerCase());
}

/** A token scope grants a repository, an organization (and its repositories), or everything ("*"). */
function grants(granted: string, scope: RunnerScope): boolean {
  const g = granted.toLowerCase();
  const name = scope.name.toLowerCase();
  if (g === "*" || g === name) return true;
  return scope.kind === "repo" && !g.includes("/") && name.startsWith(`${g}/`);
}

function sameScopeAs(a: RunnerScope, b: RunnerScope): boolean {
  return a.kind === b.kind && a.name.toLowerCase() === b.name.toLowerCase();
}

function readJitRequest(body: Record<string, unknown>, scope: RunnerScope, core: EmulatorCore): { name: string; runnerGroupId: number; labels: string[]; workFolder: string } {
  const invalid = (why: string) => new GitHubError(422, `Invalid request.\n\n${why}`, `${RUNNER_DOCS}#create-configuration-for-a-just-in-time-runner-for-a-repository`);
  for (const field of ["name", "runner_group_id", "labels"]) if (body[field] === undefined) throw invalid(`"${field}" wasn't supplied.`);
  if (typeof body.name !== "string" || body.name.trim() === "") throw invalid(`For 'properties/name', ${JSON.stringify(body.name)} is not a non-empty string.`);
  if (!Number.isInteger(body.runner_group_id)) throw invalid(`For 'properties/runner_group_id', ${JSON.stringify(body.runner_group_id)} is not an integer.`);
  const labels = body.labels;
  if (!Array.isArray(labels) || labels.length < 1 || labels.length > 100 || labels.some((l) => typeof l !== "string" || l.trim() === "")) {
    throw invalid(`For 'properties/labels', ${JSON.stringify(labels)} is not an array of 1 to 100 non-empty strings.`);
  }
  if (body.work_folder !== undefined && typeof body.work_folder !== "string") throw invalid(`For 'properties/work_folder', ${JSON.stringify(body.work_folder)} is not a string.`);
  const groupId = body.runner_group_id as number;
  const groups = scope.kind === "org" ? [1, ...(core.scenario.github.runnerGroups ?? []).filter((g) => g.org.toLowerCase() === scope.name.toLowerCase()).map((g) => g.id)] : [1];
  // GitHub answers an unknown runner group 404 (as users report it), not 422.
  if (!groups.includes(groupId)) throw notFound(`${RUNNER_DOCS}#create-configuration-for-a-just-in-time-runner-for-a-repository`);
  return { name: body.name, runnerGroupId: groupId, labels: labels as string[], workFolder: (body.work_folder as string | undefined) ?? "_work" };
}

function runnerJson(view: RunnerView, world: World): Record<string, unknown> {
  return {
    id: view.record.id,
    runner_group_id: view.record.runnerGroupId,
    name: view.record.name,
    os: view.os,
    status: view.status,
    busy: view.busy,
    ephemeral: true,
    labels: world.runners.labelsOf(view.record),
  };
}

function boundedInt(text: string | undefined, fallback: number, min: number, max: number, name: string): number {
  if (text === undefined || text === "") return fallback;
  if (!/^\d+$/.test(text)) throw new GitHubError(422, `Invalid request.\n\nFor '${name}', "${text}" is not an integer.`);
  return Math.min(max, Math.max(min, Number(text)));
}

/** RFC 5988 Link header with absolute URLs, which Octokit's paginate follows. */
function linkHeader(apiUrl: string, path: string, query: Record<string, string>, page: number, perPage: number, total: number): Record<string, string> {
  const last = Math.max(1, Math.ceil(total / perPage));
  const link = (p: number, rel: string) => {
    const params = new URLSearchParams({ ...query, per_page: String(perPage), page: String(p) });
    return `<${apiUrl}${path}?${params}>; rel="${rel}"`;
  };
  const parts: string[] = [];
  if (page > 1) parts.push(link(page - 1, "prev"));
  if (page < last) parts.push(link(page + 1, "next"));
  if (page < last) parts.push(link(last, "last"));
  if (page > 1) parts.push(link(1, "first"));
  return parts.length > 0 ? { link: parts.join(", ") } : {};
}

function githubHeaders(now: number): Record<string, string> {
  return {
    "x-github-request-id": randomUUID().toUpperCase().slice(0, 23).replace(/-/g, ":"),
    "x-github-api-version-selected": "2022-11-28",
    "x-ratelimit-limit": "5000",
    "x-ratelimit-remaining": "4999",
    "x-ratelimit-used": "1",
    "x-ratelimit-resource": "core",
    "x-ratelimit-reset": String(Math.floor(now / 1000) + 3600),
  };
}

/** GitHub's timestamps carry milliseconds and an offset: 2026-01-01T01:00:00.000+00:00. */
function githubTime(ms: number): string {
  return new Date(ms).toISOString().replace("Z", "+00:00");
}
