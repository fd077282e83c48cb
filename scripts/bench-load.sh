#!/usr/bin/env bash
# make bench's load figures: the release server on loopback, on SQLite and then on a throwaway
# PostgreSQL, each filled through the API by the load_seed example (server/examples/), then
# loaded for BENCH_LOAD_SECONDS each by wrk (GETs) and by load_seed (submissions, which each
# spend a completed draft, so wrk cannot repeat them). It prints requests/s and p99 next to the
# targets, and what they mean in drivers per machine. Figures, not a pass/fail test.
#
# Needs: the release build of the server and of the example (the Makefile builds both),
# wrk, and Debian's postgresql for the second half (BENCH_BACKENDS=sqlite skips it).
set -euo pipefail
cd "$(dirname "$0")/.."

target=${CARGO_TARGET_DIR:-target}
server=$target/release/taxicert-server
seeder=$target/release/examples/load_seed
seconds=${BENCH_LOAD_SECONDS:-10}
connections=${BENCH_LOAD_CONNECTIONS:-32}
list_drivers=${BENCH_LIST_DRIVERS:-16}
submit_drivers=${BENCH_SUBMIT_DRIVERS:-200}
backends=${BENCH_BACKENDS:-sqlite postgres}
# The assumed peak (see the end): share of drivers active in the peak hour (%), peak minute
# over the hour's mean, and what one driver's session asks for.
peak_share=${BENCH_PEAK_SHARE:-10}
burst=${BENCH_BURST:-3}
session_reads=${BENCH_SESSION_READS:-30}
session_uploads=${BENCH_SESSION_UPLOADS:-5}
session_locked=${BENCH_SESSION_LOCKED:-8}

for tool in "$server" "$seeder"; do
  [ -x "$tool" ] || { echo "missing $tool: cargo build --release -p taxicert-server --bin taxicert-server --example load_seed"; exit 1; }
done
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk"; exit 1; }

# Anything else on the cores (a build, a test run) lowers every figure: the load before the run
# is printed with them, so that a low figure can be told from a slow server.
load_before=$(cut -d' ' -f1 /proc/loadavg)

work=$(mktemp -d /tmp/taxicert-bench.XXXXXX)
server_pid=
pg_bin=
pg_dir=

is_root() { [ "$(id -u)" = 0 ]; }

# PostgreSQL refuses to run as root: as root, its commands run as the postgres user (from /, a
# folder it can read).
as_postgres() {
  if is_root; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

stop_server() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=
  fi
}

stop_postgres() {
  if [ -n "$pg_dir" ]; then
    as_postgres "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$pg_dir"
    pg_dir=
  fi
}

