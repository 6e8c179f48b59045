#!/usr/bin/env bash
# Runs the whole test suite: unit, actor and integration tests against a real HAProxy.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --test
dotnet test Gateway.sln --configuration Release "$@"
