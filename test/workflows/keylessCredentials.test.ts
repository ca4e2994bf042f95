import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { allSteps, credentialsAction, CREDENTIALS_ACTION_DIR, Json, loadWorkflows, stepsOf } from "./support/workflowFiles";

/**
 * Keyless CI in the workflows: the jobs that call Aliyun (start, stop, manager, reaper) get credentials from one
 * local composite action, which exchanges the job's GitHub OIDC token for the CI role's credentials through
 * Alibaba's official action, or hands over the CI user's AccessKey as the fallback.
 */
const CREDENTIALS_USES = "./.spot-runner/.github/actions/aliyun-credentials";
const OFFICIAL_ACTION = "aliyun/configure-aliyun-credentials-action@1e5248c8d5d93a8781ac344a68e19a43341e79e6";
/**
 * The official action's inputs (its action.yml, read from the aliyun/configure-aliyun-credentials-action
 * repository; v1.1.0 changed only the runtime to Node 24, aliyun/configure-aliyun-credentials-action#44).
 */
const OFFICIAL_INPUTS = ["oidc-provider-arn", "role-to-assume", "role-session-expiration", "role-session-name", "audience", "role-chaining"];
/** Steps that reach Aliyun: job.sh up/down (pulumi and the sweep) and the CLI's list/reap. */
const CALLS_ALIYUN = /job\.sh"? (up|down)\b|job\.sh "\$\{args\[@\]\}"|spot-runner(\.js)? (list|reap)|spot-runner\.js "\$\{args\[@\]\}"/;

interface Outcome {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly outputs: Record<string, string>;
  readonly env: string;
}

function runScript(script: string, env: Record<string, string>): Outcome {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aliyun-credentials-"));
  const output = path.join(dir, "output");
  const githubEnv = path.join(dir, "env");
  fs.writeFileSync(output, "");
  fs.writeFileSync(githubEnv, "");
  const r = spawnSync("bash", [path.join(CREDENTIALS_ACTION_DIR, script)], {
    env: { PATH: process.env.PATH, GITHUB_OUTPUT: output, GITHUB_ENV: githubEnv, ...env },
    encoding: "utf8",
  });
  const outputs = Object.fromEntries(
    fs.readFileSync(output, "utf8").split("\n").filter(Boolean).map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
  );
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, outputs, env: fs.readFileSync(githubEnv, "utf8") };
}

const ROLE = "acs:ram::1234567890123456:role/openresty-github-actions";
const PROVIDER = "acs:ram::1234567890123456:oidc-provider/openresty-github";
const job = { GITHUB_RUN_ID: "987654321", GITHUB_RUN_ATTEMPT: "2", GITHUB_JOB: "start" };
const withToken = { ACTIONS_ID_TOKEN_REQUEST_URL: "https://pipelines.actions.githubusercontent.com/token" };

