import * as pulumi from "@pulumi/pulumi";
import { InfraStack } from "../../infra/program";

export interface RecordedResource {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, any>;
}

/** Mocks that record every registration and fill in the outputs the cloud would compute. */
export function recordingMocks(recorded: RecordedResource[]): pulumi.runtime.Mocks {
  return {
    newResource(args) {
      recorded.push({ type: args.type, name: args.name, inputs: args.inputs });
      const state: Record<string, unknown> = { ...args.inputs };
      if (args.type === "alicloud:ram/policy:Policy") state.type = "Custom";
      if (args.type === "alicloud:ram/accessKey:AccessKey") state.secret = "mock-access-key-secret";
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
  const { network, identity, outputs } = stack;
  const resources: pulumi.CustomResource[] = [
    network.vpc,
    ...network.vSwitches,
    network.securityGroup,
    ...network.sshRules,
    identity.policy,
    identity.user,
    identity.attachment,
    ...(identity.accessKey ? [identity.accessKey] : []),
  ];
  await Promise.all(resources.flatMap((r) => [valueOf(r.urn), valueOf(r.id)]));
  await Promise.all(
    Object.values(outputs).map((o) => (pulumi.Output.isInstance(o) ? valueOf(o as pulumi.Output<unknown>) : o)),
  );
}
