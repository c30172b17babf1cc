#!/usr/bin/env bash
# scripts/bench versus [seconds=20 historySeconds=15 sendSeconds=15 warmup=60 idle=30 rates=100,200,400,600,800,1000,1200,1600,2000
#                      idleSettle=30 systems=parley,peer scenarios=fanout,history,send,idle]
#
# Parley (2 nodes of scripts/cluster) against the usual stack (Node.js + Socket.IO + Redis adapter +
# PostgreSQL + Redis page cache: ../shared/peers/socketio-chat, 2 processes), on this machine, with the
# same load driver (../shared/peers/loadgen) and the same seed (2,000 users, 100 private channels x 20
# members, 1,000 messages each). Each system is measured alone (the other stopped), each scenario after
# a warm-up of 60 s (JIT compilers finish their work; docs/benchmarks.md): fan-out at 100, 200 and 400
# msg/s and stepped up to the knee (the highest offered rate with p99 < 50 ms and nothing lost), history
# newest and cursor pages at 32 connections, acked sends at 32 sockets, and 30 s of an idle server.
# Server CPU-seconds come from /proc over each whole driver run, and by kind of thread
# (bench/versus/threads.sh: event loops, JIT compiler, GC, Hazelcast, ...) to say where they went.
# Writes bench/results/versus-<time>.json (both sides, the ratios and the goals) and a chart beside it.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
declare -A opt=()
for kv in "$@"; do opt[${kv%%=*}]=${kv#*=}; done
get() { echo "${opt[$1]:-$2}"; }
seconds=$(get seconds 20) history_seconds=$(get historySeconds 15) send_seconds=$(get sendSeconds 15)
warmup=$(get warmup 60) idle=$(get idle 30) rates=$(get rates 100,200,400,600,800,1000,1200,1600,2000)
systems=$(get systems parley,peer) scenarios=$(get scenarios fanout,history,send,idle)
idle_settle=$(get idleSettle 30)   # seconds after the last load before idle is measured (JIT and GC settle)

peers=${PARLEY_PEERS_DIR:-$(cd "$root/.." && pwd)/shared/peers}
if [ ! -f "$peers/socketio-chat/server.js" ] || [ ! -f "$peers/loadgen/loadgen.js" ]; then
  cat >&2 <<MSG
scripts/bench versus needs the peer stack and its load driver beside this repository:
  $peers/socketio-chat (server.js, seed.js, peers.sh) and $peers/loadgen (loadgen.js)
They are not part of Parley. Put them there (or set PARLEY_PEERS_DIR to where they are) and run again.
MSG
  exit 2
fi
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "installing Node.js and npm (the peer and the load driver run on them)..."
  apt-get install -y -q nodejs npm >/dev/null
fi
for d in socketio-chat loadgen; do
  [ -d "$peers/$d/node_modules" ] || (cd "$peers/$d" && npm install --no-audit --no-fund --loglevel=error)
done
command -v psql >/dev/null || apt-get install -y -q postgresql-client >/dev/null

scripts/services >/dev/null
# the peer reaches PostgreSQL over the unix socket as the OS user (peer authentication)
me=$(id -un)
if ! su postgres -c "psql -tAc \"SELECT 1 FROM pg_roles WHERE rolname = '$me'\"" | grep -q 1; then
  su postgres -c "psql -q -c 'CREATE ROLE \"$me\" LOGIN CREATEDB'"
fi

stamp=$(date -u +%Y%m%dT%H%M%SZ)
work=data/versus/$stamp
mkdir -p "$work" bench/results
out=bench/results/versus-$stamp.json
loadgen="node $peers/loadgen/loadgen.js"
echo "versus $stamp: results in $out, driver output in $work"

# --- Parley: 2 nodes, default configuration but for what a load test from one address needs -------
db_url=${PARLEY_DB_URL:-postgresql://parley:parley@127.0.0.1:5432/parley}
export PARLEY_CLUSTER_DIR=$work/cluster PARLEY_CLUSTER_HTTP_BASE=8180
export PARLEY_DB_SCHEMA="versus_$(date +%s)"
export PARLEY_AUTH_BCRYPT_COST=10 PARLEY_WS_SEND_RATE_PER_SECOND=100000 PARLEY_WS_SEND_BURST=100000
export PARLEY_HTTP_MAX_CONNECTIONS_PER_ADDRESS=0
export PARLEY_LIMITS_BCRYPT_PER_ADDRESS_PER_MINUTE=1000000 PARLEY_LIMITS_BCRYPT_CONCURRENT_PER_ADDRESS=1000 \
  PARLEY_LIMITS_SIGNIN_FAILURES_PER_HANDLE=1000000
parley_urls=http://127.0.0.1:8180,http://127.0.0.1:8181
peer_urls=http://127.0.0.1:3001,http://127.0.0.1:3002
export PEER_RUN_DIR=$root/$work/peer

cleanup() {
  scripts/cluster stop >/dev/null 2>&1 || true
  (cd "$peers/socketio-chat" && ./peers.sh stop >/dev/null 2>&1) || true
  psql -q "$db_url" -c "DROP SCHEMA IF EXISTS $PARLEY_DB_SCHEMA CASCADE" >/dev/null 2>&1 || true
}
trap cleanup EXIT

pids_of() { # the server processes of a system
  if [ "$1" = parley ]; then cat "$PARLEY_CLUSTER_DIR"/node-*.pid; else cat "$PEER_RUN_DIR"/peer-*.pid; fi
}
cpu_of() { # user + system seconds of a system's processes so far
  local total=0 t
  for p in $(pids_of "$1"); do
    t=$(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0)
    total=$((total + t))
  done
  echo "$total $(getconf CLK_TCK)" | awk '{printf "%.2f", $1 / $2}'
}

threads_of() { # CPU ticks so far of the system's threads, by kind (bench/versus/threads.sh)
  bash bench/versus/threads.sh $(pids_of "$1") | tr '\t\n' '=;'
}

# the CPU-seconds of each kind of thread between two threads_of snapshots, as a JSON object
thread_delta='
  const parse = (s) => Object.fromEntries(s.split(";").filter(Boolean).map((kv) => { const i = kv.lastIndexOf("="); return [kv.slice(0, i), +kv.slice(i + 1)]; }));
  const threadDelta = (a, b, hz) => { const x = parse(a), y = parse(b), out = {};
    for (const k of Object.keys(y)) { const d = (y[k] - (x[k] || 0)) / hz; if (d > 0.005) out[k] = +d.toFixed(2); }
    return Object.fromEntries(Object.entries(out).sort((p, q) => q[1] - p[1])); };'

# drive SYSTEM NAME ARGS...: one driver run; its JSON, with the servers' CPU-seconds, in $work/SYSTEM-NAME.json
drive() {
  local sys=$1 name=$2; shift 2
  local adapter urls extra=()
  if [ "$sys" = parley ]; then adapter=parley urls=$parley_urls extra=(--first-channel 1001); else adapter=peer urls=$peer_urls; fi
  local c0 t0 c1 t1 th0 th1
  th0=$(threads_of "$sys"); c0=$(cpu_of "$sys"); t0=$(date +%s.%N)
  $loadgen --adapter "$adapter" --urls "$urls" "${extra[@]}" --tokens "$work/tokens-$sys.json" --label "$sys $name" "$@" \
    > "$work/$sys-$name.out" 2> "$work/$sys-$name.err" || true
  c1=$(cpu_of "$sys"); t1=$(date +%s.%N); th1=$(threads_of "$sys")
  local line; line=$(grep '^{' "$work/$sys-$name.out" | tail -1)
  [ -n "$line" ] || line='{"aborted":true}'
  node -e "$thread_delta"'
    const r = JSON.parse(process.argv[1]);
    r.serverCpuSeconds = +(process.argv[2] - process.argv[3]).toFixed(2);
    r.wallSeconds = +(process.argv[4] - process.argv[5]).toFixed(2);
    r.serverThreads = threadDelta(process.argv[6], process.argv[7], +process.argv[8]);
    console.log(JSON.stringify(r));' "$line" "$c1" "$c0" "$t1" "$t0" "$th0" "$th1" "$(getconf CLK_TCK)" > "$work/$sys-$name.json"
  node -e '
    const r = require(process.argv[1]);
    const l = r.ackLatencyMs && !r.latencyMs ? r.ackLatencyMs : (r.latencyMs || {});
    const rate = r.deliveriesPerSec ?? r.reqPerSec ?? r.acksPerSec ?? r.requestsPerSec ?? "";
    console.log(`  ${process.argv[2].padEnd(22)} ${String(rate).padStart(8)}/s  p50 ${l.p50 ?? "-"}  p99 ${l.p99 ?? "-"}  lost ${r.lost ?? "-"}  server cpu ${r.serverCpuSeconds} s${r.aborted ? "  ABORTED" : ""}`);
  ' "$root/$work/$sys-$name.json" "$sys $name"
}

# fan-out stepped up: 200 and 400 msg/s always (the goals compare them), then on while under the knee
fanout_steps() {
  local sys=$1
  drive "$sys" warmup-fanout --scenario fanout --rate 200 --duration "$warmup" --drain 2 >/dev/null
  for rate in ${rates//,/ }; do
    drive "$sys" "fanout-$rate" --scenario fanout --rate "$rate" --duration "$seconds" --drain 5
    if ! node -e '
      const r = require(process.argv[1]);
      process.exit(!r.aborted && r.lost === 0 && r.acked === r.sent && r.latencyMs && r.latencyMs.p99 < 50 ? 0 : 1);
    ' "$root/$work/$sys-fanout-$rate.json" && [ "$rate" -ge 400 ]; then
      break
    fi
  done
}

history_runs() {
  local sys=$1
  drive "$sys" warmup-history --scenario history --mode latest --concurrency 32 --duration "$warmup" >/dev/null
  drive "$sys" history-latest --scenario history --mode latest --concurrency 32 --duration "$history_seconds"
  flush_cache "$sys"
  drive "$sys" history-cursor --scenario history --mode cursor --concurrency 32 --duration "$history_seconds"
}

send_runs() {
  local sys=$1
  drive "$sys" warmup-send --scenario send --concurrency 32 --duration "$warmup" >/dev/null
  drive "$sys" send --scenario send --concurrency 32 --duration "$send_seconds"
}

idle_run() { # CPU of the idle servers over $idle seconds, as % of one core per process, after they settle
  local sys=$1 c0 c1 n th0 th1
  sleep "$idle_settle"
  th0=$(threads_of "$sys"); c0=$(cpu_of "$sys"); sleep "$idle"; c1=$(cpu_of "$sys"); th1=$(threads_of "$sys")
  n=$(pids_of "$sys" | wc -l)
  node -e "$thread_delta"'console.log(JSON.stringify({scenario: "idle", seconds: +process.argv[3], processes: +process.argv[4],
      serverCpuSeconds: +(process.argv[1] - process.argv[2]).toFixed(2),
      pctOfOneCorePerProcess: +((process.argv[1] - process.argv[2]) / process.argv[3] / process.argv[4] * 100).toFixed(2),
      serverThreads: threadDelta(process.argv[5], process.argv[6], +process.argv[7])}))' \
    "$c1" "$c0" "$idle" "$n" "$th0" "$th1" "$(getconf CLK_TCK)" > "$work/$sys-idle.json"
  echo "  $sys idle: $(cat "$work/$sys-idle.json")"
}

