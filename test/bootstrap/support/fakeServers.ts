import * as http from "node:http";
import { AddressInfo } from "node:net";

export interface RecordedRequest {
  readonly method: string;
  /** The path, also for requests that came in proxy form (absolute URL). */
  readonly path: string;
  /** True when the request line held an absolute URL: curl sent it through us as a proxy. */
  readonly proxied: boolean;
  readonly headers: http.IncomingHttpHeaders;
}

/** A started HTTP server on 127.0.0.1 that records what it was asked. */
export interface FakeServer {
  readonly url: string;
  readonly port: number;
  readonly requests: RecordedRequest[];
  /** Bytes of response bodies sent so far. */
  bytesSent(): number;
  close(): Promise<void>;
}

async function startServer(handle: (req: http.IncomingMessage, res: http.ServerResponse, path: string) => void): Promise<FakeServer> {
  const requests: RecordedRequest[] = [];
  let bytes = 0;
  const server = http.createServer((req, res) => {
    const end = res.end.bind(res) as (...args: unknown[]) => http.ServerResponse;
    res.end = ((...args: unknown[]) => {
      if (Buffer.isBuffer(args[0]) || typeof args[0] === "string") bytes += Buffer.byteLength(args[0] as Buffer | string);
      return end(...args);
    }) as typeof res.end;
    const raw = req.url ?? "/";
    const proxied = /^https?:\/\//.test(raw);
    const path = proxied ? new URL(raw).pathname : raw.split("?")[0]!;
    requests.push({ method: req.method ?? "", path, proxied, headers: req.headers });
    handle(req, res, path);
  });
  // Curl closes its connections, but a keep-alive socket left open would keep close() waiting.
  server.keepAliveTimeout = 100;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    bytesSent: () => bytes,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

export const METADATA_TOKEN_PATH = "/latest/api/token";
export const TERMINATION_TIME_PATH = "/latest/meta-data/instance/spot/termination-time";

/**
 * The ECS metadata service in hardened mode: a token from `PUT /latest/api/token` (TTL header required) must
 * accompany every GET, or the answer is 401. The termination time is 404 until a reclaim is scheduled.
 */
export async function startFakeMetadata(options: { terminationTime?: string }): Promise<FakeServer & { tokensIssued: string[] }> {
  const tokensIssued: string[] = [];
  const server = await startServer((req, res, path) => {
    if (req.method === "PUT" && path === METADATA_TOKEN_PATH) {
      const ttl = Number(req.headers["x-aliyun-ecs-metadata-token-ttl-seconds"]);
      if (!(Number.isInteger(ttl) && ttl >= 1 && ttl <= 21600)) {
        res.writeHead(400).end("missing or bad X-aliyun-ecs-metadata-token-ttl-seconds");
        return;
      }
      const token = `token-${tokensIssued.length + 1}`;
      tokensIssued.push(token);
      res.writeHead(200, { "content-type": "text/plain" }).end(token);
      return;
    }
    if (req.method === "GET" && path.startsWith("/latest/meta-data/")) {
      const token = req.headers["x-aliyun-ecs-metadata-token"];
      if (typeof token !== "string" || !tokensIssued.includes(token)) {
        res.writeHead(401).end("unauthorized");
        return;
      }
      if (path === TERMINATION_TIME_PATH && options.terminationTime) {
        res.writeHead(200, { "content-type": "text/plain" }).end(options.terminationTime);
        return;
      }
    }
    res.writeHead(404).end("not found");
  });
  return Object.assign(server, { tokensIssued });
}

/**
 * GitHub's release downloads (or a mirror), serving one file; it also answers proxy-form requests, so one
 * server can stand in for "the proxy in front of GitHub".
 */
export async function startFakeDownloads(files: ReadonlyMap<string, Buffer>): Promise<FakeServer> {
  return startServer((_req, res, path) => {
    const body = files.get(path);
    if (body) res.writeHead(200, { "content-type": "application/gzip", "content-length": body.length }).end(body);
    else res.writeHead(404).end("not found");
  });
}
