#!/usr/bin/env bash
# Runs a Gateway cluster on this machine: a throwaway PostgreSQL 15 (the shared journal), N nodes
# (default 3) on loopback, each with its own data dir, its own HAProxy and free ports, and a small
# demo backend (python3's http.server). Prints what to try once every node answers /readyz.
# Ctrl-C (or SIGTERM) stops the nodes (SIGTERM, and they stop their HAProxy), the demo backend and
# PostgreSQL, and removes the run's temp dir unless --keep is given.
#
#   scripts/cluster.sh [--keep] [--no-build] [N]
#
# --no-build uses the Release build already in src/Gateway.Node/bin. Everything of a run is under
# one temp dir (/tmp/gwcluster-XXXXXX): node<i>/ (data dir), node<i>.log, postgres/, www/, www.log.
# No pipelines into commands that may stop reading early (head, grep -q): see install-deps.sh.
set -euo pipefail
# A shell started in the background (`scripts/cluster.sh &`, CI) inherits SIGINT ignored, and bash
# cannot trap a signal ignored at entry: run again with its default action, so SIGINT stops a run.
if [[ -z "${GATEWAY_CLUSTER_SIGNALS:-}" ]]; then
  GATEWAY_CLUSTER_SIGNALS=default exec env --default-signal=INT "$0" "$@"
fi
cd "$(dirname "$0")/.."

keep=false
build=true
count=3
for argument in "$@"; do
  case "$argument" in
    --keep) keep=true ;;
    --no-build) build=false ;;
    [1-9]) count=$argument ;;
    *) echo "usage: scripts/cluster.sh [--keep] [--no-build] [N: 1-9 nodes, default 3]" >&2; exit 2 ;;
  esac
done

readonly pg_bin=/usr/lib/postgresql/15/bin
readonly dll="$PWD/src/Gateway.Node/bin/Release/net10.0/Gateway.Node.dll"
readonly ready_within=120 # seconds per node; a busy 2-core machine starts three nodes in about 20
readonly stop_within=60   # seconds for the nodes' graceful stop (leave the cluster, stop HAProxy)

scripts/install-deps.sh --cluster
if $build; then
  # No build servers: nothing of this run may be left running once it stops.
  dotnet build src/Gateway.Node -c Release -v quiet -nologo --disable-build-servers
fi
[[ -f "$dll" ]] || { echo "No $dll: build it (dotnet build src/Gateway.Node -c Release) or drop --no-build" >&2; exit 1; }

run="$(mktemp -d /tmp/gwcluster-XXXXXX)"
chmod 711 "$run" # the postgres user must reach its directory inside
node_pids=()
www_pid=""
sleeper=""

# --- stopping ---------------------------------------------------------------------------------

