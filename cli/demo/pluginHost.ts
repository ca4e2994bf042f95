import { ChildProcess, spawn } from "node:child_process";
import * as path from "node:path";

/**
 * Pulumi's own dynamic-provider plugin host (`@pulumi/pulumi/cmd/dynamic-provider`, what `pulumi up` starts as
 * `pulumi-resource-pulumi-nodejs`), run as a child process and driven over gRPC with the stubs that ship in
 * @pulumi/pulumi. No engine is needed: the host only requires an engine address argument and never dials it.
 */
const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
// The gRPC and protobuf instances the generated stubs were built against.
const fromPulumi = (id: string) => require(require.resolve(id, { paths: [pulumiDir] }));
const grpc = fromPulumi("@grpc/grpc-js");
const { Struct } = fromPulumi("google-protobuf/google/protobuf/struct_pb");
const { ResourceProviderClient } = require("@pulumi/pulumi/proto/provider_grpc_pb");
const pb = require("@pulumi/pulumi/proto/provider_pb");
const statusPb = require("@pulumi/pulumi/proto/status_pb");

export type Props = Record<string, unknown>;

export interface HostFailure {
  readonly message: string;
  /** Set when the provider reported a partially created resource (ErrorResourceInitFailed). */
  readonly initFailure?: { id: string; properties: Props; reasons: string[] };
}

export interface ProviderHost {
  configure(config?: Record<string, string>): Promise<void>;
  check(urn: string, olds: Props, news: Props): Promise<{ inputs: Props; failures: { property: string; reason: string }[] }>;
  diff(urn: string, id: string, olds: Props, news: Props): Promise<{ changes: number; replaces: string[]; deleteBeforeReplace: boolean }>;
  create(urn: string, props: Props): Promise<{ id: string; properties: Props }>;
  read(urn: string, id: string, props: Props): Promise<{ id: string; properties: Props }>;
  delete(urn: string, id: string, props: Props): Promise<void>;
  /** What the host wrote to stderr so far (provider progress lines). */
  stderr(): string;
  close(): Promise<void>;
}

/** DiffResponse.DiffChanges */
export const DIFF = { UNKNOWN: 0, NONE: 1, SOME: 2 } as const;

export interface ProviderHostOptions {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly onStderr?: (chunk: string) => void;
  /** The @pulumi/pulumi whose host runs; default this package's. A program's own copy tests an installed package. */
  readonly pulumiDir?: string;
}

export async function startProviderHost(options: ProviderHostOptions): Promise<ProviderHost> {
  const hostDir = options.pulumiDir ?? pulumiDir;
  const child: ChildProcess = spawn(process.execPath, [path.join(hostDir, "cmd/dynamic-provider/index.js"), "127.0.0.1:0"], {
    cwd: options.cwd,
    env: options.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
    options.onStderr?.(chunk);
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    const onExit = (code: number | null) => reject(new Error(`provider host exited (${code}) before listening: ${stderr}`));
    child.once("exit", onExit);
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
      const match = /^(\d+)\n/.exec(out);
      if (match) {
        child.off("exit", onExit);
        resolve(Number(match[1]));
      }
    });
  });
  const client = new ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const struct = (o: Props) => Struct.fromJavaScript(o);

  function call<T>(method: string, request: unknown): Promise<T> {
    return new Promise((resolve, reject) => {
      client[method](request, (err: { details?: string; message: string; metadata?: { get(k: string): Buffer[] } } | null, res: T) => {
        if (!err) return resolve(res);
        reject(Object.assign(new Error(err.details ?? err.message), hostFailure(err)));
      });
    });
  }

  return {
    async configure(config = {}) {
      const req = new pb.ConfigureRequest();
      req.setArgs(struct(config));
      req.setAcceptsecrets(true);
      await call("configure", req);
    },
    async check(urn, olds, news) {
      const req = new pb.CheckRequest();
      req.setUrn(urn);
      req.setOlds(struct(olds));
      req.setNews(struct(news));
      const res = await call<any>("check", req);
      return {
        inputs: res.getInputs()?.toJavaScript() ?? {},
        failures: res.getFailuresList().map((f: any) => ({ property: f.getProperty(), reason: f.getReason() })),
      };
    },
    async diff(urn, id, olds, news) {
      const req = new pb.DiffRequest();
      req.setUrn(urn);
      req.setId(id);
      req.setOlds(struct(olds));
      req.setNews(struct(news));
      const res = await call<any>("diff", req);
      return { changes: res.getChanges(), replaces: res.getReplacesList(), deleteBeforeReplace: res.getDeletebeforereplace() };
    },
    async create(urn, props) {
      const req = new pb.CreateRequest();
      req.setUrn(urn);
      req.setProperties(struct(props));
      const res = await call<any>("create", req);
      return { id: res.getId(), properties: res.getProperties()?.toJavaScript() ?? {} };
    },
    async read(urn, id, props) {
      const req = new pb.ReadRequest();
      req.setUrn(urn);
      req.setId(id);
      req.setProperties(struct(props));
      const res = await call<any>("read", req);
      return { id: res.getId(), properties: res.getProperties()?.toJavaScript() ?? {} };
    },
    async delete(urn, id, props) {
      const req = new pb.DeleteRequest();
      req.setUrn(urn);
      req.setId(id);
      req.setProperties(struct(props));
      await call("delete", req);
    },
    stderr: () => stderr,
    async close() {
      client.close();
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
    },
  };
}

/** Unpacks ErrorResourceInitFailed from the gRPC status details, as the engine does. */
function hostFailure(err: { metadata?: { get(k: string): Buffer[] } }): Partial<HostFailure> {
  const raw = err.metadata?.get("grpc-status-details-bin")?.[0];
  if (!raw) return {};
  const status = statusPb.Status.deserializeBinary(new Uint8Array(raw));
  for (const any of status.getDetailsList()) {
    if (any.getTypeName() === "pulumirpc.ErrorResourceInitFailed") {
      const detail = pb.ErrorResourceInitFailed.deserializeBinary(any.getValue_asU8());
      return {
        initFailure: {
          id: detail.getId(),
          properties: detail.getProperties()?.toJavaScript() ?? {},
          reasons: detail.getReasonsList(),
        },
      };
    }
  }
  return {};
}
