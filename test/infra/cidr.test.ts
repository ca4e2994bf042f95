import * as assert from "node:assert/strict";
import * as fc from "fast-check";
import {
  blockSize,
  cidrContains,
  cidrsOverlap,
  deriveVSwitchCidrs,
  derivableVSwitchCount,
  formatCidr,
  formatIpv4,
  InvalidCidrError,
  Ipv4Cidr,
  lastAddress,
  parseIpv4,
  parseIpv4Cidr,
  vpcCidrProblems,
  vSwitchCidrProblems,
} from "../../infra/cidr";

const GUIDE_ZONES = ["b", "g", "h", "i", "j", "k"].map((l) => `cn-hangzhou-${l}`);

/** A valid VPC CIDR: inside one of the private ranges, mask 8..28. */
const vpcCidrArb = fc
  .constantFrom(
    { base: 10 * 2 ** 24, prefix: 8 },
    { base: (172 * 2 ** 24) + (16 * 2 ** 16), prefix: 12 },
    { base: (192 * 2 ** 24) + (168 * 2 ** 16), prefix: 16 },
  )
  .chain(({ base, prefix: rangePrefix }) =>
    fc.integer({ min: Math.max(rangePrefix, 8), max: 28 }).chain((prefix) =>
      fc
        .integer({ min: 0, max: blockSize(rangePrefix) / blockSize(prefix) - 1 })
        .map((index): Ipv4Cidr => ({ network: base + index * blockSize(prefix), prefix })),
    ),
  );

/** Any aligned IPv4 block. */
const anyCidrArb = fc
  .integer({ min: 0, max: 32 })
  .chain((prefix) =>
    fc.integer({ min: 0, max: 2 ** prefix - 1 }).map((index): Ipv4Cidr => ({ network: index * blockSize(prefix), prefix })),
  );

