import * as assert from "node:assert/strict";
import fc from "fast-check";
import { breakerState, recordReclaim } from "../../provider/resilience/breaker";

const MIN = 60_000;
const policy = { threshold: 3, windowMinutes: 60 };

describe("spot circuit breaker", () => {
  it("stays closed below the threshold, opens at it, and closes when the window passes the reclaims", () => {
    assert.equal(breakerState([0, 10 * MIN], 20 * MIN, policy).open, false);
    const open = breakerState([0, 10 * MIN, 20 * MIN], 30 * MIN, policy);
    assert.deepEqual([open.open, open.closesAt], [true, 60 * MIN]);
    assert.equal(breakerState([0, 10 * MIN, 20 * MIN], 60 * MIN, policy).open, false, "the oldest left the window");
    assert.equal(breakerState([0, 10 * MIN, 20 * MIN, 50 * MIN], 65 * MIN, policy).open, true, "three still inside");
  });

  it("ignores reclaims in the future and outside the window", () => {
    assert.equal(breakerState([-120 * MIN, -90 * MIN, 5 * MIN], 0, policy).open, false);
  });

  it("keeps only what can still matter when recording (property: the decision is unchanged)", () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 600 }), { maxLength: 40 }), fc.integer({ min: 0, max: 600 }), (minutes, at) => {
      const stored = minutes.filter((m) => m <= at).map((m) => m * MIN);
      const full = [...stored, at * MIN];
      const kept = recordReclaim(stored, at * MIN, policy);
      assert.equal(breakerState(kept, at * MIN, policy).open, breakerState(full, at * MIN, policy).open);
      assert.ok(kept.length <= 16);
    }));
  });
});
