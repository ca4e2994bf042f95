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
    const a = clientTokenFor("r1", 0);
    assert.equal(a, clientTokenFor("r1", 0));
    assert.notEqual(a, clientTokenFor("r1", 1));
    assert.notEqual(a, clientTokenFor("r2", 0));
    assert.ok(a.length <= 64 && /^[\x21-\x7e]+$/.test(a));
  });

  it("rounds AutoReleaseTime up to the minute so the TTL is never shorter", () => {
    assert.equal(autoReleaseTimeFor(at, 30), "2026-11-28T11:01:00Z");
    assert.equal(autoReleaseTimeFor(Date.UTC(2026, 0, 1, 0, 0, 0), 120), "2026-01-01T02:00:00Z");
  });
});