describe("workflows: Aliyun credentials, keyless by default", function () {
  describe("in the workflows", () => {
    const aliyunSteps = () => allSteps().filter(({ step }) => CALLS_ALIYUN.test(String(step.run ?? "")));

    it("every job that calls Aliyun gets credentials from the one step, after npm ci and the CLI install, before any call", () => {
      const jobs = new Map<string, ReturnType<typeof aliyunSteps>>();
      for (const s of aliyunSteps()) jobs.set(`${s.file} ${s.job}`, [...(jobs.get(`${s.file} ${s.job}`) ?? []), s]);
      assert.deepEqual([...jobs.keys()].sort(), ["runner-image-check.yml start", "runner-image-check.yml stop", "spot-runner-build.yml start", "spot-runner-build.yml stop", "spot-runner-manager.yml manage", "spot-runner-reaper.yml reap"]);
      for (const [where, calls] of jobs) {
        const steps = calls[0]!.jobDoc.steps as Json[];
        const credentials = steps.findIndex((st) => st.uses === CREDENTIALS_USES);
        assert.ok(credentials >= 0, `${where}: no credentials step`);
        const npmCi = steps.findIndex((st) => /npm ci/.test(st.run ?? ""));
        const pulumi = steps.findIndex((st) => /^pulumi\/actions@/.test(st.uses ?? ""));
        assert.ok(npmCi >= 0 && credentials > npmCi, `${where}: credentials before npm ci would expose them to install scripts`);
        assert.ok(credentials > pulumi, `${where}: credentials before the CLI install`);
        for (const c of calls) assert.ok(c.index > credentials, `${where}: "${c.step.name}" runs before the credentials step`);
        assert.equal(calls[0]!.jobDoc.permissions["id-token"], "write", `${where}: needs id-token: write`);
        assert.deepEqual(steps[credentials]!.with, {
          mode: "${{ vars.SPOT_RUNNER_AUTH }}",
          "role-arn": "${{ vars.SPOT_RUNNER_ROLE_ARN }}",
          "oidc-provider-arn": "${{ vars.SPOT_RUNNER_OIDC_PROVIDER_ARN }}",
          audience: "${{ vars.SPOT_RUNNER_OIDC_AUDIENCE }}",
          "session-seconds": "${{ vars.SPOT_RUNNER_OIDC_SESSION_SECONDS }}",
          "access-key-id": "${{ secrets.ALIYUN_ACCESS_KEY_ID }}",
          "access-key-secret": "${{ secrets.ALIYUN_ACCESS_KEY_SECRET }}",
        });
      }
    });

    it("no step puts Aliyun keys in its environment: they arrive only through the credentials step", () => {
      for (const w of loadWorkflows()) {
        for (const { job: name, jobDoc, step } of stepsOf(w)) {
          const env = { ...(w.doc.env ?? {}), ...(jobDoc.env ?? {}), ...(step.env ?? {}) } as Json;
          for (const key of Object.keys(env)) assert.doesNotMatch(key, /^(ALIBABA_CLOUD_|ALICLOUD_)/, `${w.file} ${name}: ${key}`);
        }
      }
    });

    it("the callers grant the reusable workflow's jobs id-token: write", () => {
      for (const file of ["build-amd64.yml", "build-arm64.yml"]) {
        const w = loadWorkflows().find((x) => x.file === file)!;
        assert.equal(w.doc.jobs.build.permissions["id-token"], "write", file);
      }
    });
  });

  describe("the composite action", () => {
    it("pins Alibaba's official action by commit (v1.1.0, Node 24) and passes it only inputs it has", () => {
      const { doc, text } = credentialsAction();
      const exchange = (doc.runs.steps as Json[]).find((st) => String(st.uses ?? "").startsWith("aliyun/configure-aliyun-credentials-action@"))!;
      assert.equal(exchange.uses, OFFICIAL_ACTION);
      assert.match(text, new RegExp(`uses: ${OFFICIAL_ACTION.replace(/[/.]/g, "\\$&")} # v1\\.1\\.0\\n`));
      assert.equal(exchange.if, "${{ steps.choose.outputs.mode == 'oidc' }}");
      for (const input of Object.keys(exchange.with)) assert.ok(OFFICIAL_INPUTS.includes(input), `the official action has no input ${input}`);
      // Normalized values (defaults applied), never the raw inputs: an empty audience would make GitHub issue a token
      // for its own default audience, which the provider refuses.
      for (const value of Object.values(exchange.with)) assert.match(String(value), /^\$\{\{ steps\.choose\.outputs\.[\w-]+ \}\}$/);
      assert.equal(doc.runs.using, "composite");
      for (const line of text.split("\n")) {
        const m = /^\s*(?:-\s+)?uses:\s*(\S+)(.*)$/.exec(line);
        if (m) assert.match(`${m[1]}${m[2]}`, /^[\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/, line);
      }
    });

    it("its scripts pass shellcheck", () => {
      for (const script of ["choose.sh", "use-keys.sh"]) {
        const r = spawnSync("shellcheck", ["--shell=bash", path.join(CREDENTIALS_ACTION_DIR, script)], { encoding: "utf8" });
        assert.equal(r.status, 0, `${script}:\n${r.stdout}`);
      }
    });
  });

  describe("choosing (choose.sh)", () => {
    it("OIDC as soon as the role is set, with the defaults applied and a session name ActionTrail can trace", () => {
      const r = runScript("choose.sh", { ...job, ...withToken, ROLE_ARN: ROLE, PROVIDER_ARN: PROVIDER, HAS_ACCESS_KEY: "true" });
      assert.equal(r.status, 0, r.stdout);
      assert.deepEqual(r.outputs, {
        mode: "oidc",
        "role-arn": ROLE,
        "provider-arn": PROVIDER,
        audience: "sts.aliyuncs.com",
        "session-seconds": "3600",
        "session-name": "gha-987654321-2-start",
      });
      assert.match(r.stdout, /Aliyun credentials: OIDC role acs:ram::1234567890123456:role\/openresty-github-actions \(session gha-987654321-2-start, 3600s\)/);
    });

    it("the AccessKey without a role, or when SPOT_RUNNER_AUTH=keys says so", () => {
      for (const env of [{ HAS_ACCESS_KEY: "true" } as Record<string, string>, { MODE: "keys", ROLE_ARN: ROLE, PROVIDER_ARN: PROVIDER, HAS_ACCESS_KEY: "true" }, { MODE: "KEYS", HAS_ACCESS_KEY: "true" }]) {
        const r = runScript("choose.sh", { ...job, ...env });
        assert.equal(r.status, 0, r.stdout);
        assert.deepEqual(r.outputs, { mode: "keys" });
        assert.match(r.stdout, /the CI user's AccessKey/);
      }
    });

    it("takes the audience and session length from the variables", () => {
      const r = runScript("choose.sh", { ...job, ...withToken, ROLE_ARN: ROLE, PROVIDER_ARN: PROVIDER, AUDIENCE: "my-client", SESSION_SECONDS: "7200" });
      assert.equal(r.outputs.audience, "my-client");
      assert.equal(r.outputs["session-seconds"], "7200");
    });

    const refusals: Array<[string, Record<string, string>, RegExp[]]> = [
      ["no credentials of either kind", {}, [/no Aliyun credentials: set the SPOT_RUNNER_ROLE_ARN and SPOT_RUNNER_OIDC_PROVIDER_ARN variables .* or the ALIYUN_ACCESS_KEY_ID and ALIYUN_ACCESS_KEY_SECRET secrets/]],
      ["oidc without a role", { MODE: "oidc", ...withToken }, [/the SPOT_RUNNER_ROLE_ARN variable is '': set it to the infra stack's ciRoleArn output/, /SPOT_RUNNER_OIDC_PROVIDER_ARN variable is ''/]],
      ["a job without id-token: write", { ROLE_ARN: ROLE, PROVIDER_ARN: PROVIDER }, [/give it 'permissions: id-token: write'/]],
      ["a malformed provider ARN", { ...withToken, ROLE_ARN: ROLE, PROVIDER_ARN: "github" }, [/SPOT_RUNNER_OIDC_PROVIDER_ARN variable is 'github'/]],
      ["a session too short", { ...withToken, ROLE_ARN: ROLE, PROVIDER_ARN: PROVIDER, SESSION_SECONDS: "600" }, [/SPOT_RUNNER_OIDC_SESSION_SECONDS variable is '600': 900 to 43200/]],
      ["two audiences", { ...withToken, ROLE_ARN: ROLE, PROVIDER_ARN: PROVIDER, AUDIENCE: "a,b" }, [/SPOT_RUNNER_OIDC_AUDIENCE variable is 'a,b'/]],
      ["an unknown mode", { MODE: "sso" }, [/the SPOT_RUNNER_AUTH variable is 'sso': set it to oidc or keys/]],
      ["every problem at once", { MODE: "oidc", SESSION_SECONDS: "x" }, [/SPOT_RUNNER_ROLE_ARN/, /SPOT_RUNNER_OIDC_PROVIDER_ARN/, /SPOT_RUNNER_OIDC_SESSION_SECONDS/, /id-token: write/]],
    ];
    for (const [what, env, messages] of refusals) {
      it(`refuses ${what}, before anything is exchanged, naming what to set`, () => {
        const r = runScript("choose.sh", { ...job, ...env });
        assert.equal(r.status, 1);
        assert.deepEqual(r.outputs, {}, "no mode: the exchange and key steps are skipped");
        for (const m of messages) {
          assert.match(r.stderr, m);
          assert.match(r.stdout, new RegExp(`::error title=Aliyun credentials::.*${m.source}`));
        }
      });
    }

    it("a variable's value cannot forge a workflow command in the annotation", () => {
      const r = runScript("choose.sh", { ...job, MODE: "x\n::add-mask::y" });
      assert.equal(r.status, 1);
      assert.doesNotMatch(r.stdout, /^::add-mask::/m);
      assert.match(r.stdout, /%0A::add-mask::y/);
    });
  });

  describe("the AccessKey fallback (use-keys.sh)", () => {
    it("hands the key to the later steps as ALIBABA_CLOUD_ACCESS_KEY_ID/_SECRET", () => {
      const r = runScript("use-keys.sh", { ACCESS_KEY_ID: "LTAI5tExample", ACCESS_KEY_SECRET: "ExampleSecret" });
      assert.equal(r.status, 0, r.stdout);
      assert.equal(r.env, "ALIBABA_CLOUD_ACCESS_KEY_ID=LTAI5tExample\nALIBABA_CLOUD_ACCESS_KEY_SECRET=ExampleSecret\n");
      assert.equal(r.stdout + r.stderr, "", "prints nothing, the secret least of all");
    });

    it("refuses a value with a line break, which could forge other variables", () => {
      const r = runScript("use-keys.sh", { ACCESS_KEY_ID: "LTAI5tExample", ACCESS_KEY_SECRET: "secret\nNODE_OPTIONS=--require=/tmp/x" });
      assert.equal(r.status, 1);
      assert.equal(r.env, "");
      assert.match(r.stdout, /the ALIYUN_ACCESS_KEY_SECRET secret is empty or spans lines/);
      assert.doesNotMatch(r.stdout, /NODE_OPTIONS/);
    });
  });
});
