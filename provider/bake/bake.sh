#!/bin/bash
# Runner image bake: the user data of a RunnerImage builder instance. It installs, once, everything the bootstrap
# (provider/bootstrap/bootstrap.sh) would otherwise install at every boot: docker with buildx (enabled), the runner
# user in the docker group, actions/runner at the pinned version (checksum verified) with its dependencies in
# /opt/actions-runner, and BuildKit's image pulled, so a build needs no registry for it. It then records what the
# image carries in /etc/spot-runner/baked.json, which the bootstrap reads back, and prints the done marker on the
# serial console, where RunnerImage waits for it before it stops the builder and images it.
#
# Rendered by renderBakeScript (provider/bake); docs/bootstrap.md, "Baked images", explains it. Rendering strips
# full-line comments, blank lines and indentation, like the bootstrap's: no heredocs, no multi-line strings.
__SPOT_RUNNER_BAKE_CONFIG__
set -Eeuo pipefail
umask 022

# Test hooks, as in the bootstrap (docs/bootstrap.md, "Test hooks"); cloud-init sets none of them.
ROOT_PREFIX="${SPOT_RUNNER_ROOT:-}"
DOCKER_READY_SECONDS="${SPOT_RUNNER_DOCKER_READY_SECONDS:-120}"
RETRY_DELAY_SECONDS="${SPOT_RUNNER_RETRY_DELAY_SECONDS:-5}"
LOG_FILE="$ROOT_PREFIX/var/log/spot-runner-bake.log"
MANIFEST_FILE="$ROOT_PREFIX/etc/spot-runner/baked.json"
TARBALL_DIR="$ROOT_PREFIX/var/tmp/spot-runner-bake"
# shellcheck disable=SC2034 # read by the shared package functions (packages.sh)
STATE_DIR="$ROOT_PREFIX/run/spot-runner-bake"
CURRENT_STEP=starting

pick_console() {
  local dev
  for dev in /dev/ttyS0 /dev/console; do
    # shellcheck disable=SC2016 # $1 belongs to the inner shell
    if [[ -w $dev ]] && timeout 2 "$BASH" -c ': >>"$1"' _ "$dev" 2>/dev/null; then
      printf '%s' "$dev"
      return
    fi
  done
}
CONSOLE="${SPOT_RUNNER_CONSOLE-$(pick_console)}"

# Event lines go to the log file and the console (GetInstanceConsoleOutput); command output to the log file only.
log() {
  local line
  TZ=UTC0 printf -v line '%(%Y-%m-%dT%H:%M:%SZ)T spot-runner-bake: %s' -1 "$*"
  printf '%s\n' "$line" >>"$LOG_FILE"
  if [[ -n $CONSOLE ]]; then printf '%s\n' "$line" >>"$CONSOLE" 2>/dev/null || true; fi
}

step() {
  CURRENT_STEP=$1
  log "step: $1"
}

# The marker RunnerImage reads: "done" only after everything succeeded, "failed: <reason>" otherwise. A failed bake
# powers the builder off (no compute billed); RunnerImage releases it either way, and AutoReleaseTime regardless.
finish() {
  local rc=$?
  set +e
  trap - ERR
  if ((rc == 0)); then
    sync
    printf 'spot-runner-bake: done manifest=%s\n' "$BAKE_MANIFEST_JSON" >>"${CONSOLE:-/dev/null}" 2>/dev/null
    printf 'spot-runner-bake: done manifest=%s\n' "$BAKE_MANIFEST_JSON" >>"$LOG_FILE"
    return
  fi
  log "failed: ${FAILURE:-the bake failed while $CURRENT_STEP (exit code $rc)}"
  if [[ -n $CONSOLE ]]; then
    { echo "----- tail of $LOG_FILE -----" && tail -n 40 "$LOG_FILE" && echo "----- end -----"; } >>"$CONSOLE" 2>/dev/null || true
  fi
  poweroff || shutdown -h now || true
}

fail() {
  FAILURE=$1
  exit 1
}

# spot-runner: include packages.sh

