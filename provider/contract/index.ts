/**
 * The input contract: every SpotRunner input and naming rule, defined once. Light on purpose (zod and plain
 * functions, no SDK): the runner stack, the CLI's flag parsing and job.sh's checks load it on their own.
 */
export * from "./arch";
export * from "./names";
export { checkInputs, didYouMean, INPUT_KEYS, INPUT_SPECS, inputsReferenceTable, TTL_RANGE } from "./inputs";
export type { InputFailure, InputKey, InputSpec, SpotRunnerInputs, TextKind } from "./inputs";
export * from "./text";
export { RUNNER_STACK_OUTPUTS } from "./outputs";
export type { RunnerStackOutputKey } from "./outputs";
