import * as assert from "node:assert/strict";
import { waitFor, WaitTimeoutError } from "../../provider/wait";

/** A clock that only moves when the code under test sleeps. */
function manualClock(start = 0) {
  let t = start;
  const sleeps: number[] = [];
  return { now: () => t, sleep: async (ms: number) => { sleeps.push(ms); t += ms; }, sleeps };
}

describe("waitFor", () => {
  it("returns as soon as the probe is done, polling at a steady interval", async () => {
    const clock = manualClock();
    let polls = 0;
    const value = await waitFor(async () => (++polls === 4 ? { done: true, value: "ready" } : { done: false, observation: `poll ${polls}` }),
      { what: "x", timeoutMs: 60_000, intervalMs: 1000, clock });
    assert.equal(value, "ready");
    assert.deepEqual(clock.sleeps, [1000, 1000, 1000]);
  });

  it("times out at the deadline, with the last observation in the message", async () => {
    const clock = manualClock();
    await assert.rejects(
      waitFor(async () => ({ done: false, observation: "Starting" }), { what: "instance i-1 to be Running", timeoutMs: 10_000, intervalMs: 3000, clock }),
      (err: unknown) => err instanceof WaitTimeoutError && /i-1 to be Running/.test(err.message) && /Starting/.test(err.message),
    );
    assert.equal(clock.now(), 10_000);
  });

  it("lets a probe error through immediately", async () => {
    const clock = manualClock();
    await assert.rejects(waitFor(async () => { throw new Error("boom"); }, { what: "x", timeoutMs: 1000, intervalMs: 10, clock }), /boom/);
    assert.equal(clock.now(), 0);
  });
});
