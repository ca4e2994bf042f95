import * as assert from "node:assert/strict";
import { autoReleaseTimeFor, clientTokenFor, instanceNameFor, runnerNameFor } from "../../provider/naming";

describe("naming", () => {
  const at = Date.UTC(2026, 10, 28, 10, 30, 15, 500);

  it("names instances as the guide does", () => {
    assert.equal(instanceNameFor("openresty", "arm64", at), "openresty-arm64-spot-20261128103015");
  });

  it("makes runner names that are valid labels, host names and tag values", () => {
    const name = runnerNameFor("openresty", "amd64", at, "A1b2-C3d4");
    assert.equal(name, "openresty-amd64-202611281030-a1b2c3d4");
    assert.match(name, /^[a-z0-9-]{1,63}$/);
  });

  it("uses one client token per candidate: stable across retries, different between candidates, <= 64 ASCII", () => {
    const a = clientTokenFor("r1", "0/spot/1");
    assert.equal(a, clientTokenFor("r1", "0/spot/1"));
    assert.notEqual(a, clientTokenFor("r1", "1/spot/1"));
    assert.notEqual(a, clientTokenFor("r1", "0/spot/0"), "other terms for the same candidate: another token");
    assert.notEqual(a, clientTokenFor("r2", "0/spot/1"));
    assert.ok(a.length <= 64 && /^[A-Za-z0-9-]+$/.test(a));
  });

  it("rounds AutoReleaseTime up to the minute so the TTL is never shorter", () => {
    assert.equal(autoReleaseTimeFor(at, 45), "2026-11-28T11:16:00Z");
    assert.equal(autoReleaseTimeFor(Date.UTC(2026, 0, 1, 0, 0, 0), 120), "2026-01-01T02:00:00Z");
  });

  it("never asks for less than the API's 30 minutes, with a margin for clock skew", () => {
    // at = 10:30:00 (+ a few seconds): 30 minutes would be 11:00:xx; the request carries 32 minutes, rounded up.
    assert.equal(autoReleaseTimeFor(at, 30), "2026-11-28T11:03:00Z");
    const start = Date.UTC(2026, 0, 1, 0, 0, 0);
    for (const ttl of [30, 31, 32, 33]) {
      const minutesAhead = (Date.parse(autoReleaseTimeFor(start, ttl)) - start) / 60_000;
      assert.ok(minutesAhead >= Math.max(ttl, 32), `${ttl}: ${minutesAhead}`);
    }
  });
});
