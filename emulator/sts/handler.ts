import type { IncomingMessage, ServerResponse } from "node:http";
import { redactParams } from "../callLog";
import type { EmulatorCore } from "../core";
import { isoSeconds } from "../format";
import { formParams, isFormBody, queryParams, readBody, sendJson } from "../http";
import { newRequestId } from "../ids";
import { assumeRoleWithOidc, TrustDeniedError } from "./assumeRoleWithOidc";
import { StsApiError, stsError } from "./errors";

/** STS's API version; ECS's is 2014-05-26, so the version tells the two apart on one port. */
export const STS_VERSION = "2015-04-01";
const STS_HOST = "sts.aliyuncs.com";
const ACTIONS = ["AssumeRoleWithOIDC"] as const;

/**
 * True for a request to STS: its version (x-acs-version header, as @alicloud/openapi-core sends it, or the Version
 * query parameter, as @alicloud/credentials sends it) is STS's. Real STS has its own host (sts.aliyuncs.com); the
 * emulator serves every API on one port, so the router asks this before handing a call to ECS.
 */
export function isStsRequest(req: IncomingMessage): boolean {
  const header = req.headers["x-acs-version"];
  if (header === STS_VERSION) return true;
  return new URL(req.url ?? "/", "http://emulator.invalid").searchParams.get("Version") === STS_VERSION;
}

/**
 * One STS RPC request: parse (query and form body), route on the action, run it, answer in the POP envelope, and
 * log the call with the OIDC token redacted. The answer's secrets (AccessKeySecret, SecurityToken) go only to the
 * caller, never to the log.
 */
export async function handleStsRequest(req: IncomingMessage, res: ServerResponse, core: EmulatorCore): Promise<void> {
  const started = Date.now();
  const requestId = newRequestId();
  const url = new URL(req.url ?? "/", "http://emulator.invalid");
  let params: Record<string, string> = {};
  let action = "";
  let denied: { action: string; resource: string; reason: string } | undefined;

  const log = (status: number, code?: string) =>
    core.calls.add({
      seq: core.calls.nextSeq(),
      time: isoSeconds(core.now()),
      api: "sts",
      action: action || "(none)",
      params: redactParams(params),
      status,
      ...(code ? { code } : {}),
      durationMs: Date.now() - started,
      ...(denied ? { denied } : {}),
    });
  const fail = (err: StsApiError) => {
    sendJson(
      res,
      err.status,
      {
        RequestId: requestId,
        HostId: STS_HOST,
        Code: err.code,
        Message: err.message,
        Recommend: `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(err.code)}&product=Sts&requestId=${requestId}`,
      },
      { "x-acs-request-id": requestId },
    );
    log(err.status, err.code);
  };

  try {
    const body = await readBody(req);
    params = { ...queryParams(url), ...(isFormBody(req) ? formParams(body) : {}) };
    const headerAction = req.headers["x-acs-action"];
    action = (typeof headerAction === "string" ? headerAction : undefined) ?? params.Action ?? "";
    if (url.pathname !== "/") throw stsError("InvalidAction.NotFound", `Specified api is not found: STS RPC calls go to "/", not "${url.pathname}".`);
    if (!(ACTIONS as readonly string[]).includes(action)) {
      throw stsError("InvalidAction.NotFound", `Specified api "${action}" is not found; the emulated STS serves ${ACTIONS.join(", ")}.`);
    }
    let result;
    try {
      result = assumeRoleWithOidc(params, core.sts, core.now());
    } catch (err) {
      if (!(err instanceof TrustDeniedError)) throw err;
      denied = { action: "sts:AssumeRole", resource: params.RoleArn ?? "", reason: err.decision.reason };
      throw stsError("AuthenticationFail.NoPermission");
    }
    sendJson(res, 200, { RequestId: requestId, ...result.body }, { "x-acs-request-id": requestId });
    log(200);
  } catch (err) {
    if (err instanceof StsApiError) return fail(err);
    const message = err instanceof Error ? err.message : String(err);
    fail(new StsApiError("InternalError", 500, `The emulator failed on ${action || "this request"}: ${message}`));
  }
}
