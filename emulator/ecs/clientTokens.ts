import { ecsError } from "./errors";

/** Actions whose ClientToken makes them idempotent, and so can be "still processing" under that token. */
const IDEMPOTENT_ACTIONS = new Set(["RunInstances", "CreateImage"]);

/**
 * ClientTokens of requests the emulator is still working on (a request held by a fault's latency is one). A second
 * request with the token of one in flight is refused with IdempotentProcessing, as ECS answers while the first
 * request with a token is still running; the client retries it with the same token (packer's Alibaba builder does).
 */
export class InFlightTokens {
  private readonly held = new Set<string>();

  /**
   * Claims the request's token for as long as it is processed; returns the release (call it whatever the outcome).
   * Throws IdempotentProcessing when another request holds the token. Requests without a token claim nothing.
   */
  claim(action: string, params: Readonly<Record<string, string>>): () => void {
    const token = params.ClientToken;
    if (!IDEMPOTENT_ACTIONS.has(action) || !token) return () => undefined;
    const key = `${action}|${params.RegionId ?? ""}|${token}`;
    if (this.held.has(key)) {
      throw ecsError("IdempotentProcessing", `The previous idempotent request(s) is still processing: ClientToken "${token}" is in use by a request that has not finished.`);
    }
    this.held.add(key);
    return () => this.held.delete(key);
  }
}
