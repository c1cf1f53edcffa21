#!/usr/bin/env bash
# Installs what podreach's run and test commands need, only when missing.
# Idempotent: a second run on a ready machine does nothing and takes ~0.1 s.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v ip >/dev/null        || need+=(iproute2)
command -v iptables >/dev/null  || need+=(iptables)
command -v ping >/dev/null      || need+=(iputils-ping)
command -v tmux >/dev/null      || need+=(tmux)
command -v traceroute >/dev/null || need+=(traceroute)
command -v pkill >/dev/null     || need+=(procps)
command -v script >/dev/null    || need+=(bsdutils)
command -v zsh >/dev/null       || need+=(zsh)   # completion tests source the scripts in each shell
command -v fish >/dev/null      || need+=(fish)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "setup: missing ${need[*]}; run as root or install them" >&2; exit 1
  fi
  echo "setup: installing ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# npm ci when node_modules is missing or older than the lock file.
if [ ! -x node_modules/.bin/node ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci" >&2
  npm ci --no-audit --no-fund --loglevel=error
fi