# True while the process runs (a zombie, exited but not yet reaped, counts as stopped). Builtins
# only: bash discards a SIGINT that arrives while it waits for a foreground child that did not die of
# it (the manual's "wait and cooperative exit"), so a `kill -INT` sent to the script alone while the
# wait loop below ran a `cat` here was lost.
alive() {
  local stat
  { read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 1
  stat="${stat##*) }"
  [[ "${stat:0:1}" != Z ]]
}

# Waits until every pid given has stopped, at most $1 seconds; false if some still run.
wait_stopped() {
  local deadline=$((SECONDS + $1)) pid
  shift
  for pid in "$@"; do
    while alive "$pid"; do
      ((SECONDS < deadline)) || return 1
      sleep 0.2
    done
  done
}

# Pids of every process whose command line names this run's temp dir: nodes, HAProxy masters and
# workers, the postmaster, the demo backend.
run_processes() {
  local entry cmdline
  for entry in /proc/[0-9]*; do
    { cmdline="$(tr '\0' ' ' <"$entry/cmdline")"; } 2>/dev/null || continue
    [[ "$cmdline" == *"$run/"* ]] && echo "${entry#/proc/}"
  done
  return 0
}

stop_all() {
  local pid file leftover=()
  [[ -n "$sleeper" ]] && kill "$sleeper" 2>/dev/null
  if ((${#node_pids[@]})); then
    echo "Stopping the nodes (SIGTERM: each leaves the cluster and stops its HAProxy)..."
    for pid in "${node_pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
    if ! wait_stopped "$stop_within" "${node_pids[@]}"; then
      echo "Some nodes did not stop within ${stop_within} s: killing them" >&2
      for pid in "${node_pids[@]}"; do kill -KILL "$pid" 2>/dev/null; done
    fi
    for pid in "${node_pids[@]}"; do wait "$pid" 2>/dev/null; done
  fi
  # A node that crashed or was killed leaves its HAProxy serving (by design): stop it here.
  for file in "$run"/node*/haproxy/haproxy.pid; do
    [[ -f "$file" ]] && read -r pid <"$file" && alive "$pid" && kill -TERM "$pid" 2>/dev/null \
      && echo "Stopped the HAProxy [$pid] a node left running"
  done
  if [[ -n "$www_pid" ]]; then
    kill -TERM "$www_pid" 2>/dev/null
    wait "$www_pid" 2>/dev/null
  fi
  if [[ -f "$run/postgres/data/postmaster.pid" ]]; then
    echo "Stopping PostgreSQL..."
    runuser -u postgres -- "$pg_bin/pg_ctl" -D "$run/postgres/data" -m fast -w stop >/dev/null 2>&1
  fi
  # Whatever still names the run dir (a hung stop above) is killed, so nothing is left running.
  mapfile -t leftover < <(run_processes)
  if ((${#leftover[@]})) && ! wait_stopped 5 "${leftover[@]}"; then
    mapfile -t leftover < <(run_processes)
    echo "Killing what is left of this run: ${leftover[*]}" >&2
    kill -KILL "${leftover[@]}" 2>/dev/null
  fi
}

cleanup() {
  local code=$?
  set +e
  trap '' INT TERM
  stop_all
  if $keep || ((code != 0)); then
    echo "Kept $run (logs: $run/node<i>.log, $run/postgres/postgres.log, $run/www.log)"
  else
    rm -rf "$run"
    echo "Removed $run"
  fi
  exit "$code"
}
trap cleanup EXIT
trap 'exit 0' INT TERM # stopping with Ctrl-C or SIGTERM is how a run ends: success

# --- starting ---------------------------------------------------------------------------------

# $1 free loopback ports, all different: held open together while the kernel picks them.
free_ports() {
  python3 -c '
import socket, sys
held = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in held:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in held))
' "$1"
}

read -r -a ports <<<"$(free_ports $((2 + 4 * count)))"
pg_port=${ports[0]}
www_port=${ports[1]}
remoting=() http=() https=() admin=()
for ((i = 1; i <= count; i++)); do
  base=$((2 + 4 * (i - 1)))
  remoting[i]=${ports[base]}
  http[i]=${ports[base + 1]}
  https[i]=${ports[base + 2]}
  admin[i]=${ports[base + 3]}
done
token="$(openssl rand -hex 24)"

echo "Starting PostgreSQL 15 on 127.0.0.1:$pg_port (in $run/postgres)..."
mkdir "$run/postgres"
chown postgres "$run/postgres"
runuser -u postgres -- "$pg_bin/initdb" -D "$run/postgres/data" -A trust -U postgres >"$run/postgres/initdb.log" 2>&1 \
  || { echo "initdb failed: see $run/postgres/initdb.log" >&2; exit 1; }
# Each node's journal pool holds up to 25 connections.
runuser -u postgres -- "$pg_bin/pg_ctl" -D "$run/postgres/data" -l "$run/postgres/postgres.log" -w start \
  -o "-p $pg_port -k $run/postgres -c listen_addresses=127.0.0.1 -c max_connections=$((30 * count + 20))" >/dev/null \
  || { echo "PostgreSQL did not start: see $run/postgres/postgres.log" >&2; exit 1; }

mkdir "$run/www"
echo "<h1>Hello from the demo backend on 127.0.0.1:$www_port</h1>" >"$run/www/index.html"
# Own sessions (setsid) for what the script starts: a Ctrl-C in the terminal reaches the script
# alone, which stops the rest in order (nodes before the journal they write to).
setsid python3 -m http.server --bind 127.0.0.1 --directory "$run/www" "$www_port" >"$run/www.log" 2>&1 &
www_pid=$!

seed="akka.tcp://gateway@127.0.0.1:${remoting[1]}"
start_node() {
  local i=$1
  mkdir -p "$run/node$i"
  Gateway__Admin__Token="$token" setsid dotnet "$dll" \
    --Gateway:DataDir="$run/node$i" \
    --Gateway:Cluster:Hostname=127.0.0.1 --Gateway:Cluster:Port="${remoting[i]}" --Gateway:Cluster:SeedNodes:0="$seed" \
    --Gateway:Persistence:Provider=PostgreSql \
    --Gateway:Persistence:ConnectionString="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=postgres" \
    --Gateway:Frontend:HTTPPort="${http[i]}" --Gateway:Frontend:HTTPSPort="${https[i]}" \
    --Gateway:Frontend:IPv4BindAddr=127.0.0.1 --Gateway:Frontend:IPv6BindAddr= \
    --Gateway:Admin:Url="http://127.0.0.1:${admin[i]}" \
    >"$run/node$i.log" 2>&1 &
  node_pids[i]=$!
}

# Waits for node $1's /readyz; on failure says which node, what it waited for, and where its log is.
wait_ready() {
  local i=$1 deadline=$((SECONDS + ready_within)) answer="none" code
  while ((SECONDS < deadline)); do
    if ! alive "${node_pids[i]}"; then
      code=0
      wait "${node_pids[i]}" || code=$?
      echo "node$i exited with code $code before it was ready; its log: $run/node$i.log" >&2
      tail -n 20 "$run/node$i.log" >&2
      exit 1
    fi
    if answer="$(curl -sS --max-time 2 -w ' (HTTP %{http_code})' "http://127.0.0.1:${admin[i]}/readyz" 2>&1)" \
      && [[ "$answer" == *"(HTTP 200)" ]]; then
      return 0
    fi
    sleep 0.5
  done
  echo "node$i (pid ${node_pids[i]}, admin http://127.0.0.1:${admin[i]}) was not ready within ${ready_within} s;" \
    "/readyz last answered: $answer; its log: $run/node$i.log" >&2
  tail -n 20 "$run/node$i.log" >&2
  exit 1
}

# The seed first: it starts the cluster and creates the journal's tables; the others then join it together.
echo "Starting node1 (the seed node)..."
start_node 1
wait_ready 1
if ((count > 1)); then
  echo "Starting node2..node$count..."
  for ((i = 2; i <= count; i++)); do start_node "$i"; done
  for ((i = 2; i <= count; i++)); do wait_ready "$i"; done
fi

# --- what to try ------------------------------------------------------------------------------

haproxy_pid() { cat "$run/node$1/haproxy/haproxy.pid" 2>/dev/null || echo "?"; }
a1="http://127.0.0.1:${admin[1]}"
echo
echo "Gateway cluster of $count nodes ready; PostgreSQL 15 on 127.0.0.1:$pg_port; run dir $run"
echo
printf '  %-6s %-24s %-16s %-16s %-9s %-8s %s\n' node "admin API" "HAProxy HTTP" "HAProxy HTTPS" remoting pid "HAProxy pid"
for ((i = 1; i <= count; i++)); do
  printf '  %-6s %-24s %-16s %-16s %-9s %-8s %s\n' "node$i" "http://127.0.0.1:${admin[i]}" "127.0.0.1:${http[i]}" \
    "127.0.0.1:${https[i]}" "${remoting[i]}" "${node_pids[i]}" "$(haproxy_pid "$i")"
done
echo
echo "Admin token (every node): $token"
echo "Demo backend: python3 http.server on 127.0.0.1:$www_port (pid $www_pid); PostgreSQL pid $(head -n 1 "$run/postgres/data/postmaster.pid")"
echo "Logs: $run/node<i>.log, $run/postgres/postgres.log, $run/www.log"
echo
echo "Try it: a change through node1, served by every node's HAProxy:"
echo
echo "  T=\"Authorization: Bearer $token\""
echo "  curl -X PUT -H \"\$T\" '$a1/api/backends/shop?wait=true' -d '{\"servers\":[{\"name\":\"s1\",\"ip\":\"127.0.0.1\",\"port\":$www_port}]}'"
echo "  curl -X PUT -H \"\$T\" '$a1/api/routes?wait=true' -d '{\"host\":\"shop.test\",\"path\":\"\",\"backend\":\"shop\"}'"
for ((i = count; i >= 1; i--)); do
  echo "  curl -H 'Host: shop.test' http://127.0.0.1:${http[i]}/        # node$i's HAProxy"
done
for ((i = 1; i <= count; i++)); do
  echo "  curl -H \"\$T\" http://127.0.0.1:${admin[i]}/api/status    # node$i"
done
echo
if $keep; then
  echo "Ctrl-C stops everything and keeps $run."
else
  echo "Ctrl-C stops everything and removes $run (--keep keeps it)."
fi

# Waits for Ctrl-C or SIGTERM (a background sleep, so the trap runs at once), telling when a node
# stops on its own. Nothing here runs in the foreground (see alive), so SIGINT is never discarded.
reported=()
while :; do
  sleep 2 &
  sleeper=$!
  wait "$sleeper" || true
  sleeper=""
  for ((i = 1; i <= count; i++)); do
    if [[ -z "${reported[i]:-}" ]] && ! alive "${node_pids[i]}"; then
      reported[i]=1
      code=0
      wait "${node_pids[i]}" || code=$?
      echo "node$i (pid ${node_pids[i]}) exited with code $code; its log: $run/node$i.log" >&2
    fi
  done
done
