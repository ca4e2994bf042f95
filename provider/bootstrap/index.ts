/**
 * The runner bootstrap: the user data that turns a fresh spot instance into a one-job GitHub Actions runner
 * and powers it off when the job is done or anything goes wrong. See docs/bootstrap.md.
 */
export type { BootstrapInput } from "./input";
export { PINNED_RUNNER } from "./pinnedRunner";
export { renderBootstrapScript, USER_DATA_LIMIT_BYTES } from "./renderScript";
