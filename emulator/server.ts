import { createServer, IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { ADMIN_PREFIX, handleAdminRequest } from "./admin/handler";
import type { EmulatorAdmin } from "./admin/admin";
import type { EmulatorCore } from "./core";
import { handleEcsRequest } from "./ecs/handler";
import { GITHUB_API_PREFIX, handleGitHubRequest } from "./github/handler";
import { sendJson } from "./http";
import { handleStsRequest, isStsRequest } from "./sts/handler";

const MAX_REQUEST_HEAD_BYTES = 256 * 1024;

/**
 * One HTTP server on 127.0.0.1 for every front end: ECS RPC at "/", STS RPC at "/" too (told apart by its API
 * version), GitHub under /api/v3, admin under /_emulator/.
 */
export class EmulatorServer {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private handlers?: { core: EmulatorCore; admin: EmulatorAdmin; githubApiUrl: string };
  private closing?: Promise<void>;

  constructor() {
    // The SDK sends every parameter in the query string, user data included (up to 32 KB of Base64, more when
    // percent-encoded), so the request line can be far longer than node's 16 KB default allows.
    this.server = createServer({ maxHeaderSize: MAX_REQUEST_HEAD_BYTES }, (req, res) => this.route(req, res));
    // Keep-alive sockets would hold close() open; track them so close() can end them.
    this.server.on("connection", (socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
  }

  listen(port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, "127.0.0.1", () => {
        this.server.off("error", reject);
        resolve((this.server.address() as AddressInfo).port);
      });
    });
  }

  attach(core: EmulatorCore, admin: EmulatorAdmin, githubApiUrl: string): void {
    this.handlers = { core, admin, githubApiUrl };
  }

  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      this.handlers?.core.cancelWaits();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
      for (const socket of this.sockets) socket.destroy();
    });
    return this.closing;
  }

  private route(req: IncomingMessage, res: ServerResponse): void {
    const handlers = this.handlers;
    if (!handlers) return void sendJson(res, 503, { error: "the emulator is starting" });
    const path = (req.url ?? "/").split("?")[0];
    let work: Promise<void>;
    if (path.startsWith(ADMIN_PREFIX)) work = handleAdminRequest(req, res, handlers.admin);
    else if (path === GITHUB_API_PREFIX || path.startsWith(`${GITHUB_API_PREFIX}/`)) work = handleGitHubRequest(req, res, handlers.core, handlers.githubApiUrl);
    else if (isStsRequest(req)) work = handleStsRequest(req, res, handlers.core);
    else work = handleEcsRequest(req, res, handlers.core);
    work.catch((err: unknown) => sendJson(res, 500, { error: `the emulator failed: ${err instanceof Error ? err.message : String(err)}` }));
  }
}
