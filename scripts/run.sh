#!/usr/bin/env bash
# Runs one Gateway node on its embedded defaults: SQLite journal and HAProxy (installed if
# missing) in ./data, HTTP on :8080 (HTTP/1.1 and h2c), HTTPS on :8443 (h2 by ALPN, self-signed),
# admin API on 127.0.0.1:9900. With no provider given it starts the demo (Gateway:Demo=true),
# which a node never runs unless asked. Ctrl-C stops it.
# Any --Gateway:Key=value argument overrides a default (see README).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
dotnet build src/Gateway.Node -c Release -v quiet -nologo
demo=(--Gateway:Demo=true)
for given in "$@" $(compgen -e); do
  [[ "$given" == --Gateway:Providers:* || "$given" == Gateway__Providers__* ]] && demo=()
done
# The demo flag comes first, so an explicit --Gateway:Demo=false after it wins.
exec dotnet src/Gateway.Node/bin/Release/net10.0/Gateway.Node.dll --Gateway:DataDir="$PWD/data" "${demo[@]}" "$@"
