import * as assert from "node:assert/strict";
import { readAliyunCredentials } from "../../provider/aliyun/credentials";
import { resolveEcsEndpoint } from "../../provider/aliyun/endpoint";
import { classifyAliyunErrorCode, toAliyunApiError } from "../../provider/aliyun/errors";
import { callEcs, EcsCallRecord } from "../../provider/aliyun/callEcs";
import { AliyunApiError, MissingEnvironmentError } from "../../provider/errors";
import { startEmulator } from "../../emulator";
import { smallScenario } from "../../emulator/scenario/small";
import { createEcsInstanceApi } from "../../provider/aliyun/instances";

describe("Aliyun client layer", () => {
  describe("readAliyunCredentials", () => {
    it("reads the Alibaba Cloud SDK variables, with an optional STS token", () => {
      const creds = readAliyunCredentials({
        ALIBABA_CLOUD_ACCESS_KEY_ID: " LTAIexample ",
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: "secret",
        ALIBABA_CLOUD_SECURITY_TOKEN: "sts",
      });
      assert.deepEqual(creds, { accessKeyId: "LTAIexample", accessKeySecret: "secret", securityToken: "sts" });
    });

    it("falls back to the variables @pulumi/alicloud reads", () => {
      const creds = readAliyunCredentials({ ALICLOUD_ACCESS_KEY: "id2", ALICLOUD_SECRET_KEY: "secret2" });
      assert.deepEqual(creds, { accessKeyId: "id2", accessKeySecret: "secret2" });
    });

    it("names both variables when nothing is set", () => {
      assert.throws(
        () => readAliyunCredentials({}),
        (err: unknown) =>
          err instanceof MissingEnvironmentError &&
          /ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET/.test(err.message) &&
          /ALICLOUD_ACCESS_KEY/.test(err.message),
      );
    });

    it("names the missing half of an incomplete pair", () => {
      assert.throws(
        () => readAliyunCredentials({ ALIBABA_CLOUD_ACCESS_KEY_ID: "id" }),
        (err: unknown) => err instanceof MissingEnvironmentError && err.variables[0] === "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
      );
    });
  });

  describe("resolveEcsEndpoint", () => {
    it("leaves the regional endpoint to the SDK, over HTTPS, by default", () => {
      assert.deepEqual(resolveEcsEndpoint({}), { protocol: "https" });
    });
    it("accepts an http override such as the emulator's", () => {
      assert.deepEqual(resolveEcsEndpoint({ ALIBABA_CLOUD_ECS_ENDPOINT: "http://127.0.0.1:8080" }), {
        endpoint: "127.0.0.1:8080",
        protocol: "http",
      });
    });
    it("treats a bare host as HTTPS", () => {
      assert.deepEqual(resolveEcsEndpoint({ ALIBABA_CLOUD_ECS_ENDPOINT: "ecs.cn-hangzhou.aliyuncs.com" }), {
        endpoint: "ecs.cn-hangzhou.aliyuncs.com",
        protocol: "https",
      });
    });
    it("rejects a path, which the SDK would silently drop", () => {
      assert.throws(() => resolveEcsEndpoint({ ALIBABA_CLOUD_ECS_ENDPOINT: "http://127.0.0.1:8080/ecs" }), /must not have a path/);
    });
  });

  describe("classifyAliyunErrorCode", () => {
    const table: [string, number | undefined, string][] = [
      ["OperationDenied.NoStock", 403, "capacity"],
      ["Zone.NotOnSale", 403, "capacity"],
      ["InvalidSpotPriceLimit.LowerThanPublicPrice", 400, "price"],
      ["InvalidSystemDiskCategory.ValueNotSupported", 400, "candidate"],
      ["Throttling.User", 400, "throttled"],
      ["Throttling", 429, "throttled"],
      ["ServiceUnavailable", 503, "transient"],
      ["InternalError", 500, "transient"],
      ["InvalidAccessKeyId.NotFound", 404, "credentials"],
      ["SignatureDoesNotMatch", 400, "credentials"],
      ["Forbidden.RAM", 403, "permission"],
      ["InvalidAccountStatus.NotEnoughBalance", 403, "account"],
      // The quota of one instance type: another type may launch (RunInstances error list).
      ["QuotaExceed.ElasticQuota", 403, "candidate"],
      ["QuotaExceed.PostPaidInstance", 403, "account"],
      ["InvalidInstanceId.NotFound", 404, "notFound"],
      ["MissingParameter", 400, "invalid"],
    ];
    for (const [code, status, kind] of table) {
      it(`${code} -> ${kind}`, () => assert.equal(classifyAliyunErrorCode(code, status), kind));
    }
  });

  describe("callEcs", () => {
    const fast = { retries: 3, minDelayMs: 1, maxDelayMs: 2 };
    const sdkError = (code: string, statusCode: number, name = "ClientError") =>
      Object.assign(new Error(`${code}: code: ${statusCode}, boom request id: R1`), { name, code, statusCode, requestId: "R1" });

    it("retries throttling and returns the eventual result, recording every attempt", async () => {
      const records: EcsCallRecord[] = [];
      let calls = 0;
      const result = await callEcs(
        "DescribeInstances",
        async () => {
          calls += 1;
          if (calls < 3) throw sdkError("Throttling.User", 400, "ThrottlingError");
          return "ok";
        },
        { retry: fast, onAttempt: (r) => records.push(r) },
      );
      assert.equal(result, "ok");
      assert.deepEqual(records.map((r) => [r.attempt, r.ok, r.code]), [
        [1, false, "Throttling.User"],
        [2, false, "Throttling.User"],
        [3, true, undefined],
      ]);
    });

    it("keeps the API's x-acs-retry-after (ms) on a throttled error, and waits it before the retry", async () => {
      const throttledWithHint = Object.assign(sdkError("Throttling.User", 400, "ThrottlingError"), { retryAfter: 1500 });
      const classified = toAliyunApiError("DescribeSpotPriceHistory", throttledWithHint);
      assert.ok(classified instanceof AliyunApiError && classified.retryAfterMs === 1500 && classified.cause === throttledWithHint);
      // The wait is capped by the policy's longest backoff (2 ms here), so this test takes milliseconds.
      let calls = 0;
      const result = await callEcs("DescribeSpotPriceHistory", async () => {
        calls += 1;
        if (calls === 1) throw throttledWithHint;
        return "ok";
      }, { retry: fast });
      assert.deepEqual([result, calls], ["ok", 2]);
    });

    it("reads x-acs-retry-after from a real throttling answer (through the SDK, from the emulator)", async () => {
      const emu = await startEmulator({ scenario: smallScenario(), clock: "manual" });
      try {
        emu.admin.addFault({ action: "DescribeInstances", code: "Throttling.User", status: 400, times: -1 });
        const ecs = createEcsInstanceApi({ regionId: "cn-hangzhou", env: emu.env, retry: { retries: 0, minDelayMs: 1, maxDelayMs: 1 } });
        await assert.rejects(ecs.describeInstances({}), (err: unknown) => err instanceof AliyunApiError && err.kind === "throttled" && err.retryAfterMs === 1000);
      } finally {
        await emu.close();
      }
    });

    it("does not retry a capacity error and reports it classified, naming the action", async () => {
      let calls = 0;
      await assert.rejects(
        callEcs("RunInstances", async () => { calls += 1; throw sdkError("OperationDenied.NoStock", 403); }, { retry: fast }),
        (err: unknown) =>
          err instanceof AliyunApiError && err.kind === "capacity" && err.action === "RunInstances" && /RunInstances/.test(err.message),
      );
      assert.equal(calls, 1);
    });

    it("gives up after the configured retries on persistent 5xx", async () => {
      let calls = 0;
      await assert.rejects(
        callEcs("DescribeInstances", async () => { calls += 1; throw sdkError("ServiceUnavailable", 503, "ServerError"); }, { retry: fast }),
        (err: unknown) => err instanceof AliyunApiError && err.kind === "transient",
      );
      assert.equal(calls, 4);
    });

    it("treats an expired STS token (InvalidParameter SecurityToken.Expired, as real ECS answers it) as a credentials problem", () => {
      const err = toAliyunApiError("DescribeInstances", Object.assign(new Error("InvalidParameter: code: 400, The specified parameter \"SecurityToken.Expired\" is not valid."),
        { name: "ClientError", code: "InvalidParameter", statusCode: 400, data: { Message: "The specified parameter \"SecurityToken.Expired\" is not valid." } }));
      assert.ok(err instanceof AliyunApiError && err.kind === "credentials" && /assume the role again/.test(err.message), String(err));
    });

    it("treats SDK timeouts as transient", () => {
      const err = toAliyunApiError("RunInstances", Object.assign(new Error("ReadTimeout(30000). POST http://x failed."), { name: "RequestTimeoutError" }));
      assert.ok(err instanceof AliyunApiError && err.kind === "transient");
    });
  });
});
