#!/bin/bash
# Spot runner bootstrap: the user data that turns a fresh Aliyun ECS spot instance into a one-job GitHub
# Actions runner, and powers the instance off when the job ends, when no job comes, when time is up, or when
# anything fails. Rendered by renderBootstrapScript (provider/bootstrap); docs/bootstrap.md explains it.
#
# Rendering strips full-line comments, blank lines and indentation, so none of them costs user-data bytes
# (ECS allows 32 KB). Keep it that way: no heredocs, no multi-line strings.
#
# JIT_CONFIG (in the rendered block below) is a credential: never `set -x`, never log it, never export it.
__SPOT_RUNNER_CONFIG__
set -Eeuo pipefail
umask 022

# Test hooks: production defaults the sandbox tests override (docs/bootstrap.md, "Test hooks"). Cloud-init
# sets none of these, so on an instance the defaults apply.
ROOT_PREFIX="${SPOT_RUNNER_ROOT:-}"
METADATA_URL="${SPOT_RUNNER_METADATA_URL:-http://100.100.100.200}"
IDLE_TIMEOUT_SECONDS="${SPOT_RUNNER_IDLE_TIMEOUT_SECONDS:-$((IDLE_TIMEOUT_MINUTES * 60))}"
MAX_RUNTIME_SECONDS="${SPOT_RUNNER_MAX_RUNTIME_SECONDS:-$((MAX_RUNTIME_MINUTES * 60))}"
WATCHDOG_POLL_SECONDS="${SPOT_RUNNER_WATCHDOG_POLL_SECONDS:-5}"
# Aliyun posts the reclaim time about 5 minutes ahead and suggests polling every minute; poll faster.
NOTICE_POLL_SECONDS="${SPOT_RUNNER_NOTICE_POLL_SECONDS:-15}"
FAILURE_GRACE_SECONDS="${SPOT_RUNNER_FAILURE_GRACE_SECONDS:-30}"
RUNNER_STOP_SECONDS="${SPOT_RUNNER_RUNNER_STOP_SECONDS:-20}"
DOCKER_READY_SECONDS="${SPOT_RUNNER_DOCKER_READY_SECONDS:-120}"
RETRY_DELAY_SECONDS="${SPOT_RUNNER_RETRY_DELAY_SECONDS:-5}"
# The clock the watchdogs read: tests move a fake one forward instead of waiting for the real one.
UPTIME_FILE="${SPOT_RUNNER_UPTIME_FILE:-/proc/uptime}"

LOG_FILE="$ROOT_PREFIX/var/log/spot-runner-bootstrap.log"
STATE_DIR="$ROOT_PREFIX/run/spot-runner"
DOWNLOAD_DIR="$ROOT_PREFIX/opt/spot-runner"
# The systemd timer fires this long after the max-runtime watchdog should have, in case that one is gone.
DEADMAN_SLACK_SECONDS=300
ROLE=main
CURRENT_STEP=starting
EXIT_REASON=""
EXIT_OUTCOME=failed
PROXY_ENV=()

# ---------------------------------------------------------------------------------------------------------
# Logging: one line per event, to the log file and the serial console (what GetInstanceConsoleOutput shows).
# Command output goes to the log file only, so it cannot push the important lines out of the console buffer.

pick_console() {
  local dev
  for dev in /dev/ttyS0 /dev/console; do
    # Bounded: this runs before the safety nets, and opening a tty may wait for its line.
    # shellcheck disable=SC2016 # $1 belongs to the inner shell
    if [[ -w $dev ]] && timeout 2 "$BASH" -c ': >>"$1"' _ "$dev" 2>/dev/null; then
      printf '%s' "$dev"
      return
    fi
  done
}
CONSOLE="${SPOT_RUNNER_CONSOLE-$(pick_console)}"