describe("infra/cidr", () => {
  describe("parsing", () => {
    const valid: [string, string][] = [
      ["172.16.0.0/16", "172.16.0.0/16"],
      ["10.0.0.0/8", "10.0.0.0/8"],
      [" 192.168.1.0/24 ", "192.168.1.0/24"],
      ["0.0.0.0/0", "0.0.0.0/0"],
      ["255.255.255.255/32", "255.255.255.255/32"],
    ];
    for (const [text, expected] of valid) {
      it(`reads ${JSON.stringify(text)}`, () => assert.equal(formatCidr(parseIpv4Cidr(text)), expected));
    }

    const invalid: [string, RegExp][] = [
      ["172.16.0.0", /not an IPv4 CIDR/],
      ["172.16.0.0/33", /not an IPv4 CIDR/],
      ["172.16.0.0/016", /not an IPv4 CIDR/],
      ["172.16.0/16", /not an IPv4 CIDR/],
      ["172.16.0.256/24", /not an IPv4 CIDR/],
      ["172.016.0.0/16", /not an IPv4 CIDR/],
      ["a.b.c.d/8", /not an IPv4 CIDR/],
      ["172.16.1.5/24", /host bits set; did you mean 172\.16\.1\.0\/24\?/],
      ["", /not an IPv4 CIDR/],
    ];
    for (const [text, message] of invalid) {
      it(`refuses ${JSON.stringify(text)}`, () =>
        assert.throws(() => parseIpv4Cidr(text), (e: unknown) => e instanceof InvalidCidrError && message.test(e.message)));
    }

    it("reads a bare address as /32 only when asked to", () => {
      assert.deepEqual(parseIpv4Cidr("198.51.100.7", { allowBareAddress: true }), { network: parseIpv4("198.51.100.7"), prefix: 32 });
      assert.throws(() => parseIpv4Cidr("198.51.100.7"), InvalidCidrError);
    });

    it("formats what it parses (property)", () => {
      fc.assert(fc.property(anyCidrArb, (cidr) => assert.deepEqual(parseIpv4Cidr(formatCidr(cidr)), cidr)));
      fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), (ip) => assert.equal(parseIpv4(formatIpv4(ip)), ip)));
    });
  });

  describe("containment and overlap", () => {
    it("a block contains itself and its halves, not its neighbour", () => {
      const c = (t: string) => parseIpv4Cidr(t);
      assert.ok(cidrContains(c("172.16.0.0/16"), c("172.16.0.0/16")));
      assert.ok(cidrContains(c("172.16.0.0/16"), c("172.16.255.0/24")));
      assert.ok(!cidrContains(c("172.16.0.0/16"), c("172.17.0.0/24")));
      assert.ok(!cidrContains(c("172.16.1.0/24"), c("172.16.0.0/16")));
      assert.ok(cidrsOverlap(c("172.16.0.0/16"), c("172.16.3.0/24")));
      assert.ok(!cidrsOverlap(c("172.16.1.0/24"), c("172.16.2.0/24")));
    });

    it("overlap is symmetric and agrees with a brute-force address comparison (property)", () => {
      fc.assert(
        fc.property(anyCidrArb, anyCidrArb, (a, b) => {
          const brute = Math.max(a.network, b.network) <= Math.min(lastAddress(a), lastAddress(b));
          assert.equal(cidrsOverlap(a, b), brute);
          assert.equal(cidrsOverlap(b, a), brute);
          if (cidrContains(a, b)) assert.ok(cidrsOverlap(a, b));
        }),
      );
    });
  });

  describe("vpcCidrProblems", () => {
    const table: [string, RegExp | null][] = [
      ["172.16.0.0/16", null],
      ["10.0.0.0/8", null],
      ["192.168.0.0/16", null],
      ["172.16.0.0/12", null],
      ["10.20.30.0/28", null],
      ["10.0.0.0/29", /\/29 mask; a VPC mask must be \/8 to \/28/],
      ["172.32.0.0/16", /not inside 10\.0\.0\.0\/8, 172\.16\.0\.0\/12, 192\.168\.0\.0\/16/],
      ["8.8.0.0/16", /not inside/],
      ["0.0.0.0/0", /mask/],
      ["172.16.0.1/16", /host bits/],
      ["banana", /not an IPv4 CIDR/],
    ];
    for (const [text, problem] of table) {
      it(`${text}: ${problem ? "refused" : "accepted"}`, () => {
        const problems = vpcCidrProblems(text);
        if (problem === null) assert.deepEqual(problems, []);
        else assert.ok(problems.some((p) => problem.test(p)), problems.join("; "));
      });
    }
  });

  describe("vSwitchCidrProblems", () => {
    it("accepts the guide's plan", () => {
      const plan = GUIDE_ZONES.map((zoneId, i) => ({ zoneId, cidr: `172.16.${i + 1}.0/24` }));
      assert.deepEqual(vSwitchCidrProblems("172.16.0.0/16", plan), []);
    });

    const table: [string, { zoneId: string; cidr: string }[], RegExp][] = [
      ["overlap", [{ zoneId: "z-b", cidr: "172.16.1.0/24" }, { zoneId: "z-g", cidr: "172.16.1.128/25" }], /overlaps "172\.16\.1\.0\/24" of zone z-b/],
      ["outside the VPC", [{ zoneId: "z-b", cidr: "172.17.1.0/24" }], /outside the VPC CIDR 172\.16\.0\.0\/16/],
      ["mask too long", [{ zoneId: "z-b", cidr: "172.16.1.0/30" }], /\/30 mask; a vSwitch mask must be \/16 to \/29/],
      ["mask too short", [{ zoneId: "z-b", cidr: "172.0.0.0/15" }], /\/15 mask/],
      ["not a CIDR", [{ zoneId: "z-b", cidr: "172.16.1.0" }], /not an IPv4 CIDR/],
      ["host bits", [{ zoneId: "z-b", cidr: "172.16.1.1/24" }], /host bits/],
    ];
    for (const [label, plan, message] of table) {
      it(`reports ${label}, naming the zone`, () => {
        const problems = vSwitchCidrProblems("172.16.0.0/16", plan);
        assert.ok(problems.length > 0);
        assert.ok(problems.some((p) => message.test(p.message)), JSON.stringify(problems));
        assert.equal(problems.at(-1)!.zoneId, plan.at(-1)!.zoneId);
      });
    }

    it("finds every overlap a brute-force check finds (property)", () => {
      const vpc = "10.0.0.0/8";
      const switchArb = fc.integer({ min: 16, max: 29 }).chain((prefix) =>
        fc.integer({ min: 0, max: 2 ** (prefix - 8) - 1 }).map((i) => formatCidr({ network: 10 * 2 ** 24 + i * blockSize(prefix), prefix })),
      );
      fc.assert(
        fc.property(fc.array(switchArb, { minLength: 1, maxLength: 8 }), (cidrs) => {
          const plan = cidrs.map((cidr, i) => ({ zoneId: `z${i}`, cidr }));
          const parsed = cidrs.map((c) => parseIpv4Cidr(c));
          const overlapping = parsed.some((a, i) => parsed.some((b, j) => i < j && cidrsOverlap(a, b)));
          assert.equal(vSwitchCidrProblems(vpc, plan).length > 0, overlapping);
        }),
      );
    });
  });

  describe("deriveVSwitchCidrs", () => {
    it("reproduces the guide's layout from the VPC and zones alone", () => {
      assert.deepEqual(
        deriveVSwitchCidrs("172.16.0.0/16", GUIDE_ZONES, 24),
        GUIDE_ZONES.map((zoneId, i) => ({ zoneId, cidr: `172.16.${i + 1}.0/24` })),
      );
    });

    it("refuses zones that do not fit, and masks outside /16../29", () => {
      assert.equal(derivableVSwitchCount("10.0.0.0/28", 29), 1);
      assert.throws(() => deriveVSwitchCidrs("10.0.0.0/28", ["a", "b"], 29), /room for 1 \/29 vSwitches after its first block, not 2/);
      assert.throws(() => deriveVSwitchCidrs("172.16.0.0/16", ["a"], 16), /room for 0/);
      assert.throws(() => deriveVSwitchCidrs("172.16.0.0/16", ["a"], 30), /\/16 to \/29, not \/30/);
      assert.throws(() => deriveVSwitchCidrs("172.16.0.0/16", ["a"], 15), /not \/15/);
    });

    it("gives each zone one block of the mask, inside the VPC, with no overlap (property)", () => {
      const input = vpcCidrArb.chain((vpc) =>
        fc.integer({ min: Math.max(vpc.prefix + 1, 16), max: 29 }).chain((mask) =>
          fc
            .integer({ min: 1, max: Math.min(12, blockSize(vpc.prefix) / blockSize(mask) - 1) })
            .map((count) => ({ vpc: formatCidr(vpc), mask, zones: Array.from({ length: count }, (_, i) => `zone-${i}`) })),
        ),
      );
      fc.assert(
        fc.property(input, ({ vpc, mask, zones }) => {
          assert.deepEqual(vpcCidrProblems(vpc), []);
          const plan = deriveVSwitchCidrs(vpc, zones, mask);
          assert.deepEqual(plan.map((p) => p.zoneId), zones, "one vSwitch per zone, in order");
          assert.ok(plan.every((p) => parseIpv4Cidr(p.cidr).prefix === mask));
          assert.deepEqual(vSwitchCidrProblems(vpc, plan), [], "inside the VPC, valid masks, no overlap");
          assert.ok(!plan.some((p) => cidrsOverlap(parseIpv4Cidr(p.cidr), { network: parseIpv4Cidr(vpc).network, prefix: mask })),
            "the VPC's first block stays free");
        }),
      );
    });
  });
});
