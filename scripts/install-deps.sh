#!/usr/bin/env bash
# Installs what Gateway needs on Debian 12: HAProxy 2.6 (Debian's package), and the tools the
# README's commands use (curl for the demo and the admin API; socat and openssl for troubleshooting),
# and with --test or --cluster also PostgreSQL 15 (the test suite's and scripts/cluster.sh's
# throwaway journal), python3 (cluster.sh's free ports and demo backend) and libfaketime (a spec
# steps a node's wall clock). Does nothing for what is already there.
# No pipelines into commands that may stop reading early (head, grep -q): under pipefail the
# writer's SIGPIPE fails the script at random.
set -euo pipefail

need=()
command -v haproxy >/dev/null 2>&1 || need+=(haproxy)
command -v setsid >/dev/null 2>&1 || need+=(util-linux)
command -v curl >/dev/null 2>&1 || need+=(curl)
command -v socat >/dev/null 2>&1 || need+=(socat)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
if [[ "${1:-}" == "--test" || "${1:-}" == "--cluster" ]]; then
  # The PostgreSQL journal specs and cluster.sh start a throwaway cluster with these binaries;
  # cluster.sh (which the suite runs too) picks free ports and serves its demo backend with python3.
  [[ -x /usr/lib/postgresql/15/bin/initdb ]] || need+=(postgresql-15)
  command -v python3 >/dev/null 2>&1 || need+=(python3)
  compgen -G "/usr/lib/*/faketime/libfaketimeMT.so.1" >/dev/null || need+=(libfaketime)
fi

if ((${#need[@]})); then
  echo "Installing: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends "${need[@]}" >/dev/null 2>&1 \
    || { apt-get update >/dev/null && apt-get install -y --no-install-recommends "${need[@]}" >/dev/null; }
fi
# Debian's package would start a system HAProxy on :80 where systemd runs; Gateway runs its own.
version="$(haproxy -v)"
echo "${version%%$'\n'*}"