log() {
  local line
  # printf's own clock: no process per line.
  TZ=UTC0 printf -v line '%(%Y-%m-%dT%H:%M:%SZ)T spot-runner[%s]: %s' -1 "$ROLE" "$*"
  printf '%s\n' "$line" >>"$LOG_FILE"
  if [[ -n $CONSOLE ]]; then printf '%s\n' "$line" >>"$CONSOLE" 2>/dev/null || true; fi
}

# A watchdog may have claimed the power-off while the main flow was busy: then stop here, quietly.
step() {
  if poweroff_claimed; then exit 0; fi
  CURRENT_STEP=$1
  log "step: $1"
}

# Ends the main flow; the EXIT trap logs the reason and powers off.
fail() {
  EXIT_REASON=$1
  log "ERROR: $1"
  exit 1
}

duration() {
  if (($1 % 60)); then printf '%s s' "$1"; else printf '%s min' "$(($1 / 60))"; fi
}

# NOW = seconds since boot: the watchdogs' clock, immune to the wall clock being set after boot. A variable,
# not output, so a watchdog's poll starts no process but its sleep.
read_clock() {
  read -r NOW _ <"$UPTIME_FILE"
  NOW=${NOW%.*}
}

# ---------------------------------------------------------------------------------------------------------
# Stopping: every path ends in power_off, which acts once across all processes (mkdir is the atomic claim).

poweroff_claimed() { [[ -d $STATE_DIR/poweroff ]]; }

is_running() {
  local stat
  { stat=$(<"/proc/$1/stat"); } 2>/dev/null || return 1
  stat=${stat##*) }
  [[ ${stat:0:1} != Z ]]
}

stop_runner() {
  local pid deadline
  pid=$(cat "$STATE_DIR/runner.pid" 2>/dev/null) || return 0
  is_running "$pid" || return 0
  log "stopping the runner (process group $pid)"
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  read_clock
  deadline=$((NOW + RUNNER_STOP_SECONDS))
  while is_running "$pid" && ((NOW < deadline)); do
    sleep 0.2
    read_clock
  done
  kill -KILL -- "-$pid" 2>/dev/null || true
}

power_off() {
  # Someone else claimed it: done. If the claim cannot even be recorded, power off all the same.
  if ! mkdir -p "$STATE_DIR" 2>/dev/null || ! mkdir "$STATE_DIR/poweroff" 2>/dev/null; then
    if poweroff_claimed; then return 0; fi
  fi
  printf '%s\n' "$2" >"$STATE_DIR/poweroff/reason"
  log "powering off ($1): $2"
  stop_runner
  if [[ $1 != ok ]]; then
    if ((FAILURE_GRACE_SECONDS > 0)); then
      log "waiting $(duration "$FAILURE_GRACE_SECONDS") before power-off"
      sleep "$FAILURE_GRACE_SECONDS"
    fi
    # The console keeps only the last few dozen KB: put the story right before the end.
    if [[ -n $CONSOLE ]]; then
      { echo "----- tail of $LOG_FILE -----" && tail -n 40 "$LOG_FILE" && echo "----- end -----"; } >>"$CONSOLE" 2>/dev/null || true
    fi
  fi
  sync || true
  log "power-off requested"
  # Each fallback is harsher; the last needs no userspace at all.
  poweroff || shutdown -h now || poweroff -f || echo o >"$ROOT_PREFIX/proc/sysrq-trigger"
}

# BASH_COMMAND is the command as written: "$JIT_CONFIG" would show as a name, never as the value.
on_error() { log "command failed (exit $1, line $2): $3"; }

on_exit() {
  local rc=$?
  set +e
  trap - ERR
  if [[ -z $EXIT_REASON ]]; then
    if ((rc)); then EXIT_REASON="bootstrap failed while $CURRENT_STEP (exit code $rc)"; else EXIT_REASON="bootstrap finished"; fi
  fi
  power_off "$EXIT_OUTCOME" "$EXIT_REASON"
}

# ---------------------------------------------------------------------------------------------------------
# Watchdogs: root processes in sessions of their own, started before anything can fail. The job runs as a
# non-root user and cannot signal them; they outlive the main flow; each ends by powering off, or once a
# power-off is under way.

spawn_watchdog() {
  if [[ -r $SCRIPT_PATH ]]; then
    setsid "$BASH" "$SCRIPT_PATH" --watchdog "$@" </dev/null >>"$LOG_FILE" 2>&1 &
  else
    (trap '' HUP && run_watchdog "$@") </dev/null >>"$LOG_FILE" 2>&1 &
  fi
  printf '%s\n' "$!" >"$STATE_DIR/watchdog-$1.pid"
}

run_watchdog() {
  ROLE="watchdog:$1"
  # A watchdog keeps going whatever fails inside one poll.
  set +e
  trap - ERR
  case $1 in
    max-runtime) watch_max_runtime "$2" ;;
    idle) watch_idle "$2" ;;
    spot-notice) watch_spot_notice ;;
  esac
}

