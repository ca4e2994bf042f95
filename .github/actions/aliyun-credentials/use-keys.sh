#!/usr/bin/env bash
# The AccessKey fallback: hands the CI user's key to the job's later steps, as the OIDC path's action does with
# the role's credentials (through GITHUB_ENV; GitHub masks both values, they are secrets). In: ACCESS_KEY_ID,
# ACCESS_KEY_SECRET. A line break in a value could forge other variables, so such a value is refused.
set -euo pipefail

for name in ACCESS_KEY_ID ACCESS_KEY_SECRET; do
  value=${!name:-}
  if [[ -z "$value" || "$value" == *$'\n'* || "$value" == *$'\r'* ]]; then
    printf '::error title=Aliyun credentials::the ALIYUN_%s secret is empty or spans lines: paste the single-line value again\n' "$name"
    exit 1
  fi
done
{
  printf 'ALIBABA_CLOUD_ACCESS_KEY_ID=%s\n' "$ACCESS_KEY_ID"
  printf 'ALIBABA_CLOUD_ACCESS_KEY_SECRET=%s\n' "$ACCESS_KEY_SECRET"
} >>"$GITHUB_ENV"
