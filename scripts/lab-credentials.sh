#!/usr/bin/env bash
# Credentials for the digital twin, as production takes them: from the environment. Prints one
# `export NAME=value` line per variable the city.yaml of the inventory and of the examples refer to ({env: NAME}); a
# variable already set keeps its value, a missing one gets a random value, kept in
# build/lab.env (mode 0600, never in git) so that the twin and later commands agree.
set -euo pipefail
cd "$(dirname "$0")/.."
store=build/lab.env
mkdir -p build
touch "$store" && chmod 600 "$store"
for name in $(cat inventory/city.yaml examples/*/inventory/city.yaml 2>/dev/null | grep -v '^ *#' | grep -o '{env: *[A-Z_][A-Z0-9_]*}' | sed 's/{env: *//; s/}//' | sort -u); do
  [ "$name" = MURONET_VAULT_PASSWORD_FILE ] && continue
  if [ -n "${!name:-}" ]; then
    value="${!name}"
  elif grep -q "^export $name=" "$store"; then
    continue
  else
    value="tw-$(head -c 12 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 13)"  # 16: OSPF's limit
  fi
  [ "$name" = MURONET_USERNAME ] && [ -z "${!name:-}" ] && value=netops-twin
  sed -i "/^export $name=/d" "$store"
  printf 'export %s=%q\n' "$name" "$value" >> "$store"
done
cat "$store"