watch_max_runtime() {
  while ! poweroff_claimed; do
    read_clock
    if ((NOW >= $1)); then
      power_off failed "maximum runtime of $(duration "$MAX_RUNTIME_SECONDS") reached"
      return
    fi
    sleep "$WATCHDOG_POLL_SECONDS"
  done
}

# RUNNER_DIR as the main flow decided it (empty until then).
read_runner_dir() {
  RUNNER_DIR=""
  read -r RUNNER_DIR 2>/dev/null <"$STATE_DIR/runner-dir" || true
  [[ -n $RUNNER_DIR ]]
}

# The runner starts a Worker, which writes _diag/Worker_*.log, for each job it takes. Only logs newer than
# this boot count: a baked image may carry old ones.
job_started() {
  local worker_log
  read_runner_dir || return 1
  for worker_log in "$RUNNER_DIR"/_diag/Worker_*.log; do
    if [[ $worker_log -nt $STATE_DIR/started ]]; then return 0; fi
  done
  return 1
}

watch_idle() {
  while ! poweroff_claimed; do
    if job_started; then
      log "a job has started; the idle watchdog stands down"
      return
    fi
    read_clock
    if ((NOW >= $1)); then
      power_off failed "no job was picked up within $(duration "$IDLE_TIMEOUT_SECONDS") (idle timeout)"
      return
    fi
    sleep "$WATCHDOG_POLL_SECONDS"
  done
}

# Dead man's switch outside this script: a systemd timer that powers off even if every process of ours is
# gone. Best effort: the watchdogs and the cloud-side AutoReleaseTime hold without it.
arm_poweroff_timer() {
  local after=$((MAX_RUNTIME_SECONDS + DEADMAN_SLACK_SECONDS)) systemctl
  if systemctl=$(command -v systemctl) && command -v systemd-run >/dev/null &&
    systemd-run --unit=spot-runner-deadline --on-active="${after}s" --timer-property=AccuracySec=1s "$systemctl" poweroff; then
    log "systemd timer armed: power-off $(duration "$after") after boot at the latest"
  else
    log "warning: no systemd power-off timer; the watchdogs and AutoReleaseTime still hold"
  fi
}

# ---------------------------------------------------------------------------------------------------------
# Spot reclaim notice, from the hardened metadata service: a token first, then the token on the request.
# The endpoint answers 404 until Aliyun schedules the release, then the release time.

termination_time() {
  local token when
  token=$(curl -sSf --noproxy '*' --max-time 5 -X PUT -H 'X-aliyun-ecs-metadata-token-ttl-seconds: 300' \
    "$METADATA_URL/latest/api/token" 2>/dev/null) || return 1
  when=$(curl -sSf --noproxy '*' --max-time 5 -H "X-aliyun-ecs-metadata-token: $token" \
    "$METADATA_URL/latest/meta-data/instance/spot/termination-time" 2>/dev/null) || return 1
  [[ $when =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z?$ ]] && printf '%s' "$when"
}

