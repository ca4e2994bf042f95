/** The library: the SpotRunner resource, and the pieces a program or tool may want on their own. */
export { SpotRunner, SpotRunnerArgs } from "./spotRunner";
export type { SpotRunnerOutputs } from "./spotRunnerProvider";
export { ALIYUN_ACTIONS, ALL_ALIYUN_ACTIONS } from "./permissions";
export { TAG_KEYS, MANAGED_BY_VALUE } from "./tags";
export { RunnerImage, RunnerImageArgs } from "./image/runnerImage";
export type { RunnerImageOutputs } from "./image/bakeImage";
export { DEFAULT_BUILDKIT_IMAGE } from "./bake/renderBakeScript";
