import * as pulumi from "@pulumi/pulumi";
import { InfraStack } from "../../infra/program";

export interface RecordedResource {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, any>;
}

export const MOCK_ACCOUNT_ID = "1234567890123456";

/** Mocks that record every registration and fill in the outputs the cloud would compute. */
export function recordingMocks(recorded: RecordedResource[]): pulumi.runtime.Mocks {
  return {
    newResource(args) {
      recorded.push({ type: args.type, name: args.name, inputs: args.inputs });
      const state: Record<string, unknown> = { ...args.inputs };
      if (args.type === "alicloud:ram/policy:Policy") state.type = "Custom";
      if (args.type === "alicloud:ram/accessKey:AccessKey") state.secret = "mock-access-key-secret";
      // What RAM computes: the ARNs (account id 1234567890123456 in every mock).
      if (args.type === "alicloud:ims/oidcProvider:OidcProvider") state.arn = `acs:ram::${MOCK_ACCOUNT_ID}:oidc-provider/${args.inputs.oidcProviderName}`;
      if (args.type === "alicloud:ram/role:Role") state.arn = `acs:ram::${MOCK_ACCOUNT_ID}:role/${args.inputs.roleName}`;
      return { id: `${args.name}-id`, state };
    },
    call: (args) => args.inputs,
  };
}

export const valueOf = <T>(output: pulumi.Output<T>): Promise<T> => new Promise<T>((resolve) => output.apply(resolve));

/**
 * Waits until every resource of the stack has been registered with the mocks and every output resolved, so
 * the recording is complete before a test inspects it.
 */
export async function settle(stack: InfraStack): Promise<void> {
  const { network, identity, ciRole, outputs } = stack;
  const resources: pulumi.CustomResource[] = [
    network.vpc,
    ...network.vSwitches,
    network.securityGroup,
    ...network.sshRules,
    identity.policy,
    ...([identity.user, identity.attachment, identity.accessKey, ciRole?.provider, ciRole?.role, ciRole?.attachment] as (pulumi.CustomResource | undefined)[]).filter(
      (r): r is pulumi.CustomResource => r !== undefined,
    ),
  ];
  await Promise.all(resources.flatMap((r) => [valueOf(r.urn), valueOf(r.id)]));
  await Promise.all(
    Object.values(outputs).map((o) => (pulumi.Output.isInstance(o) ? valueOf(o as pulumi.Output<unknown>) : o)),
  );
}
