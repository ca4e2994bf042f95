import { AliyunApiError, GitHubApiError, InvalidEnvironmentError, MissingEnvironmentError } from "../provider/errors";

/**
 * The one line a command prints for a failure the user can fix (exit code 1): a missing or unusable variable, a
 * credential or permission refusal, an endpoint that cannot be reached. undefined for anything else: a programming
 * error keeps its stack trace.
 */
export function failureLine(err: unknown): string | undefined {
  if (err instanceof MissingEnvironmentError || err instanceof InvalidEnvironmentError) return oneLine(err.message);
  if (err instanceof AliyunApiError) {
    if (err.kind === "credentials") {
      return (
        `ECS rejected the AccessKey (${err.code}): check ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET ` +
        `(or ALICLOUD_ACCESS_KEY and ALICLOUD_SECRET_KEY), and ALIBABA_CLOUD_ECS_ENDPOINT if set.`
      );
    }
    if (err.kind === "permission") {
      return `RAM denied ecs:${err.action} (${err.code}): allow ecs:${err.action} in the policy of the RAM user whose AccessKey is set.`;
    }
    return oneLine(err.message);
  }
  if (err instanceof GitHubApiError) return oneLine(err.message);
  return undefined;
}

function oneLine(text: string): string {
  return text.split("\n")[0];
}
