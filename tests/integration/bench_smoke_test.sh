#!/usr/bin/env bash
# Smoke test of `quicchat bench`: every scenario, tiny, in protocol v2 and v1, against a freshly
# spawned server.
# Asserts only correctness (exit status, "ok", the PASS lines: nothing lost, all delivered,
# all logged in), never a timing figure. Usage: bench_smoke_test.sh PATH/TO/quicchat
set -uo pipefail

QC=$(realpath "${1:?usage: $0 PATH/TO/quicchat}")
BENCH_CLUSTER=$(realpath "$(dirname "$0")/../../scripts/bench-cluster")
WORK=$(mktemp -d "${TMPDIR:-/tmp}/quicchat_bench_smoke.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
passed=0
failed=0

# verdict NAME OUTPUT PROBLEM...: PASS when there is no problem, else FAIL with the output.
verdict() {
  local name=$1 out=$2
  shift 2
  if [[ $# -eq 0 ]]; then
    echo "PASS $name"
    passed=$((passed + 1))
  else
    echo "FAIL $name: $*"
    echo "$out" | sed 's/^/    /'
    failed=$((failed + 1))
  fi
}

# run NAME EXPECTED-PASS-LINE... -- bench arguments
run() {
  local name=$1
  shift
  local expected=()
  while [[ $1 != "--" ]]; do
    expected+=("$1")
    shift
  done
  shift
  local out rc=0
  out=$(timeout 60 "$QC" bench "$@" --spawn-server --json 2>&1) || rc=$?
  local problems=()
  [[ $rc -eq 0 ]] || problems+=("exit status $rc")
  [[ $out == *'"ok": true'* ]] || problems+=("no '\"ok\": true' in the JSON line")
  [[ $out != *FAIL* ]] || problems+=("a FAIL line")
  for line in "${expected[@]}"; do
    [[ $out == *"$line"* ]] || problems+=("missing '$line'")
  done
  verdict "$name" "$out" "${problems[@]}"
}

# Every scenario in both protocols: v2 (the default) addresses users by name, v1 by session id.
for protocol in 2 1; do
  spoken='"protocol": '$protocol  # the version the sessions logged in with
  run "latency v$protocol" "PASS all delivered in order: 200/200 messages" "$spoken" \
    -- latency --messages 200 --warmup 0 --protocol $protocol
  run "fanout v$protocol" \
    "PASS every user got every message exactly once, in order: 1000/1000 deliveries" "$spoken" \
    -- fanout --receivers 20 --messages 50 --window 5 --warmup 0 --protocol $protocol
  run "connections v$protocol" "PASS all sessions logged in: 50/50 sessions" "$spoken" \
    -- connections --count 50 --protocol $protocol
  run "logins v$protocol" "PASS all logins succeeded: 10/10 logins" \
    "PASS background messages all delivered in order" "$spoken" \
    -- logins --count 10 --cost 4 --protocol $protocol
done

# Issue 13, v2 only: a room with the server's history on and off next to the broadcast (four
# runs of 60 messages to 10 users), a 1:1 storm acknowledged once stored, and history pages.
run "room" "PASS every user got every message exactly once, in order: 600/600 deliveries" \
  '"history": "on", "send_to": "room"' '"history": "off", "send_to": "broadcast"' \
  '"storing_cost_pct"' -- room --receivers 10 --messages 50 --window 5 --warmup 10
run "store" "PASS every message acked once, in order, with ascending ids: 110/110 acks" \
  "PASS every receiver got every message exactly once, in order: 110/110 deliveries" \
  -- store --senders 5 --messages 20 --warmup 2
run "history" "PASS every page held the latest messages, in order: 5/5 pages" \
  -- history --prefill 600 --messages 5 --warmup 1

# Issue 17: the clients spread over two threads (each its own loop and client endpoint); the
# exactly-once, in-order check spans both (a lost or duplicated copy on either fails the run:
# unit_bench's WindowedFanout tests inject both). And the physical limit, no server.
run "fanout over 2 client threads" \
  "PASS every user got every message exactly once, in order: 1000/1000 deliveries" \
  '"client_threads": 2' '"bench_cpu_s"' \
  -- fanout --receivers 20 --messages 50 --window 5 --warmup 0 --client-threads 2
run "room over 2 client threads" \
  "PASS every user got every message exactly once, in order: 550/550 deliveries" \
  '"client_threads": 2' -- room --receivers 11 --messages 40 --window 5 --warmup 10 \
  --history off --client-threads 2
run "connections over 3 client threads" "PASS all sessions logged in: 50/50 sessions" \
  '"client_threads": 3' -- connections --count 50 --client-threads 3
run "sendmmsg" "PASS the sender sent every datagram" '"scenario": "physical_limit"' \
  '"send_cpu_us_per_datagram"' '"gso": "on"' -- sendmmsg --datagrams 20000

# Issue 14: a room spread over 3 nodes (Redis and PostgreSQL started by scripts/bench-cluster)
# next to one node on the same PostgreSQL. The bench itself fails on any lost or duplicated
# delivery; here the cluster's own figures must be there: cross-node latency, every engine's CPU
# and Redis's commands and bytes per message (numbers, not a "-").
cluster_out=$(timeout 120 "$BENCH_CLUSTER" "$(dirname "$QC")" --nodes 3 --receivers 9 \
  --messages 20 --window 3 --warmup 2 --runs 1 2>&1)
cluster_rc=$?
cluster_problems=()
[[ $cluster_rc -eq 0 ]] || cluster_problems+=("exit status $cluster_rc")
# figure_in LABEL COLUMN: the table row LABEL holds a number in COLUMN (2: the nodes, 3: one node).
figure_in() {
  awk -F' [|] ' -v label="$1" -v col="$2" \
    '$1 == "| " label && $col ~ /^[*][*][0-9]/ { found = 1 } END { exit !found }' <<<"$cluster_out"
}
for row in "… p50 other nodes (cross-node)" "… p99 same node" "room: Redis CPU per message" \
  "room: PostgreSQL CPU per message" "room: Redis commands per message" \
  "room: Redis bytes out per message"; do
  figure_in "$row" 2 || cluster_problems+=("no figure for '$row' for the nodes")
done
for row in "room: deliveries / nodes' CPU-s" "room: PostgreSQL CPU per message"; do
  figure_in "$row" 3 || cluster_problems+=("no figure for '$row' for one node")
done
verdict "room over a cluster" "$cluster_out" "${cluster_problems[@]}"

# A broken run must fail loudly: an unknown scenario and a server that does not exist.
if "$QC" bench nosuch --spawn-server >/dev/null 2>&1; then
  echo "FAIL unknown scenario accepted"
  failed=$((failed + 1))
else
  echo "PASS unknown scenario refused"
  passed=$((passed + 1))
fi
"$QC" certs --out certs >/dev/null 2>&1
if timeout 30 "$QC" bench latency --server 127.0.0.1:9 --ca certs/quic_certificate.pem --messages 1 \
  --timeout-s 2 >/dev/null 2>&1; then
  echo "FAIL latency against no server reported success"
  failed=$((failed + 1))
else
  echo "PASS latency against no server fails"
  passed=$((passed + 1))
fi

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
