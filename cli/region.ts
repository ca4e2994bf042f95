import { DEFAULT_REGION_ID } from "../provider/advisor/defaults";
import { REGION } from "../provider/contract/names";
import { UsageError } from "./io";

/** Where the CLI looks when --region is not given: the workflows set it from a repository variable. */
export const REGION_VARIABLE = "SPOT_RUNNER_REGION";
export { DEFAULT_REGION_ID };

/**
 * The one region rule of every command: --region, else SPOT_RUNNER_REGION, else cn-hangzhou (the guide's region).
 * A flag given empty is a mistake (a script's unset variable), not a request for the default; the variable set
 * empty is how GitHub passes an unset repository variable, so it counts as unset. Whichever wins is checked with
 * the naming rule, and the error names where the value came from.
 */
export function regionFrom(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  if (flag !== undefined) {
    const value = flag.trim();
    if (value === "") throw new UsageError(`--region: empty; give a region id such as ${DEFAULT_REGION_ID}, or omit the flag for $${REGION_VARIABLE} or ${DEFAULT_REGION_ID}`);
    const problem = REGION.problem(value);
    if (problem) throw new UsageError(`--region: ${problem}`);
    return value;
  }
  const fromEnv = env[REGION_VARIABLE]?.trim();
  if (fromEnv) {
    const problem = REGION.problem(fromEnv);
    if (problem) throw new UsageError(`${REGION_VARIABLE}: ${problem}`);
    return fromEnv;
  }
  return DEFAULT_REGION_ID;
}
