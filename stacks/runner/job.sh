#!/usr/bin/env bash
# The one script the GitHub Actions workflows call to drive a per-job runner stack (this directory, Pulumi
# project spot-runner-job). The logic lives here, not in YAML, so the workflows stay short and the behaviour
# can be tested: with the real Pulumi CLI against the emulator (test/e2e), and with a fake `pulumi` on PATH for
# what the real one cannot produce offline (test/stacks/jobScript.test.ts).
#
#   job.sh up <stack> --arch amd64|arm64 [--set key=value]... [--outputs-file FILE]
#   job.sh down <stack> --arch amd64|arm64 [--set key=value]... [--outputs-file FILE]
#   job.sh stacks                  list the runner stacks in the backend
#   job.sh check-backend <stack>   create and remove a throwaway stack: proves login, locking and writes work
#   job.sh region                  print the infra stack's region (where the runners, the sweep and the reaper are)
#
# Exit codes: 0 done; 1 something failed (the message says what and what to do); 2 bad arguments or settings.
# See docs/workflows.md for the environment it reads and why it does each step.
set -euo pipefail

RUNNER_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$RUNNER_DIR/../.." && pwd)
readonly RUNNER_DIR REPO_ROOT
# What a DIY backend calls the infra stack when nobody says otherwise (project-scoped DIY stacks live under
# the fixed organization name "organization").
readonly DEFAULT_DIY_INFRA_STACK="organization/spot-runner-infra/prod"
# Stack output -> step output (GITHUB_OUTPUT) names come from the input contract's RUNNER_STACK_OUTPUTS
# (provider/contract/outputs.ts, the package's "aliyun-spot-runner/contract"), the one list the stack exports too.

