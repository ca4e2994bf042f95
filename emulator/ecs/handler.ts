import type { IncomingMessage, ServerResponse } from "node:http";
import { EmulatorCore, RequestCancelledError } from "../core";
import { afterFaultLatency, effectOf } from "../faults";
import type { ActiveFault } from "../faults";
import { redactParams } from "../callLog";
import { isoSeconds } from "../format";
import { newRequestId } from "../ids";
import { evaluateRam } from "../ram/evaluate";
import { formParams, isFormBody, queryParams, readBody, sendJson, sourceIpOf } from "../http";
import { authenticate } from "./authenticate";
import type { EcsCall } from "./call";
import { describeCode, EcsApiError, ecsError, missingParameter } from "./errors";
import { ECS_ACTIONS, ECS_VERSION } from "./actions";
import { EcsParams } from "./params";
import { ramRequestsFor } from "./ramRequests";
import { header } from "./signature";

/**
 * One ECS RPC request, start to finish: parse (query string and form body), route on x-acs-action/x-acs-version
 * or Action/Version, authenticate, check required parameters, claim the ClientToken (IdempotentProcessing while
 * another request holds it), apply a fault, authorize with RAM, run the action, answer, and log the call.
 */
export async function handleEcsRequest(req: IncomingMessage, res: ServerResponse, core: EmulatorCore): Promise<void> {
  const started = Date.now();
  const requestId = newRequestId();
  const url = new URL(req.url ?? "/", "http://emulator.invalid");
  let params: Record<string, string> = {};
  let action = "";
  let accessKeyId: string | undefined;
  let fault: ActiveFault | undefined;
  let denied: { action: string; resource: string; reason: string } | undefined;
  let hostId = "ecs.aliyuncs.com";
  let releaseToken: (() => void) | undefined;

  const log = (status: number | null, code?: string) =>
    core.calls.add({
      seq: core.calls.nextSeq(),
      time: isoSeconds(core.now()),
      api: "ecs",
      action: action || "(none)",
      params: redactParams(params),
      ...(accessKeyId ? { accessKeyId } : {}),
      status,
      ...(code ? { code } : {}),
      durationMs: Date.now() - started,
      ...(fault ? { fault: { id: fault.id, effect: effectOf(fault.spec) ?? "latency" } } : {}),
      ...(denied ? { denied } : {}),
    });
  const fail = (err: EcsApiError) => {
    sendJson(
      res,
      err.status,
      {
        RequestId: requestId,
        HostId: hostId,
        Code: err.code,
        Message: err.message,
        Recommend: `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(err.code)}&product=Ecs&requestId=${requestId}`,
        ...err.extra,
      },
      { "x-acs-request-id": requestId, ...err.headers },
    );
    log(err.status, err.code);
  };

  try {
    const body = await readBody(req);
    const query = queryParams(url);
    params = { ...query, ...(isFormBody(req) ? formParams(body) : {}) };
    const regionParam = params.RegionId;
    if (regionParam && core.scenario.regions.some((r) => r.regionId === regionParam)) hostId = `ecs.${regionParam}.aliyuncs.com`;

    action = header(req.headers, "x-acs-action") ?? params.Action ?? "";
    const version = header(req.headers, "x-acs-version") ?? params.Version;
    if (url.pathname !== "/") throw ecsError("InvalidAction.NotFound", `Specified api is not found: ECS RPC calls go to "/", not "${url.pathname}".`);
    if (!action) throw missingParameter("Action");
    const spec = Object.prototype.hasOwnProperty.call(ECS_ACTIONS, action) ? ECS_ACTIONS[action] : undefined;
    if (!spec) throw ecsError("InvalidAction.NotFound", `Specified api "${action}" is not found, please check your url and method.`);
    if (!version) throw missingParameter("Version");
    if (version !== ECS_VERSION) throw ecsError("InvalidVersion", `Specified parameter Version "${version}" is not valid; ECS is ${ECS_VERSION}.`);

    const caller = authenticate(
      { method: req.method ?? "POST", path: url.pathname, query, allParams: params, headers: req.headers, body },
      core.scenario.accessKeys,
      core.nonces,
      Date.now(),
      { find: (id) => core.sts.findTemporaryKey(id), now: core.now() },
    );
    accessKeyId = caller.accessKey.accessKeyId;
    for (const name of spec.required) if (!params[name]) throw missingParameter(name);

    // Held from here to the answer, so a fault's latency keeps the token "still processing" for a retry.
    releaseToken = core.world().inFlight.claim(action, params);
    fault = core.faults.take("ecs", action, params);
    const effect = await afterFaultLatency(fault, (ms) => core.sleep(ms));
    if (fault && effect === "drop") {
      res.destroy();
      log(null);
      return;
    }
    if (fault && effect === "error") throw faultError(fault);

    const world = core.world();
    const call: EcsCall = {
      action,
      params: new EcsParams(params),
      world,
      now: core.now(),
      accessKey: caller.accessKey,
      requestId,
      vanish: effect === "vanish",
    };
    if (caller.accessKey.policies !== undefined) {
      for (const request of ramRequestsFor(call, { sourceIp: sourceIpOf(req) })) {
        const decision = evaluateRam(caller.accessKey.policies, request);
        if (!decision.allowed) {
          denied = { action: request.action, resource: request.resource, reason: decision.reason };
          throw forbiddenRam(request.action, request.resource, decision.effect, decision.reason, caller.accessKey.accessKeyId, world.scenario.accountId);
        }
      }
    }
    const result = spec.handler(call);
    if (fault && effect === "afterCommit") {
      // The work is done and recorded; the answer is lost on the way back.
      res.destroy();
      log(null);
      return;
    }
    sendJson(res, 200, { RequestId: requestId, ...result }, { "x-acs-request-id": requestId });
    log(200);
  } catch (err) {
    // Reset or closed during a fault's latency: the request belongs to a world that no longer exists.
    if (err instanceof RequestCancelledError) return void res.destroy();
    if (err instanceof EcsApiError) return fail(err);
    const message = err instanceof Error ? err.message : String(err);
    fail(new EcsApiError("InternalError", 500, `The emulator failed on ${action || "this request"}: ${message}`));
  } finally {
    releaseToken?.();
  }
}

