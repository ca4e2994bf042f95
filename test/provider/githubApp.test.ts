import * as assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { smallScenario } from "../../emulator/scenario/small";
import type { Scenario } from "../../emulator/scenario/types";
import { MissingEnvironmentError } from "../../provider/errors";
import { Harness, startHarness } from "./support/harness";

const APP_ID = 424242;
const INSTALLATION_ID = 77;

// One key pair for the file: RSA generation is slow-ish.
const keys = generateKeyPairSync("rsa", { modulusLength: 2048, publicKeyEncoding: { type: "spki", format: "pem" }, privateKeyEncoding: { type: "pkcs8", format: "pem" } });

/** The small scenario with an App installed on its repository and no token at all: only the App can get in. */
function appOnlyScenario(): Scenario {
  const base = smallScenario();
  return {
    ...base,
    github: { ...base.github, tokens: [], apps: [{ appId: APP_ID, publicKey: keys.publicKey, installations: [{ installationId: INSTALLATION_ID, scopes: [base.github.repos[0]] }] }] },
  };
}

/** App credentials as CI secrets often carry them: the key on one line, with literal "\n" for its line breaks. */
const APP_ENV = {
  GITHUB_TOKEN: "",
  GITHUB_APP_ID: String(APP_ID),
  GITHUB_APP_PRIVATE_KEY: keys.privateKey.replace(/\n/g, "\\n"),
  GITHUB_APP_INSTALLATION_ID: String(INSTALLATION_ID),
};

describe("SpotRunner provider with GitHub App credentials", function () {
  let h: Harness;
  afterEach(async () => h?.close());

  it("creates a runner that comes online and deletes it, authenticating as the App installation", async () => {
    assert.ok(!APP_ENV.GITHUB_APP_PRIVATE_KEY.includes("\n"), "the key is on one line");
    h = await startHarness({ scenario: appOnlyScenario(), env: APP_ENV });
    const { id, outs } = await h.provider.create(h.props());
    const runner = h.emu.admin.state().runners.find((r) => r.name === outs.runnerName);
    assert.equal(runner?.status, "online");

    await h.provider.delete(id, outs);
    assert.deepEqual(h.leftovers(), { instances: [], runners: [] });

    const github = h.emu.admin.calls().filter((c) => c.api === "github");
    const exchanges = github.filter((c) => c.action === `POST /app/installations/${INSTALLATION_ID}/access_tokens` && c.status === 201);
    // One installation token for the create and one for the delete, not one per GitHub call.
    assert.equal(exchanges.length, 2, "the App traded its JWT for a token once per operation");
    assert.deepEqual(github.filter((c) => c.status === 401 || c.status === 403), [], "no call was refused");
    const text = JSON.stringify(outs);
    assert.ok(!text.includes("ghs_") && !text.includes(keys.privateKey.split("\n")[1]), "no credential in the outputs");
  });

  const incomplete: [missing: string, env: Record<string, string>][] = [
    ["GITHUB_APP_INSTALLATION_ID", { ...APP_ENV, GITHUB_APP_INSTALLATION_ID: "" }],
    ["GITHUB_APP_PRIVATE_KEY", { ...APP_ENV, GITHUB_APP_PRIVATE_KEY: " " }],
    ["GITHUB_APP_ID", { ...APP_ENV, GITHUB_APP_ID: "" }],
  ];
  for (const [missing, env] of incomplete) {
    it(`fails before any call when ${missing} is missing, naming it`, async () => {
      h = await startHarness({ scenario: appOnlyScenario(), env });
      await assert.rejects(h.provider.create(h.props()), (err: unknown) => {
        assert.ok(err instanceof MissingEnvironmentError, String(err));
        assert.deepEqual(err.variables, [missing]);
        assert.match(err.message, new RegExp(`GitHub App credentials are incomplete: ${missing} not set`));
        return true;
      });
      assert.equal(h.emu.admin.calls().length, 0);
    });
  }

  it("does not fall back to GITHUB_TOKEN when the App variables are incomplete", async () => {
    // A token that would work: half-set App variables are a mistake to report, not a reason to switch identity.
    h = await startHarness({ env: { GITHUB_APP_ID: String(APP_ID) } });
    assert.ok(h.emu.env.GITHUB_TOKEN, "the default scenario's token is in the environment");
    await assert.rejects(h.provider.create(h.props()), (err: unknown) =>
      err instanceof MissingEnvironmentError && err.variables.join() === "GITHUB_APP_PRIVATE_KEY,GITHUB_APP_INSTALLATION_ID");
    assert.equal(h.emu.admin.calls().length, 0);
  });
});
