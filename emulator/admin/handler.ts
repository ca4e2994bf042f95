import type { IncomingMessage, ServerResponse } from "node:http";
import { readBody, sendJson } from "../http";
import { AdminRequestError, EmulatorAdmin } from "./admin";

export const ADMIN_PREFIX = "/_emulator/";

/**
 * The admin API over HTTP (JSON in, JSON out), for tools outside the process (the CLI demo, curl). Each route is
 * one EmulatorAdmin method; errors answer {"error": "..."} with 400 or 404.
 */
export async function handleAdminRequest(req: IncomingMessage, res: ServerResponse, admin: EmulatorAdmin): Promise<void> {
  const url = new URL(req.url ?? "/", "http://emulator.invalid");
  const route = url.pathname.slice(ADMIN_PREFIX.length).replace(/\/+$/, "");
  const method = (req.method ?? "GET").toUpperCase();
  try {
    const body = await readJson(req);
    const result = dispatch(admin, method, route, body, url);
    if (result === undefined) throw new AdminRequestError(404, `no admin route ${method} ${url.pathname}; see docs/emulator.md`);
    sendJson(res, 200, result);
  } catch (err) {
    const status = err instanceof AdminRequestError ? err.status : 500;
    sendJson(res, status, { error: err instanceof Error ? err.message : String(err) });
  }
}

function dispatch(admin: EmulatorAdmin, method: string, route: string, body: unknown, url: URL): unknown {
  const obj = (body ?? {}) as Record<string, unknown>;
  if (method === "GET" && route === "state") return admin.state();
  if (method === "POST" && route === "scenario") return (admin.replaceScenario(body), { ok: true });
  if (method === "POST" && route === "faults") return { faults: (Array.isArray(body) ? body : [body]).map((f) => admin.addFault(f)) };
  if (method === "DELETE" && route === "faults") return (admin.clearFaults(), { ok: true });
  if (method === "DELETE" && route.startsWith("faults/")) return (admin.removeFault(decodeURIComponent(route.slice("faults/".length))), { ok: true });
  if (method === "GET" && route === "calls") return { calls: admin.calls(Number(url.searchParams.get("since") ?? "0") || 0) };
  if (method === "DELETE" && route === "calls") return (admin.clearCalls(), { ok: true });
  if (method === "POST" && route === "reset") return (admin.reset(), { ok: true });
  if (method === "POST" && route === "clock") return { now: admin.advanceClock(obj.advanceMs as number) };
  if (method === "POST" && route === "stock") return (admin.setStock(obj as never), { ok: true });
  if (method === "POST" && route === "prices") return (admin.setPrice(obj as never), { ok: true });
  if (method === "POST" && route === "interruption-rates") return (admin.setInterruptionRate(obj as never), { ok: true });
  let m = /^instances\/([^/]+)\/reclaim$/.exec(route);
  if (method === "POST" && m) return (admin.reclaimInstance(decodeURIComponent(m[1])), { ok: true });
  m = /^runners\/(\d+)$/.exec(route);
  if (method === "POST" && m) return { runner: admin.updateRunner(Number(m[1]), obj as never) };
  return undefined;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const bytes = await readBody(req);
  if (bytes.length === 0) return undefined;
  try {
    return JSON.parse(bytes.toString("utf8"));
  } catch (err) {
    throw new AdminRequestError(400, `the request body is not JSON: ${(err as Error).message}`);
  }
}
