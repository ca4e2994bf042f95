#!/usr/bin/env bash
# Decides how this job gets Aliyun credentials and checks the settings for it, before anything is exchanged.
# In: MODE (SPOT_RUNNER_AUTH), ROLE_ARN, PROVIDER_ARN, AUDIENCE, SESSION_SECONDS, HAS_ACCESS_KEY ("true"/"false"),
# GITHUB_RUN_ID, GITHUB_RUN_ATTEMPT, GITHUB_JOB, and ACTIONS_ID_TOKEN_REQUEST_URL (set by GitHub only when the
# job has `id-token: write`). Out (GITHUB_OUTPUT): mode, and for oidc the normalized values the exchange uses.
# Every problem is reported at once, naming the variable or secret and the fix.
set -euo pipefail

readonly DEFAULT_AUDIENCE="sts.aliyuncs.com"
problems=()
problem() { problems+=("$1"); }

mode=${MODE:-}
mode=${mode,,}
case "$mode" in
  "")
    if [[ -n "${ROLE_ARN:-}" ]]; then mode=oidc; else mode=keys; fi
    ;;
  oidc | keys) ;;
  *)
    problem "the SPOT_RUNNER_AUTH variable is '$MODE': set it to oidc or keys, or delete it (then oidc when SPOT_RUNNER_ROLE_ARN is set, else keys)"
    ;;
esac

out=()
if [[ "$mode" == oidc ]]; then
  role=${ROLE_ARN:-}
  provider=${PROVIDER_ARN:-}
  audience=${AUDIENCE:-$DEFAULT_AUDIENCE}
  seconds=${SESSION_SECONDS:-3600}
  [[ "$role" =~ ^acs:ram::[0-9]+:role/[A-Za-z0-9.-]{1,64}$ ]] ||
    problem "the SPOT_RUNNER_ROLE_ARN variable is '${role}': set it to the infra stack's ciRoleArn output (acs:ram::<account>:role/<name>)"
  [[ "$provider" =~ ^acs:ram::[0-9]+:oidc-provider/[A-Za-z0-9._-]{1,128}$ ]] ||
    problem "the SPOT_RUNNER_OIDC_PROVIDER_ARN variable is '${provider}': set it to the infra stack's ciOidcProviderArn output (acs:ram::<account>:oidc-provider/<name>)"
  [[ "$audience" =~ ^[^[:space:],]+$ ]] ||
    problem "the SPOT_RUNNER_OIDC_AUDIENCE variable is '$audience': one audience, the OIDC provider's client id (infra ciOidcAudience, default $DEFAULT_AUDIENCE)"
  if [[ ! "$seconds" =~ ^[0-9]+$ ]] || ((10#$seconds < 900 || 10#$seconds > 43200)); then
    problem "the SPOT_RUNNER_OIDC_SESSION_SECONDS variable is '$seconds': 900 to 43200, and at most the role's ciRoleMaxSessionSeconds (default 3600)"
  fi
  [[ -n "${ACTIONS_ID_TOKEN_REQUEST_URL:-}" ]] ||
    problem "this job cannot ask GitHub for an OIDC token: give it 'permissions: id-token: write' (and the calling job too, for a reusable workflow)"
  # Shows in ActionTrail next to every call of the session: which run, attempt and job it was.
  session="gha-${GITHUB_RUN_ID:-0}-${GITHUB_RUN_ATTEMPT:-0}-${GITHUB_JOB:-job}"
  session=${session//[^A-Za-z0-9.@_-]/-}
  session=${session:0:64}
  out+=("role-arn=$role" "provider-arn=$provider" "audience=$audience" "session-seconds=$seconds" "session-name=$session")
  summary="Aliyun credentials: OIDC role $role (session $session, ${seconds}s)"
elif [[ "$mode" == keys ]]; then
  [[ "${HAS_ACCESS_KEY:-false}" == true ]] ||
    problem "no Aliyun credentials: set the SPOT_RUNNER_ROLE_ARN and SPOT_RUNNER_OIDC_PROVIDER_ARN variables for keyless CI (docs/infra.md, \"Keyless CI\"), or the ALIYUN_ACCESS_KEY_ID and ALIYUN_ACCESS_KEY_SECRET secrets for the AccessKey fallback"
  summary="Aliyun credentials: the CI user's AccessKey (ALIYUN_ACCESS_KEY_ID); keyless CI needs no key (docs/infra.md, \"Keyless CI\")"
fi

if ((${#problems[@]} > 0)); then
  for p in "${problems[@]}"; do
    printf 'aliyun-credentials: error: %s\n' "$p" >&2
    # A variable's value is echoed back: escape what would end or forge the workflow command.
    p=${p//'%'/'%25'}
    p=${p//$'\r'/'%0D'}
    p=${p//$'\n'/'%0A'}
    printf '::error title=Aliyun credentials::%s\n' "$p"
  done
  exit 1
fi

{
  printf 'mode=%s\n' "$mode"
  for line in "${out[@]+"${out[@]}"}"; do printf '%s\n' "$line"; done
} >>"$GITHUB_OUTPUT"
printf '%s\n' "$summary"