# The process running the job's current step: a child of the runner's Worker.
current_step_pid() {
  local proc worker="" argv=() stat
  read_runner_dir || return 1
  for proc in /proc/[0-9]*; do
    mapfile -t -d '' argv 2>/dev/null <"$proc/cmdline" || continue
    if [[ " ${argv[*]:0:2} " == *" $RUNNER_DIR/bin/Runner.Worker "* ]]; then worker=${proc#/proc/} && break; fi
  done
  [[ -n $worker ]] || return 1
  for proc in /proc/[0-9]*; do
    { stat=$(<"$proc/stat"); } 2>/dev/null || continue
    read -r _ stat _ <<<"${stat##*) }"
    if [[ $stat == "$worker" ]]; then printf '%s' "${proc#/proc/}" && return; fi
  done
  return 1
}

# Writes the annotation into the running step's output, which the runner parses like the step's own: the
# warning shows in the job log and on the run's summary page.
tell_the_job() {
  local pid
  pid=$(current_step_pid) && (trap '' PIPE && printf '\n%s\n' "$1" >>"/proc/$pid/fd/1") 2>/dev/null
}

watch_spot_notice() {
  local when="" note
  while ! poweroff_claimed; do
    if [[ -z $when ]] && when=$(termination_time); then
      # At most once per boot, even if this watchdog were started twice.
      mkdir "$STATE_DIR/reclaim-notice" 2>/dev/null || return
      log "WARNING: Aliyun will reclaim this spot instance at $when ($INSTANCE_TYPE in $ZONE_ID); the job may be cut off"
      note="::warning title=Spot instance reclaim notice::Aliyun will reclaim this spot instance ($INSTANCE_TYPE in $ZONE_ID, runner $RUNNER_NAME) at $when. A job still running then ends without a result; re-run it."
    fi
    # No step may be running yet, or it is between steps: keep trying until one is.
    if [[ -n $when ]] && tell_the_job "$note"; then
      log "reclaim warning written to the job log"
      return
    fi
    sleep "$NOTICE_POLL_SECONDS"
  done
}

# ---------------------------------------------------------------------------------------------------------
# Setup steps.

configure_proxy() {
  [[ -n $PROXY_HTTP$PROXY_HTTPS ]] || return 0
  if [[ -n $PROXY_HTTP ]]; then PROXY_ENV+=("http_proxy=$PROXY_HTTP" "HTTP_PROXY=$PROXY_HTTP"); fi
  if [[ -n $PROXY_HTTPS ]]; then PROXY_ENV+=("https_proxy=$PROXY_HTTPS" "HTTPS_PROXY=$PROXY_HTTPS"); fi
  PROXY_ENV+=("no_proxy=$NO_PROXY" "NO_PROXY=$NO_PROXY")
  export "${PROXY_ENV[@]}"
  log "proxy: http=${PROXY_HTTP:-none} https=${PROXY_HTTPS:-none}; direct: $NO_PROXY"
}

# spot-runner: include packages.sh

ensure_docker() {
  if ! command -v docker >/dev/null; then
    log "installing docker"
    install_docker || fail "could not install docker"
  fi
  if ! docker buildx version >/dev/null 2>&1; then
    install_packages docker-buildx-plugin || install_packages docker-buildx ||
      log "warning: docker buildx is not available (docker/setup-buildx-action can still provide it)"
  fi
  if ((${#PROXY_ENV[@]})); then
    local dropin="$ROOT_PREFIX/etc/systemd/system/docker.service.d"
    mkdir -p "$dropin"
    printf '[Service]\nEnvironment="HTTP_PROXY=%s" "HTTPS_PROXY=%s" "NO_PROXY=%s"\n' \
      "$PROXY_HTTP" "$PROXY_HTTPS" "$NO_PROXY" >"$dropin/spot-runner-proxy.conf"
    systemctl daemon-reload
  fi
  # --no-block: cloud-init runs this script inside a boot-time unit; waiting on another unit's start job from
  # there can deadlock on ordering. The readiness loop below does the waiting.
  systemctl enable --now --no-block docker
  read_clock
  local deadline=$((NOW + DOCKER_READY_SECONDS))
  until docker info >/dev/null 2>&1; do
    read_clock
    ((NOW < deadline)) || fail "docker did not become ready within $(duration "$DOCKER_READY_SECONDS")"
    sleep 1
  done
  log "docker is ready"
}

ensure_runner_user() {
  id -u "$RUNNER_USER" >/dev/null 2>&1 || useradd --create-home --shell /bin/bash "$RUNNER_USER" ||
    fail "could not create the user $RUNNER_USER"
  { groupadd -f docker && usermod -aG docker "$RUNNER_USER"; } || fail "could not add $RUNNER_USER to the docker group"
  log "the job runs as $RUNNER_USER (not root), in the docker group"
}

# A baked image says what it carries in a manifest its bake wrote (provider/bake/bake.sh); a stock image has none.
report_image() {
  local file="$ROOT_PREFIX/etc/spot-runner/baked.json" manifest=""
  if [[ -r $file ]]; then manifest=$(<"$file"); fi
  if [[ -n $manifest ]]; then
    log "baked image: $manifest"
  else
    log "stock image: nothing baked in; docker and the runner are installed now"
  fi
}

# Runs in the background while docker installs; on failure it leaves the reason in $STATE_DIR/fetch-error.
download_runner() {
  local file="actions-runner-linux-$RUNNER_ARCH-$RUNNER_VERSION.tar.gz" try sum
  local url="$RUNNER_DOWNLOAD_BASE/v$RUNNER_VERSION/$file" tarball="$DOWNLOAD_DIR/$file"
  mkdir -p "$1"
  for try in 1 2 3 4; do
    log "downloading $url (attempt $try)"
    # Give up on a stalled transfer (under 10 KB/s for a minute) instead of hanging until the idle timeout.
    curl -fsSL --connect-timeout 20 --speed-limit 10240 --speed-time 60 -o "$tarball" "$url" && break
    if ((try == 4)); then
      echo "could not download the runner from $url" >"$STATE_DIR/fetch-error"
      return 1
    fi
    sleep "$((RETRY_DELAY_SECONDS * try))"
  done
  sum=$(sha256sum "$tarball")
  sum=${sum%% *}
  if [[ $sum != "$RUNNER_SHA256" ]]; then
    echo "checksum mismatch for $file: expected $RUNNER_SHA256, got $sum; refusing to run it" >"$STATE_DIR/fetch-error"
    rm -f "$tarball"
    return 1
  fi
  log "checksum verified: $sum"
  tar -xzf "$tarball" -C "$1"
  rm -f "$tarball"
}

install_runner_dependencies() {
  "$1/bin/installdependencies.sh" && return
  log "installdependencies.sh failed; installing the runner's libraries directly"
  case $(package_manager) in
    apt-get) install_packages libkrb5-3 zlib1g libicu-dev libssl-dev ;;
    *) install_packages lttng-ust openssl-libs krb5-libs zlib libicu ;;
  esac || fail "could not install the runner's dependencies"
}

# The runner loads .env into every step's environment. RUNNER_CPUS (and RESTY_J, the OpenResty build's name
# for it) let a build size its parallelism to this instance.
configure_runner() {
  local cpus env_file="$1/.env"
  cpus=$(nproc)
  {
    if [[ -f $env_file ]]; then grep -v -E '^(RUNNER_CPUS|RESTY_J|https?_proxy|HTTPS?_PROXY|no_proxy|NO_PROXY)=' "$env_file" || true; fi
    printf '%s\n' "RUNNER_CPUS=$cpus" "RESTY_J=$cpus" "${PROXY_ENV[@]}"
  } >"$env_file.new"
  mv "$env_file.new" "$env_file"
  printf '%s\n' "${SETUP_INFO_JSON//__VCPUS__/$cpus}" >"$1/.setup_info"
  chown -R "$RUNNER_USER:" "$1"
  log "runner ready in $1: $cpus vCPUs (RUNNER_CPUS), setup info written"
}

run_runner() {
  local home rc=0
  home=$(getent passwd "$RUNNER_USER" | cut -d: -f6) || true
  cd "$1"
  log "starting runner $RUNNER_NAME (label $JOB_LABEL) as $RUNNER_USER; it takes one job, then exits"
  # Its own session, so stopping it never signals this script; a clean environment, so nothing of the
  # bootstrap leaks into the job. The JIT config is an argument, never an environment variable.
  setsid runuser -u "$RUNNER_USER" -- env -i HOME="${home:-/home/$RUNNER_USER}" USER="$RUNNER_USER" \
    LOGNAME="$RUNNER_USER" SHELL=/bin/bash PATH="$PATH" LANG=C.UTF-8 "${PROXY_ENV[@]}" \
    "$1/run.sh" --jitconfig "$JIT_CONFIG" &
  printf '%s\n' "$!" >"$STATE_DIR/runner.pid"
  # A watchdog that claimed the power-off just before the pid file existed could not stop the runner.
  if poweroff_claimed; then stop_runner; fi
  wait "$!" || rc=$?
  if ((rc)); then
    EXIT_REASON="the runner exited with code $rc"
  else
    EXIT_OUTCOME=ok
    EXIT_REASON="the runner finished"
  fi
}

main() {
  # 1. Safety nets, before anything that can fail: from here on, every way out powers off.
  trap on_exit EXIT
  trap 'exit 143' TERM
  trap 'exit 130' INT
  trap '' HUP
  SCRIPT_PATH=$(readlink -f "$0" || true)
  mkdir -p "$STATE_DIR" "${LOG_FILE%/*}"
  chmod 700 "$STATE_DIR"
  touch "$LOG_FILE" "$STATE_DIR/started"
  chmod 640 "$LOG_FILE"
  exec </dev/null >>"$LOG_FILE" 2>&1
  trap 'on_error "$?" "$LINENO" "$BASH_COMMAND"' ERR
  local dir fetch_pid=""
  read_clock
  spawn_watchdog max-runtime "$((NOW + MAX_RUNTIME_SECONDS))"
  spawn_watchdog idle "$((NOW + IDLE_TIMEOUT_SECONDS))"
  log "runner $RUNNER_NAME ($RUNNER_ARCH) on $INSTANCE_TYPE in $ZONE_ID: idle timeout $(duration "$IDLE_TIMEOUT_SECONDS"), max runtime $(duration "$MAX_RUNTIME_SECONDS"); log in $LOG_FILE"
  arm_poweroff_timer
  configure_proxy
  spawn_watchdog spot-notice

  # 2. The runner: baked into the image, or downloaded in the background while docker installs.
  step "locating the runner"
  report_image
  for dir in "${PREINSTALLED_DIRS[@]/#/$ROOT_PREFIX}" ""; do
    [[ -z $dir || -x $dir/run.sh ]] && break
  done
  if [[ -n $dir ]]; then
    log "using the runner baked into the image at $dir (no download)"
  else
    dir="$DOWNLOAD_DIR/actions-runner-$RUNNER_VERSION"
    download_runner "$dir" &
    fetch_pid=$!
  fi
  echo "$dir" >"$STATE_DIR/runner-dir"
  step "preparing docker"
  ensure_docker
  step "creating the runner user"
  ensure_runner_user
  if [[ -n $fetch_pid ]]; then
    step "downloading runner $RUNNER_VERSION"
    wait "$fetch_pid" || fail "$(cat "$STATE_DIR/fetch-error" 2>/dev/null || echo "the runner download failed")"
    step "installing the runner's dependencies"
    install_runner_dependencies "$dir"
  fi
  step "configuring the runner"
  configure_runner "$dir"

  # 3. One job; when the runner exits, the EXIT trap powers off.
  step "running the job"
  run_runner "$dir"
}

if [[ ${1:-} == --watchdog ]]; then run_watchdog "${@:2}"; else main "$@"; fi
