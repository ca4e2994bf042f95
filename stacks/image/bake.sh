#!/bin/bash
# Bakes the runner images (RunnerImage, stacks/image): the one command, `npm run bake -- [options]`.
#   up [--arch amd64|arm64|both] [--stack NAME] [--outputs-file FILE]
#        a new image stack (default bake-<UTC timestamp>) baking both architectures at once; prints, and writes to
#        FILE, `pulumi stack output --json` ({"imageIds": {"amd64": "m-...", "arm64": "m-..."}, ...})
#   retire --keep NAME
#        destroys every other bake-* stack (their images and snapshots); an image a runner still uses is not forced
#        and its stack is kept for the next retire
# Needs: the Pulumi CLI logged in to the runner stacks' backend, Aliyun credentials in the environment (README,
# "Runner images"), SPOT_RUNNER_INFRA_STACK. Optional: SPOT_RUNNER_BUILDKIT_SOURCE (a BuildKit mirror),
# SPOT_RUNNER_RUNNER_DOWNLOAD_URL (an actions/runner mirror).
set -Eeuo pipefail

usage() {
  echo "usage: bake.sh up [--arch amd64|arm64|both] [--stack NAME] [--outputs-file FILE] | bake.sh retire --keep NAME" >&2
  exit 2
}

command=${1:-up}
if (($#)); then shift; fi
arch=both stack="bake-$(date -u +%Y%m%d%H%M%S)" outputs="" keep=""
while (($#)); do
  case $1 in
    --arch) arch=${2:-} && shift 2 ;;
    --stack) stack=${2:-} && shift 2 ;;
    --outputs-file) outputs=${2:-} && shift 2 ;;
    --keep) keep=${2:-} && shift 2 ;;
    *) usage ;;
  esac
done
[[ $arch =~ ^(amd64|arm64|both)$ ]] || { echo "bake.sh: --arch must be amd64, arm64 or both, not '$arch'" >&2 && exit 2; }
[[ $stack =~ ^bake-[A-Za-z0-9_.-]{1,90}$ ]] || { echo "bake.sh: image stacks are named bake-<something> (retire finds them by it), not '$stack'" >&2 && exit 2; }
: "${SPOT_RUNNER_INFRA_STACK:?set SPOT_RUNNER_INFRA_STACK to the infra stack, e.g. organization/spot-runner-infra/prod}"
cd "$(dirname "$0")"
# The program loads the package's compiled build, as the runner stack does.
node ../../tools/build.cjs --if-stale

# A cancelled CI step signals this shell only: pass the signal on, so Pulumi stops cleanly and records what it made.
run_pulumi() {
  local pid rc=0
  pulumi "$@" &
  pid=$!
  trap 'kill -TERM "$pid" 2>/dev/null || true' TERM INT
  wait "$pid" || rc=$?
  trap - TERM INT
  return "$rc"
}

case $command in
  up)
    pulumi stack select --create --non-interactive "$stack"
    pulumi config set --non-interactive infraStack "$SPOT_RUNNER_INFRA_STACK"
    pulumi config set --non-interactive arches "$arch"
    if [[ -n ${SPOT_RUNNER_BUILDKIT_SOURCE:-} ]]; then pulumi config set --non-interactive buildkitSource "$SPOT_RUNNER_BUILDKIT_SOURCE"; fi
    if [[ -n ${SPOT_RUNNER_RUNNER_DOWNLOAD_URL:-} ]]; then pulumi config set --non-interactive runnerDownloadUrl "$SPOT_RUNNER_RUNNER_DOWNLOAD_URL"; fi
    if ! run_pulumi up --yes --non-interactive --skip-preview; then
      echo "bake.sh: the bake of $stack failed (the error above says why); what it made is released or kept in the stack: \`bash stacks/image/bake.sh retire --keep <current>\` or \`pulumi destroy -s $stack\` removes it" >&2
      exit 1
    fi
    pulumi stack output --json | tee "${outputs:-/dev/null}"
    ;;
  retire)
    [[ -n $keep ]] || usage
    failed=()
    while read -r name; do
      [[ $name == "$keep" ]] && continue
      echo "retiring $name"
      if run_pulumi destroy --yes --non-interactive --skip-preview -s "$name"; then
        pulumi stack rm --yes --non-interactive -s "$name"
      else
        failed+=("$name")
      fi
    done < <(pulumi stack ls --json | node -e 'for (const s of JSON.parse(require("fs").readFileSync(0, "utf8"))) { const n = s.name.split("/").pop(); if (/^bake-/.test(n)) console.log(n); }')
    if ((${#failed[@]})); then
      echo "bake.sh: could not retire ${failed[*]} yet (an image still used by a runner is not forced); the next retire tries again" >&2
      exit 1
    fi
    ;;
  *) usage ;;
esac