flush_cache() { # a cold page cache for the cursor run, as the peer's README does it
  if [ "$1" = parley ]; then
    redis-cli --scan --pattern "parley:$PARLEY_DB_SCHEMA:*" | xargs -r -n 500 redis-cli del >/dev/null
  else
    (cd "$peers/socketio-chat" && node seed.js --flush-cache >/dev/null)
  fi
}

measure() {
  local sys=$1
  echo "$sys:"
  case ",$scenarios," in *,fanout,*) fanout_steps "$sys" ;; esac
  case ",$scenarios," in *,history,*) history_runs "$sys" ;; esac
  case ",$scenarios," in *,send,*) send_runs "$sys" ;; esac
  case ",$scenarios," in *,idle,*) idle_run "$sys" ;; esac
}

if [[ ",$systems," == *,parley,* ]]; then
  echo "seeding Parley (schema $PARLEY_DB_SCHEMA) and starting 2 nodes..."
  scripts/cluster 1 >/dev/null          # migrates the schema
  scripts/cluster stop >/dev/null
  bash "$peers/parley/seed.sh" "$db_url" "$PARLEY_DB_SCHEMA" >/dev/null 2>"$work/seed-parley.err"
  scripts/cluster 2 | sed 's/^/  /'
  measure parley
  scripts/cluster stop >/dev/null
fi

if [[ ",$systems," == *,peer,* ]]; then
  echo "seeding the peer and starting 2 processes..."
  (cd "$peers/socketio-chat" && node seed.js --users 2000 --channels 100 --members 20 --messages 1000 --drop-tokens \
    >/dev/null 2>"$root/$work/seed-peer.err" && ./peers.sh start 2 3001 | sed 's/^/  /')
  measure peer
  (cd "$peers/socketio-chat" && ./peers.sh stop >/dev/null)
fi

node bench/versus/report.js "$work" "$out" "scripts/bench versus $*"