usage() {
  sed -n '7,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

log() { printf 'job.sh: %s\n' "$*" >&2; }

# Errors go to stderr and, inside GitHub Actions, also become an annotation on the run page.
error() {
  printf 'job.sh: error: %s\n' "$*" >&2
  if [[ "${GITHUB_ACTIONS:-}" == "true" ]]; then
    local text=$*
    text=${text//'%'/'%25'}
    text=${text//$'\r'/'%0D'}
    text=${text//$'\n'/'%0A'}
    printf '::error title=spot runner::%s\n' "$text"
  fi
}

fail() { error "$1"; exit "${2:-1}"; }
usage_error() { error "$1 (run job.sh --help for usage)"; exit 2; }

# ---------------------------------------------------------------------------------------------------------
# Arguments and settings

STACK=""
ARCH=""
OUTPUTS_FILE=""
SETTINGS=()

parse_stack_args() {
  while (($# > 0)); do
    case "$1" in
      --arch) (($# >= 2)) || usage_error "--arch needs a value"; ARCH=$2; shift 2 ;;
      --arch=*) ARCH=${1#*=}; shift ;;
      --set) (($# >= 2)) || usage_error "--set needs key=value"; SETTINGS+=("$2"); shift 2 ;;
      --set=*) SETTINGS+=("${1#*=}"); shift ;;
      --outputs-file) (($# >= 2)) || usage_error "--outputs-file needs a path"; OUTPUTS_FILE=$2; shift 2 ;;
      --outputs-file=*) OUTPUTS_FILE=${1#*=}; shift ;;
      -h | --help) usage; exit 0 ;;
      -*) usage_error "unknown option $1" ;;
      *)
        [[ -z "$STACK" ]] || usage_error "unexpected argument $1"
        STACK=$1
        shift
        ;;
    esac
  done
}

# Stack names travel into backend paths and instance tags; Pulumi's own rule, checked before any call.
require_stack_name() {
  [[ -n "$STACK" ]] || usage_error "give the stack name, e.g. gha-\$GITHUB_RUN_ID-\$GITHUB_RUN_ATTEMPT-amd64"
  [[ "$STACK" =~ ^[A-Za-z0-9_.-]{1,100}$ ]] ||
    usage_error "stack name '$STACK' is not valid: use 1-100 letters, digits, '_', '.' or '-'"
}

require_arch() {
  case "$ARCH" in
    amd64 | arm64) ;;
    "") usage_error "give --arch amd64 or --arch arm64" ;;
    *) usage_error "--arch '$ARCH' is not supported: use amd64 or arm64" ;;
  esac
}

# A DIY backend (s3://, file://, gs://, azblob://...) encrypts with a passphrase; Pulumi Cloud (no URL, or an
# https:// URL) keeps the key itself.
is_diy_backend() {
  case "${PULUMI_BACKEND_URL:-}" in
    "" | https://* | http://*) return 1 ;;
    *) return 0 ;;
  esac
}

# The runner stack's configuration, as key -> value. Built the same way by `up` and `down`, so the stop job
# (another machine, without the start job's Pulumi.<stack>.yaml) can rebuild the file that destroy needs.
declare -A CONFIG=()

infra_stack_name() {
  local infra=${SPOT_RUNNER_INFRA_STACK:-}
  if [[ -z "$infra" ]] && is_diy_backend; then infra=$DEFAULT_DIY_INFRA_STACK; fi
  printf '%s' "$infra"
}

build_config() { # $1 = strict (up: every required value must be known) or lenient (down: best effort)
  local mode=$1 image_var infra
  image_var="SPOT_RUNNER_IMAGE_ID_${ARCH^^}"
  infra=$(infra_stack_name)

  CONFIG[arch]=$ARCH
  [[ -n "$infra" ]] && CONFIG[infraStack]=$infra
  [[ -n "${!image_var:-}" ]] && CONFIG[imageId]=${!image_var}
  [[ -n "${GITHUB_REPOSITORY:-}" ]] && CONFIG[githubRepository]=$GITHUB_REPOSITORY
  [[ -n "${GITHUB_RUN_ID:-}" ]] && CONFIG[runId]=$GITHUB_RUN_ID

  # SPOT_RUNNER_SETTINGS (one key=value a line, from a workflow input) first, then --set: the flag wins.
  local line
  if [[ -n "${SPOT_RUNNER_SETTINGS:-}" ]]; then
    while IFS= read -r line || [[ -n "$line" ]]; do
      line=${line%$'\r'}
      line="${line#"${line%%[![:space:]]*}"}"
      [[ -z "$line" || "$line" == \#* ]] && continue
      add_setting "$line" "SPOT_RUNNER_SETTINGS"
    done <<<"$SPOT_RUNNER_SETTINGS"
  fi
  local pair
  for pair in "${SETTINGS[@]+"${SETTINGS[@]}"}"; do add_setting "$pair" "--set"; done
  # A runner registers to a repository or to an organization, never both.
  if [[ -n "${CONFIG[githubOrganization]:-}" ]]; then unset 'CONFIG[githubRepository]'; fi
  [[ "${CONFIG[arch]}" == "$ARCH" ]] || usage_error "arch is set by --arch, not by a setting"

  if [[ "$mode" == strict ]]; then
    local missing=()
    [[ -n "${CONFIG[infraStack]:-}" ]] || missing+=("SPOT_RUNNER_INFRA_STACK (the infra stack, e.g. <org>/spot-runner-infra/prod)")
    [[ -n "${CONFIG[imageId]:-}" ]] || missing+=("$image_var (the $ARCH image id)")
    [[ -n "${CONFIG[githubRepository]:-}${CONFIG[githubOrganization]:-}" ]] ||
      missing+=("GITHUB_REPOSITORY (or --set githubOrganization=<org>)")
    if ((${#missing[@]} > 0)); then
      local joined
      joined=$(printf '%s; ' "${missing[@]}")
      fail "missing settings: ${joined%; }. Set them as repository variables (see docs/workflows.md)." 2
    fi
  fi
}

add_setting() { # $1 = key=value, $2 = where it came from (for the message)
  local pair=$1 key value
  [[ "$pair" == *=* ]] || usage_error "$2: '$pair' is not key=value"
  key=${pair%%=*}
  value=${pair#*=}
  # Keys become `pulumi config` keys of this project; a namespace or flag-like key is a mistake.
  [[ "$key" =~ ^[A-Za-z][A-Za-z0-9]*$ ]] ||
    usage_error "$2: '$key' is not a runner setting name (letters and digits, e.g. minCpu; see stacks/runner/config.ts)"
  CONFIG[$key]=$value
}

config_pairs() { # the config as key=value words, sorted so every run is identical
  local key
  while IFS= read -r key; do
    [[ -n "$key" ]] && printf '%s=%s\n' "$key" "${CONFIG[$key]}"
  done < <(printf '%s\n' "${!CONFIG[@]}" | LC_ALL=C sort)
}

apply_config() {
  local args=(config set-all --stack "$STACK" --non-interactive) pair
  while IFS= read -r pair; do args+=(--plaintext "$pair"); done < <(config_pairs)
  pulumi "${args[@]}"
}

default_outputs_file() {
  printf '%s/spot-runner-%s.outputs.json' "${RUNNER_TEMP:-${TMPDIR:-/tmp}}" "$STACK"
}

# ---------------------------------------------------------------------------------------------------------
# Backend

require_pulumi() {
  command -v pulumi >/dev/null 2>&1 ||
    fail "the pulumi CLI is not on PATH: install it first (workflows: pulumi/actions with a pinned pulumi-version)"
}

require_backend_credentials() {
  if is_diy_backend; then
    # Required even though the runner stack holds no secrets: `stack init` needs it, and start and stop jobs
    # must agree on it. An unset GitHub secret arrives as "", which Pulumi would silently accept as a passphrase.
    [[ -n "${PULUMI_CONFIG_PASSPHRASE:-}" || -n "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]] ||
      fail "PULUMI_CONFIG_PASSPHRASE is empty: a DIY backend (${PULUMI_BACKEND_URL%%\?*}) encrypts stack state with a passphrase. Add the PULUMI_CONFIG_PASSPHRASE secret (any long random string, the same in every job)."
  else
    [[ -n "${PULUMI_ACCESS_TOKEN:-}" ]] ||
      fail "neither PULUMI_BACKEND_URL nor PULUMI_ACCESS_TOKEN is set: set the PULUMI_BACKEND_URL variable for a DIY backend (e.g. s3://bucket?endpoint=s3.oss-cn-hangzhou.aliyuncs.com&region=cn-hangzhou) or the PULUMI_ACCESS_TOKEN secret for Pulumi Cloud."
  fi
}

pulumi_login() {
  require_backend_credentials
  if is_diy_backend; then
    pulumi login --non-interactive "$PULUMI_BACKEND_URL"
  else
    pulumi login --non-interactive ${PULUMI_BACKEND_URL:+"$PULUMI_BACKEND_URL"}
  fi
}

select_or_create_stack() {
  local args=(stack select --create --non-interactive "$STACK")
  if is_diy_backend; then args+=(--secrets-provider passphrase); fi
  pulumi "${args[@]}"
}

# 0 = selected, 1 = no such stack, 2 = could not tell (message printed).
select_existing_stack() {
  local out
  if out=$(pulumi stack select --non-interactive "$STACK" 2>&1); then return 0; fi
  if grep -qiE "no stack named|stack .* not found|does not exist" <<<"$out"; then return 1; fi
  printf '%s\n' "$out" >&2
  return 2
}

# ---------------------------------------------------------------------------------------------------------
# up

# GitHub cancels a step by signalling only the step's own process, not its process group: SIGINT, then SIGTERM
# 7.5 s later, then SIGKILL 2.5 s after that (actions/runner, src/Runner.Sdk/ProcessInvoker.cs). The workflows
# `exec` this script, so that process is this shell (run as a child of the step's shell, it would never hear
# of the cancellation). Pass the signal on so pulumi can stop cleanly and save its state (with a pending create
# that `down` clears) instead of being killed with the lock held.
# A background child of a script starts with SIGINT and SIGQUIT ignored, and passes that on to every process it
# starts. Pulumi stops its plugins with SIGINT and waits 5 s before it kills one that ignores it, so an
# inherited "ignore" cost 5 s at the end of every `up` (measured); the subshell restores the defaults first.
CHILD_PID=""
INTERRUPTED=""
forward_signal() {
  INTERRUPTED=$1
  if [[ -n "$CHILD_PID" ]]; then kill -s "$1" "$CHILD_PID" 2>/dev/null || true; fi
}

run_pulumi_forwarding_signals() {
  local rc=0
  trap 'forward_signal INT' INT
  trap 'forward_signal TERM' TERM
  (
    trap - INT QUIT
    exec pulumi "$@"
  ) &
  CHILD_PID=$!
  wait "$CHILD_PID" || rc=$?
  # `wait` returns early when a trapped signal arrives; wait again for the child's own exit status.
  while kill -0 "$CHILD_PID" 2>/dev/null; do
    rc=0
    wait "$CHILD_PID" || rc=$?
  done
  CHILD_PID=""
  trap - INT TERM
  return "$rc"
}

write_step_outputs() { # $1 = stack outputs JSON file; appends name=value lines to GITHUB_OUTPUT (or stdout)
  local target=${GITHUB_OUTPUT:-/dev/stdout}
  node - "$1" "$STACK" "$REPO_ROOT" >>"$target" <<'NODE'
const fs = require("node:fs");
const [file, stack, root] = process.argv.slice(2);
const { RUNNER_STACK_OUTPUTS } = require(require.resolve("aliyun-spot-runner/contract", { paths: [root] }));
const outputs = JSON.parse(fs.readFileSync(file, "utf8"));
const label = outputs.label;
if (typeof label !== "string" || !/^[A-Za-z0-9._-]+$/.test(label)) {
  console.error(`job.sh: error: the stack has no usable label output (got ${JSON.stringify(label)}); check stacks/runner/index.ts exports label`);
  process.exit(1);
}
const lines = [`stack=${stack}`];
for (const { key, step: name } of RUNNER_STACK_OUTPUTS) {
  const value = outputs[key] === undefined || outputs[key] === null ? "" : String(outputs[key]);
  // One line per output: a newline would let a value forge other outputs.
  if (/[\r\n]/.test(value)) { console.error(`job.sh: error: stack output ${key} spans lines`); process.exit(1); }
  lines.push(`${name}=${value}`);
}
process.stdout.write(lines.join("\n") + "\n");
NODE
}

cmd_up() {
  parse_stack_args "$@"
  require_stack_name
  require_arch
  build_config strict
  require_pulumi
  local outputs_file=${OUTPUTS_FILE:-$(default_outputs_file)}
  cd "$RUNNER_DIR"

  pulumi_login || fail "pulumi login failed (${PULUMI_BACKEND_URL:-Pulumi Cloud}): check the backend URL and its credentials"
  select_or_create_stack || fail "could not select or create stack $STACK: see the pulumi error above"
  apply_config || fail "could not write the configuration of stack $STACK: see the pulumi error above"

  log "bringing up the $ARCH runner (stack $STACK); this returns once the runner is online"
  if ! run_pulumi_forwarding_signals up --stack "$STACK" --yes --skip-preview --non-interactive; then
    if [[ -n "$INTERRUPTED" ]]; then
      fail "pulumi up was interrupted (SIG$INTERRUPTED) for stack $STACK; the stop job (job.sh down $STACK) removes whatever was created"
    fi
    fail "pulumi up failed for stack $STACK (see the error above: capacity, price, permissions or a runner that never came online). Nothing is left running once the stop job (job.sh down $STACK) has run."
  fi

  mkdir -p "$(dirname "$outputs_file")"
  pulumi stack output --stack "$STACK" --json >"$outputs_file" ||
    fail "could not read the outputs of stack $STACK after a successful up: see the pulumi error above"
  write_step_outputs "$outputs_file" || fail "could not write the step outputs of stack $STACK (see above)"
  log "runner is online; outputs in $outputs_file"
}

# ---------------------------------------------------------------------------------------------------------
# down

# Clears what a cancelled `up` leaves behind in state (a pending create blocks destroy). Only when there is
# something to clear: a refresh loads the provider and reads every resource, about 5 s that a normal stop job
# does not need (destroy of a runner whose instance is already gone succeeds anyway). Preferred: refresh, which
# also drops resources that no longer exist. Fallback: edit the pending operations out of the state.
clear_pending_operations() {
  local state pending rc=0
  state=$(mktemp "${TMPDIR:-/tmp}/spot-runner-state.XXXXXX")
  if pulumi stack export --stack "$STACK" --file "$state" && pending=$(pending_operation_count "$state") && [[ "$pending" == "0" ]]; then
    rm -f "$state"
    return 0
  fi
  if pulumi refresh --stack "$STACK" --clear-pending-creates --yes --skip-preview --non-interactive; then
    rm -f "$state"
    return 0
  fi
  log "refresh failed; clearing pending operations through stack export/import instead"
  drop_pending_operations "$state" || rc=$?
  rm -f "$state"
  return "$rc"
}

pending_operation_count() { # $1 = exported state
  node -e '
    const state = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"));
    console.log(((state.deployment || {}).pending_operations || []).length);
  ' "$1"
}

drop_pending_operations() { # $1 = scratch file for the exported state
  pulumi stack export --stack "$STACK" --file "$1" || return 1
  local dropped
  dropped=$(node -e '
    const fs = require("node:fs");
    const file = process.argv[1];
    const state = JSON.parse(fs.readFileSync(file, "utf8"));
    const deployment = state.deployment || {};
    const count = (deployment.pending_operations || []).length;
    delete deployment.pending_operations;
    fs.writeFileSync(file, JSON.stringify(state));
    console.log(count);
  ' "$1") || return 1
  if [[ "$dropped" != "0" ]]; then
    pulumi stack import --stack "$STACK" --file "$1" || return 1
    log "dropped $dropped pending operation(s); an instance they had started is released by the reap below"
  fi
}

cmd_down() {
  parse_stack_args "$@"
  require_stack_name
  require_arch
  build_config lenient
  local outputs_file=${OUTPUTS_FILE:-$(default_outputs_file)}
  local failures=()
  mkdir -p "$(dirname "$outputs_file")"
  cd "$RUNNER_DIR"

  # Pulumi state first: destroy is the normal path. Every step is attempted; failures are collected, because
  # whatever happens here the reap below must still run.
  if ! command -v pulumi >/dev/null 2>&1; then
    failures+=("the pulumi CLI is not on PATH, so the stack could not be destroyed")
  elif ! (pulumi_login); then
    failures+=("pulumi login failed (${PULUMI_BACKEND_URL:-Pulumi Cloud}), so stack $STACK could not be destroyed: fix the backend settings, then run the Spot Runner Manager's destroy for $STACK")
  else
    local found=0
    select_existing_stack || found=$?
    case "$found" in
      1)
        log "stack $STACK does not exist (up never ran, or failed before creating it): nothing to destroy"
        printf '{}\n' >"$outputs_file"
        ;;
      2)
        failures+=("could not tell whether stack $STACK exists (see the pulumi error above)")
        ;;
      0)
        destroy_stack "$outputs_file" || failures+=("$DESTROY_FAILURE")
        ;;
    esac
  fi

  # Always: the state-independent sweep. An instance a cancelled `up` launched may never have reached state. It
  # searches the runners' region (the CLI reads SPOT_RUNNER_REGION): the runner stack's own output, else the
  # infra stack's (`up` may have been cancelled before any output existed).
  local region
  region=$(stack_output_region "$outputs_file")
  if [[ -z "$region" && -n "${CONFIG[infraStack]:-}" ]]; then region=$(infra_region "${CONFIG[infraStack]}"); fi
  if [[ -z "$region" ]]; then
    # Not a failure: `up` reads the same infra stack, so with it unreadable it launched nothing to sweep.
    region=${SPOT_RUNNER_REGION:-cn-hangzhou}
    log "warning: could not read the region from stack $STACK or the infra stack ${CONFIG[infraStack]:-(SPOT_RUNNER_INFRA_STACK is not set)}; sweeping $region. If the runners live elsewhere, run the Aliyun Spot Runner Reaper workflow"
  fi
  log "sweeping instances and runners tagged with stack $STACK in $region"
  if ! (cd "$REPO_ROOT" && SPOT_RUNNER_REGION=$region npx --no -- spot-runner reap --stack "$STACK" --yes); then
    failures+=("spot-runner reap --stack $STACK failed: something may still be running; the scheduled reaper retries, or run the Aliyun Spot Runner Reaper workflow now")
  fi

  if ((${#failures[@]} > 0)); then
    local f
    for f in "${failures[@]}"; do error "$f"; done
    exit 1
  fi
  log "stack $STACK is destroyed and removed; nothing is left running"
}

DESTROY_FAILURE=""
destroy_stack() { # $1 = where to save the outputs (for the cost summary)
  # The Pulumi.<stack>.yaml of the start job is not here. Restore it from the last deployment if there is one
  # (this also restores its encryption salt), then write the same settings `up` wrote: destroy validates the
  # project's required config (infraStack, arch, imageId) even though it does not run the program.
  pulumi config refresh --stack "$STACK" --force --non-interactive >/dev/null 2>&1 ||
    log "no previous deployment to restore the stack configuration from; writing it from the settings"
  apply_config || log "could not write the stack configuration; destroy may ask for it (see above)"

  pulumi stack output --stack "$STACK" --json >"$1" 2>/dev/null || printf '{}\n' >"$1"

  # A job killed mid-update leaves the stack locked. Only the start job ever ran an update on this stack and
  # it has finished, so removing its lock cannot break a live update.
  pulumi cancel --stack "$STACK" --yes --non-interactive >/dev/null 2>&1 || true

  if ! clear_pending_operations; then
    log "could not clear pending operations of stack $STACK; trying destroy anyway"
  fi
  if ! pulumi destroy --stack "$STACK" --yes --skip-preview --non-interactive --remove; then
    DESTROY_FAILURE="pulumi destroy failed for stack $STACK (see the error above); the stack is kept so it can be retried with the Spot Runner Manager's destroy for $STACK"
    return 1
  fi
}

stack_output_region() { # $1 = saved stack outputs JSON; prints the region output, or nothing
  [[ -s "$1" ]] || return 0
  node -e '
    const r = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8")).region;
    if (typeof r === "string" && /^[a-z]{2}(-[a-z0-9]+)+$/.test(r)) process.stdout.write(r);
  ' "$1" 2>/dev/null || true
}

infra_region() { # $1 = infra stack; prints its region output, or nothing (the caller says what that means)
  local region
  region=$(pulumi stack output --stack "$1" region --non-interactive 2>/dev/null) || return 0
  if [[ "$region" =~ ^[a-z]{2}(-[a-z0-9]+)+$ ]]; then printf '%s' "$region"; fi
}

# ---------------------------------------------------------------------------------------------------------
# stacks, check-backend, region

cmd_stacks() {
  (($# == 0)) || usage_error "stacks takes no arguments"
  require_pulumi
  cd "$RUNNER_DIR"
  pulumi_login || fail "pulumi login failed (${PULUMI_BACKEND_URL:-Pulumi Cloud}): check the backend URL and its credentials"
  pulumi stack ls --non-interactive || fail "could not list the runner stacks: see the pulumi error above"
}

# The pinned-CLI caveat for S3-compatible stores (OSS among them) shows up as failed writes, not failed
# reads: create a stack (lock + write) and remove it.
cmd_check_backend() {
  parse_stack_args "$@"
  require_stack_name
  require_pulumi
  cd "$RUNNER_DIR"
  pulumi_login || fail "pulumi login failed (${PULUMI_BACKEND_URL:-Pulumi Cloud}): check the backend URL and its credentials"
  local args=(stack init --non-interactive "$STACK")
  if is_diy_backend; then args+=(--secrets-provider passphrase); fi
  pulumi "${args[@]}" ||
    fail "could not create stack $STACK: the backend refuses writes. With Aliyun OSS, check the bucket permissions and the pinned Pulumi CLI version (docs/workflows.md, 'Backend')."
  pulumi stack rm "$STACK" --yes --non-interactive ||
    fail "created stack $STACK but could not remove it: check delete permissions on the backend"
  log "backend OK: created and removed stack $STACK"
}

# The region the infra stack deployed the runners' network to: what the reaper and `spot-runner list` search.
cmd_region() {
  (($# == 0)) || usage_error "region takes no arguments"
  require_pulumi
  local infra region
  infra=$(infra_stack_name)
  [[ -n "$infra" ]] || fail "SPOT_RUNNER_INFRA_STACK is not set: set the repository variable to the infra stack (e.g. <org>/spot-runner-infra/prod)" 2
  cd "$RUNNER_DIR"
  pulumi_login >&2 || fail "pulumi login failed (${PULUMI_BACKEND_URL:-Pulumi Cloud}): check the backend URL and its credentials"
  region=$(infra_region "$infra")
  [[ -n "$region" ]] ||
    fail "could not read the region output of the infra stack $infra: check SPOT_RUNNER_INFRA_STACK and that the stack is deployed in this backend (npx pulumi stack output --stack $infra region)"
  printf '%s\n' "$region"
}

main() {
  local command=${1:-}
  (($# > 0)) && shift
  case "$command" in
    up) cmd_up "$@" ;;
    down) cmd_down "$@" ;;
    stacks) cmd_stacks "$@" ;;
    check-backend) cmd_check_backend "$@" ;;
    region) cmd_region "$@" ;;
    -h | --help) usage ;;
    "") usage_error "give a command: up, down, stacks, check-backend or region" ;;
    *) usage_error "unknown command '$command'" ;;
  esac
}

main "$@"
