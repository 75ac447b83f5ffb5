#!/usr/bin/env bash
# Durability of the account database under kill -9. A few rounds of: start the server, run a
# loop of `quicchat user add` / `passwd` against its database, then SIGKILL the server and the
# admin command in flight at a random moment. After every round the database must pass
# `PRAGMA integrity_check` and hold every change whose command exited 0. Finally the server must
# refuse, with a clear message and without touching the file, a database with a newer schema
# version and a file that is not a database.
# Usage: durability_test.sh PATH/TO/quicchat
set -euo pipefail

QC=$(realpath "${1:?usage: $0 PATH/TO/quicchat}")
WORK=$(mktemp -d "${TMPDIR:-/tmp}/quicchat_durability.XXXXXX")
SERVER_PID=""
WRITER_PID=""
cleanup() {
  # Only the processes this script started, by their ids.
  [[ -n "$WRITER_PID" ]] && kill -9 "$WRITER_PID" 2>/dev/null || true
  [[ -f "$WORK/current.pid" ]] && kill -9 "$(cat "$WORK/current.pid")" 2>/dev/null || true
  [[ -n "$SERVER_PID" ]] && kill -9 "$SERVER_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
cd "$WORK"
DB="$WORK/accounts.db"
ROUNDS=${DURABILITY_ROUNDS:-3}
passed=0

fail() {
  echo "FAIL: $*" >&2
  [[ -f server.log ]] && tail -20 server.log >&2
  exit 1
}

"$QC" certs --out certs >/dev/null
printf 'seedpw\n' | "$QC" user add seed --db "$DB" --password-stdin --cost 4 >/dev/null

start_server() {
  : >server.log
  "$QC" server --port 0 --db "$DB" --cert certs/quic_certificate.pem \
    --key certs/quic_private_key.pem --bcrypt-cost 4 --hash-threads 1 2>server.log &
  SERVER_PID=$!
  for _ in $(seq 1 100); do
    grep -q "listening on" server.log && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || fail "server exited: $(cat server.log)"
    sleep 0.1
  done
  fail "server did not start"
}

# One admin command in the background, its pid in current.pid while it runs; returns its status.
run_admin() {  # password args...
  local password=$1
  shift
  printf '%s\n' "$password" | "$QC" user "$@" --db "$DB" --password-stdin --cost 4 \
    >/dev/null 2>&1 &
  local pid=$!
  echo "$pid" >current.pid
  local rc=0
  wait "$pid" || rc=$?
  rm -f current.pid
  return "$rc"
}

# Adds users and changes each one's password once; records what reported success.
writer() {  # round
  local round=$1 i name
  for i in $(seq 1 10000); do
    name="u${round}x$i"
    if run_admin "first$i" add "$name"; then
      echo "$name" >>added.txt
      if run_admin "second$i" passwd "$name"; then echo "$name second$i" >>changed.txt; fi
    fi
  done
}

check_database() {  # round
  local result
  result=$(sqlite3 -cmd ".timeout 10000" "$DB" "PRAGMA integrity_check")
  [[ "$result" == "ok" ]] || fail "round $1: integrity_check says: $result"
  local listed
  listed=$("$QC" user list --db "$DB")
  while read -r name; do
    grep -qx "$name" <<<"$listed" || fail "round $1: '$name' was added (exit 0) but is missing"
  done < <(cat added.txt 2>/dev/null)
  # Each changed password must verify against the stored hash (libcrypt's bcrypt).
  [[ -f changed.txt ]] || return 0
  while read -r name password; do
    local hash
    hash=$(sqlite3 -cmd ".timeout 10000" "$DB" "SELECT password_hash FROM accounts WHERE username = '$name'")
    python3 -W ignore -c 'import crypt, sys; sys.exit(crypt.crypt(sys.argv[1], sys.argv[2]) != sys.argv[2])' \
      "$password" "$hash" || fail "round $1: '$name' password change (exit 0) is not in the database"
  done <changed.txt
}

count_added() { if [[ -f added.txt ]]; then wc -l <added.txt; else echo 0; fi; }

for round in $(seq 1 "$ROUNDS"); do
  start_server
  before=$(count_added)
  writer "$round" &
  WRITER_PID=$!
  # Once this round has made progress (slow under sanitizers), a random moment 0 .. 1.2 s later.
  for _ in $(seq 1 600); do
    [[ $(count_added) -gt $before ]] && break
    sleep 0.1
  done
  sleep "$(awk -v r="$RANDOM" 'BEGIN { printf "%.2f", (r % 120) / 100 }')"
  kill -9 "$SERVER_PID"
  kill -9 "$WRITER_PID" 2>/dev/null || true
  [[ -f current.pid ]] && kill -9 "$(cat current.pid)" 2>/dev/null || true
  # The writer may die between starting an admin command and recording its pid: no orphan
  # may go on writing while the database is checked.
  pkill -9 -f -- "--db $DB" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  wait "$WRITER_PID" 2>/dev/null || true
  SERVER_PID=""
  WRITER_PID=""
  rm -f current.pid
  check_database "$round"
  passed=$((passed + 1))
done
[[ $(wc -l <added.txt) -gt 0 ]] || fail "no change ever reported success: the loop did not run"

# A newer schema version: refused with a clear message, the file left byte for byte.
cp "$DB" newer.db
sqlite3 newer.db "UPDATE schema_version SET version = 999 WHERE id = 1"
cp newer.db newer.copy
rc=0
out=$("$QC" server --port 0 --db newer.db --cert certs/quic_certificate.pem \
  --key certs/quic_private_key.pem 2>&1) || rc=$?
[[ $rc -ne 0 ]] || fail "server started on a newer schema"
[[ "$out" == *"newer"* ]] || fail "no clear message for a newer schema: $out"
cmp -s newer.db newer.copy || fail "the newer database was modified"
passed=$((passed + 1))

# A file that is not a database: refused, kept.
head -c 8192 /dev/urandom >garbage.db
cp garbage.db garbage.copy
rc=0
out=$("$QC" server --port 0 --db garbage.db --cert certs/quic_certificate.pem \
  --key certs/quic_private_key.pem 2>&1) || rc=$?
[[ $rc -ne 0 ]] || fail "server started on a garbage file"
[[ -n "$out" ]] || fail "no message for a garbage file"
cmp -s garbage.db garbage.copy || fail "the garbage file was modified"
passed=$((passed + 1))

echo "$passed passed ($(wc -l <added.txt) adds, $(wc -l <changed.txt 2>/dev/null || echo 0) password changes)"