function faultError(fault: ActiveFault): EcsApiError {
  const code = fault.spec.code ?? defaultCodeFor(fault.spec.status);
  const known = describeCode(code);
  // The SDK reads x-acs-retry-after as milliseconds (ThrottlingError.retryAfter).
  const headers: Record<string, string> = code.includes("Throttling") ? { "x-acs-retry-after": String((fault.spec.retryAfterSeconds ?? 1) * 1000) } : {};
  return new EcsApiError(code, fault.spec.status ?? known.status, fault.spec.message ?? known.message, {}, headers);
}

function defaultCodeFor(status: number | undefined): string {
  if (status === 503) return "ServiceUnavailable";
  if (status === 429) return "Throttling.User";
  if (status === 409) return "OperationConflict";
  if (status !== undefined && status < 500) return "InvalidParameter";
  return "InternalError";
}

/**
 * 403 Forbidden.RAM as ECS returns it since the December 2025 change (Describe calls included), with the
 * AccessDeniedDetail the SDK exposes as err.accessDeniedDetail. The diagnostic message (base64 JSON) names the
 * resource and the deciding statement, which real RAM encodes in its own format.
 */
function forbiddenRam(action: string, resource: string, effect: string, reason: string, accessKeyId: string, accountId: string): EcsApiError {
  return ecsError("Forbidden.RAM", undefined, {
    AccessDeniedDetail: {
      AuthAction: action,
      AuthPrincipalType: "SubUser",
      AuthPrincipalOwnerId: accountId,
      AuthPrincipalDisplayName: accessKeyId,
      NoPermissionType: effect === "ExplicitDeny" ? "ExplicitDeny" : "ImplicitDeny",
      PolicyType: "AccountLevelIdentityBasedPolicy",
      EncodedDiagnosticMessage: Buffer.from(JSON.stringify({ AuthAction: action, AuthResource: resource, Reason: reason })).toString("base64"),
    },
  });
}