# Whatever happens (a failed seed, Ctrl-C), the server and the cluster stop and the folders go.
cleanup() {
  local status=$? log
  stop_server
  # On a failure, the server's last words (the cause of a 500 is in its log).
  if [ "$status" != 0 ]; then
    for log in "$work"/*/server.log; do
      [ -f "$log" ] && { echo "--- $log"; grep -v '"level":"INFO"' "$log" | tail -n 5; }
    done
  fi
  stop_postgres
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })'
}

start_postgres() {
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -x "$pg_bin/initdb" ] || { echo "PostgreSQL is missing: apt-get install postgresql postgresql-client (make setup-test)"; exit 1; }
  pg_dir=$(mktemp -d /tmp/taxicert-bench-pg.XXXXXX)
  if is_root; then chown postgres:postgres "$pg_dir"; fi
  as_postgres "$pg_bin/initdb" -U postgres --auth=trust --encoding=UTF8 --no-locale --no-sync -D "$pg_dir/data" >"$work/initdb.log" 2>&1 \
    || { cat "$work/initdb.log"; exit 1; }
  pg_port=$(free_port)
  # Debian's defaults otherwise: fsync and synchronous_commit on, 128 MB of shared buffers.
  as_postgres "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/log" -w \
    -o "-p $pg_port -k $pg_dir -c listen_addresses=127.0.0.1 -c max_connections=100" start >/dev/null \
    || { cat "$pg_dir/log"; exit 1; }
  psql -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -q -c 'CREATE DATABASE taxicert'
  database=postgres://postgres@127.0.0.1:$pg_port/taxicert
}

# The server as `make run` starts it (dev mode: the SMS outbox, demo certificates, real names
# approved at once), with a stub SPA, and the SMS limit per address lifted: every driver logs in
# from 127.0.0.1. Its PATH holds no tesseract, so reading the ID cards while seeding takes no
# OCR time: no measured request reads an ID card.
start_server() {
  local dir=$1
  mkdir -p "$dir/dist/driver" "$dir/dist/staff" "$dir/nobin"
  for page in "" driver/ staff/; do
    echo '<!doctype html><html><head><title>bench</title></head><body></body></html>' >"$dir/dist/${page}index.html"
  done
  echo '{}' >"$dir/dist/config.json"
  port=$(free_port)
  base=http://127.0.0.1:$port
  env -u RUST_LOG PATH="$dir/nobin" \
    TAXICERT_BIND=127.0.0.1:$port TAXICERT_DATABASE="$database" TAXICERT_DIST="$dir/dist" \
    TAXICERT_KEY_FILE="$dir/taxicert.key" TAXICERT_UPLOAD_DIR="$dir/uploads" \
    TAXICERT_DEV=true TAXICERT_REALNAME_AUTO_APPROVE=true TAXICERT_SMS_IP_HOURLY_LIMIT=1000000 \
    TAXICERT_LOG_FORMAT=json "$server" 2>"$dir/server.log" >/dev/null &
  server_pid=$!
  for _ in $(seq 100); do
    curl -sf "$base/api/v1/health" >/dev/null 2>&1 && return 0
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.2
  done
  echo "the server did not start:"; tail -n 20 "$dir/server.log"; exit 1
}

# `RESULT key=value …` → the value of one key.
field() { grep -m 1 '^RESULT ' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

declare -A rps p99 errors
upload_rps=
# One wrk run: a second to warm up (connections, caches), then the measured run.
load() {
  local key=$1 url=$2 cookies=${3:-} label=$4 width=${5:-46} out=$work/$1.out
  wrk -t2 -c"$connections" -d1s -s scripts/bench-load.lua "$url" -- "$cookies" >/dev/null
  wrk -t2 -c"$connections" -d"${seconds}s" -s scripts/bench-load.lua "$url" -- "$cookies" >"$out"
  rps[$key]=$(field "$out" rps) p99[$key]=$(field "$out" p99_ms) errors[$key]=$(field "$out" errors)
  # printf pads bytes: a label with Chinese in it is given 1 more per character (3 bytes, 2 columns).
  printf "  %-${width}s %9s req/s   p99 %7s ms   errors %s\n" "$label" "${rps[$key]}" "${p99[$key]}" "${errors[$key]}"
}

for backend in $backends; do
  dir=$work/$backend
  mkdir -p "$dir"
  case $backend in
    sqlite) database=$dir/taxicert.sqlite3 ;;
    postgres) start_postgres ;;
    *) echo "BENCH_BACKENDS: sqlite or postgres, not $backend"; exit 1 ;;
  esac
  start_server "$dir"
  echo "== $backend: seeding $list_drivers drivers with 20 cases and $submit_drivers drivers with 5 completed drafts each"
  "$seeder" seed --base "$base" --out "$dir" --list-drivers "$list_drivers" --cases 20 \
    --submit-drivers "$submit_drivers" >"$dir/seed.out"
  grep -v '^RESULT' "$dir/seed.out" | sed 's/^/  /'
  # The uploads' rate of the first database run: the photo pipeline does not touch the database.
  [ -n "$upload_rps" ] || upload_rps=$(field "$dir/seed.out" upload_rps)

  echo "== $backend: ${seconds} s each, $connections connections (wrk -t2), after a 1 s warm-up"
  load "$backend:catalogue" "$base/api/v1/businesses" "" "GET /api/v1/businesses (public catalogue)"
  load "$backend:cases" "$base/api/v1/cases" "$dir/list-cookies.txt" "GET /api/v1/cases (我的办件, 20 cases, $list_drivers drivers)" 50
  "$seeder" submit --base "$base" --file "$dir/submissions.tsv" --concurrency "$connections" >"$dir/submit.out"
  key=$backend:submit
  rps[$key]=$(field "$dir/submit.out" rps) p99[$key]=$(field "$dir/submit.out" p99_ms) errors[$key]=$(field "$dir/submit.out" errors)
  printf '  %-46s %9s req/s   p99 %7s ms   errors %s\n' "POST /api/v1/cases (submission)" "${rps[$key]}" "${p99[$key]}" "${errors[$key]}"
  grep -v '^RESULT' "$dir/submit.out" | sed 's/^/    /'
  stop_server
  if [ "$backend" = postgres ]; then stop_postgres; fi
done

# ---------------------------------------------------------------- the table and the estimate

cell() { [ -n "${rps[$1]:-}" ] && printf '%8.0f %8.1f' "${rps[$1]}" "${p99[$1]}" || printf '%8s %8s' - -; }
echo
echo "Load figures: loopback, $(nproc) cores shared by the server, the database and the load generator; release build"
printf '  %-34s %17s   %17s\n' "" "SQLite" "PostgreSQL 15"
printf '  %-34s %8s %8s   %8s %8s   %s\n' "" "req/s" "p99 ms" "req/s" "p99 ms" "target"
printf '  %-34s %s   %s   %s\n' "catalogue  GET /businesses" "$(cell sqlite:catalogue)" "$(cell postgres:catalogue)" ""
printf '  %-38s %s   %s   %s\n' "我的办件   GET /cases (20 cases)" "$(cell sqlite:cases)" "$(cell postgres:cases)" "≥ 2,000 req/s, p99 ≤ 50 ms (2 cores)"
printf '  %-34s %s   %s   %s\n' "submission POST /cases" "$(cell sqlite:submit)" "$(cell postgres:submit)" ""
echo "  GETs: wrk, $connections connections, $seconds s. 我的办件 rotates the sessions of $list_drivers drivers with 20 cases each (15 withdrawn, 5 open)."
echo "  Submissions: every completed draft of $submit_drivers drivers (5 each, one per business) sent once, $connections at a time, by"
echo "  load_seed (each spends its draft, so none can be repeated): a fixed batch, over in the time printed above, not $seconds s."
echo "  SQLite: WAL, synchronous=NORMAL. PostgreSQL: on the same machine, fsync and synchronous_commit on."
echo "  Load average before the run: $load_before (other work on the cores lowers every figure; compare on an idle machine)."

awk -v share="$peak_share" -v burst="$burst" -v reads="$session_reads" -v uploads="$session_uploads" \
    -v locked="$session_locked" -v upload_rps="${upload_rps:-0}" \
    -v sq_reads="${rps[sqlite:cases]:-0}" -v sq_submit="${rps[sqlite:submit]:-0}" \
    -v pg_reads="${rps[postgres:cases]:-0}" -v pg_submit="${rps[postgres:submit]:-0}" '
function drivers(sessions_per_s) { return sessions_per_s * 3600 / (share / 100) / burst }
function machine(read_rps, submit_rps,   cost) {
  if (read_rps <= 0 || submit_rps <= 0 || upload_rps <= 0) return 0
  # Seconds of the whole machine one session takes, each kind of request at the rate the
  # machine sustains for it alone.
  cost = reads / read_rps + uploads / upload_rps + locked / submit_rps
  return 1 / cost
}
function fmt(n) { return n >= 1e5 ? sprintf("%.0f", n / 1000) "k" : sprintf("%.0f", int(n / 100 + 0.5) * 100) }
BEGIN {
  print ""
  print "Drivers per machine, from these figures. Assumed peak: a batch of certificates expiring together, " share "% of the"
  print "drivers active in the peak hour and its busiest minute at " burst "x the hour'"'"'s mean; a driver'"'"'s session in it:"
  print "  " reads " light requests (login, catalogue, certificates, 我的办件, case pages; each costed as 我的办件),"
  print "  " uploads " photo uploads (" sprintf("%.1f", upload_rps) "/s on this machine, 4 at a time, timed after the seeding),"
  print "  " locked " requests under the global write lock (an SMS code, 4 saved steps, the submission, 2 case pages;"
  print "  each costed as a submission)."
  print "  Drivers served = sessions/s x 3600 / (" share "% x " burst "), sessions/s = 1 / the session'"'"'s cost in machine seconds."
  sq = machine(sq_reads, sq_submit); pg = machine(pg_reads, pg_submit)
  printf "  one machine, SQLite:      %7.1f sessions/s, about %s drivers\n", sq, fmt(drivers(sq))
  printf "  one machine, PostgreSQL:  %7.1f sessions/s, about %s drivers (PostgreSQL on the same 2 cores)\n", pg, fmt(drivers(pg))
  if (pg > 0) {
    ceiling = pg_submit / locked
    print ""
    print "Replicas on one PostgreSQL: reads and uploads grow with the replicas (until PostgreSQL'"'"'s own CPU), but"
    print "db::begin_write takes one advisory lock for every replica: submissions, saved steps, SMS codes, case pages"
    print "and clerks'"'"' actions go one at a time, whatever the number of replicas. Taking the submissions measured on"
    printf "PostgreSQL (%.0f/s) as that lock'"'"'s ceiling, %d such requests a session allow %.1f sessions/s, about %s drivers:\n", pg_submit, locked, ceiling, fmt(drivers(ceiling))
    for (k = 1; k <= 8; k *= 2) {
      n = k * pg; capped = n > ceiling ? ceiling : n
      printf "  %d replica%s  about %s drivers%s\n", k, (k > 1 ? "s:" : ": "), fmt(drivers(capped)), (n > ceiling ? " (the write lock'"'"'s ceiling)" : "")
    }
    print "  (The ceiling measured here is low: the lock is held for a whole submission while server, PostgreSQL and"
    print "  load share 2 cores; on their own machines each submission holds it for less.)"
  }
}'