bake_docker() {
  if ! command -v docker >/dev/null; then install_docker || fail "could not install docker"; fi
  docker buildx version >/dev/null 2>&1 || install_packages docker-buildx-plugin || install_packages docker-buildx ||
    fail "docker buildx is not available"
  # Enabled, so it starts at every boot of the image before the bootstrap asks for it.
  systemctl enable --now docker || fail "could not enable docker"
  local waited=0
  until docker info >/dev/null 2>&1; do
    ((waited < DOCKER_READY_SECONDS)) || fail "docker did not become ready within $DOCKER_READY_SECONDS s"
    sleep 1
    waited=$((waited + 1))
  done
  log "docker $(docker version --format '{{.Server.Version}}' 2>/dev/null || echo '?') with $(docker buildx version 2>/dev/null | head -n 1), enabled"
}

bake_user() {
  id -u "$RUNNER_USER" >/dev/null 2>&1 || useradd --create-home --shell /bin/bash "$RUNNER_USER" || fail "could not create the user $RUNNER_USER"
  { groupadd -f docker && usermod -aG docker "$RUNNER_USER"; } || fail "could not add $RUNNER_USER to the docker group"
}

bake_runner() {
  local file="actions-runner-linux-$RUNNER_ARCH-$RUNNER_VERSION.tar.gz" try sum
  local url="$RUNNER_DOWNLOAD_BASE/v$RUNNER_VERSION/$file" tarball="$TARBALL_DIR/$file" dir="$ROOT_PREFIX$RUNNER_DIR"
  mkdir -p "$TARBALL_DIR" "$dir"
  for try in 1 2 3 4; do
    log "downloading $url (attempt $try)"
    curl -fsSL --connect-timeout 20 --speed-limit 10240 --speed-time 60 -o "$tarball" "$url" && break
    ((try < 4)) || fail "could not download the runner from $url"
    sleep "$((RETRY_DELAY_SECONDS * try))"
  done
  sum=$(sha256sum "$tarball")
  sum=${sum%% *}
  [[ $sum == "$RUNNER_SHA256" ]] || { rm -f "$tarball" && fail "checksum mismatch for $file: expected $RUNNER_SHA256, got $sum; refusing to bake it"; }
  log "checksum verified: $sum"
  tar -xzf "$tarball" -C "$dir"
  rm -rf "$TARBALL_DIR"
  if ! "$dir/bin/installdependencies.sh"; then
    case $(package_manager) in
      apt-get) install_packages libkrb5-3 zlib1g libicu-dev libssl-dev ;;
      *) install_packages lttng-ust openssl-libs krb5-libs zlib libicu ;;
    esac || fail "could not install the runner's dependencies"
  fi
  # Not configured: the JIT config the bootstrap passes at boot is the runner's only registration.
  chown -R "$RUNNER_USER:" "$dir"
}

# Pulled from BUILDKIT_SOURCE (a mirror, from mainland China) and kept under BUILDKIT_IMAGE, the name the build
# workflow looks for ("Provide BuildKit without Docker Hub"), so it finds the baked copy and asks no registry.
bake_buildkit() {
  local try
  for try in 1 2 3; do
    timeout 600 docker pull "$BUILDKIT_SOURCE" && break
    ((try < 3)) || fail "could not pull $BUILDKIT_SOURCE"
    sleep "$((RETRY_DELAY_SECONDS * try))"
  done
  if [[ $BUILDKIT_SOURCE != "$BUILDKIT_IMAGE" ]]; then docker tag "$BUILDKIT_SOURCE" "$BUILDKIT_IMAGE" || fail "could not tag $BUILDKIT_SOURCE as $BUILDKIT_IMAGE"; fi
  docker image inspect "$BUILDKIT_IMAGE" >/dev/null || fail "$BUILDKIT_IMAGE is not in the image after the pull"
}

main() {
  trap finish EXIT
  trap 'exit 143' TERM
  mkdir -p "${LOG_FILE%/*}" "${MANIFEST_FILE%/*}" "$STATE_DIR"
  exec </dev/null >>"$LOG_FILE" 2>&1
  log "baking a $RUNNER_ARCH runner image ($BAKE_ID): actions/runner $RUNNER_VERSION, docker with buildx, $BUILDKIT_IMAGE"
  step "installing docker"
  bake_docker
  step "creating the runner user"
  bake_user
  step "installing actions/runner $RUNNER_VERSION"
  bake_runner
  step "pulling $BUILDKIT_IMAGE"
  bake_buildkit
  step "recording what the image carries"
  printf '%s\n' "$BAKE_MANIFEST_JSON" >"$MANIFEST_FILE.new"
  mv "$MANIFEST_FILE.new" "$MANIFEST_FILE"
  # Instances booted from the image run cloud-init again (a new instance id), so the bootstrap still runs once.
}

main "$@"
