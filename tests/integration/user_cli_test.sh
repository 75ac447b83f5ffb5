#!/usr/bin/env bash
# End-to-end test of `quicchat user ...` and `quicchat certs ...`, and of the server's refusal of
# an account database whose names differ only in case.
# Usage: user_cli_test.sh PATH/TO/quicchat
set -euo pipefail

QC=$(realpath "${1:?usage: $0 PATH/TO/quicchat}")
WORK=$(mktemp -d "${TMPDIR:-/tmp}/quicchat_user_cli.XXXXXX")
SERVER_PID=""
# Only the server this script started, by its id.
trap '[[ -n "$SERVER_PID" ]] && kill -9 "$SERVER_PID" 2>/dev/null; rm -rf "$WORK"' EXIT
trap 'echo "FAIL: line $LINENO: \"$BASH_COMMAND\" exited with $?" >&2' ERR
cd "$WORK"
DB=data/accounts.db
passed=0

fail() {
  echo "FAIL: $1" >&2
  echo "  expected: $2" >&2
  echo "  actual:   $3" >&2
  echo "$passed passed, 1 failed" >&2
  exit 1
}

check_eq() {  # what expected actual
  [[ "$2" == "$3" ]] || fail "$1" "$2" "$3"
  passed=$((passed + 1))
}

check_contains() {  # what needle haystack
  [[ "$3" == *"$2"* ]] || fail "$1" "text containing '$2'" "$3"
  passed=$((passed + 1))
}

# Runs a command that must fail; leaves its stderr in $err and its exit code in $rc.
expect_failure() {  # what command...
  local what=$1
  shift
  rc=0
  err=$("$@" 2>&1 >/dev/null) || rc=$?
  [[ $rc -ne 0 ]] || fail "$what" "non-zero exit" "exit 0"
  passed=$((passed + 1))
}

hash_of() { sqlite3 "$DB" "SELECT password_hash FROM accounts WHERE username = '$1'"; }
user() { "$QC" user "$@" --db "$DB" --cost 4; }

# add / list
out=$(echo "s3cret" | user add alice --password-stdin)
check_eq "add prints confirmation" "added user 'alice'" "$out"
check_eq "database directory created" "yes" "$([[ -f $DB ]] && echo yes || echo no)"
check_eq "list shows the user" "alice" "$(user list)"
first_hash=$(hash_of alice)
check_contains "stored hash is bcrypt cost 4" '$2b$04$' "$first_hash"
check_eq "stored hash length" "60" "${#first_hash}"

# duplicate add, bad names, no password source
expect_failure "duplicate add fails" bash -c "echo x | \"$QC\" user add alice --password-stdin --db $DB --cost 4"
check_contains "duplicate add message" "user 'alice' already exists" "$err"
expect_failure "invalid username fails" bash -c "echo x | \"$QC\" user add 'bad name' --password-stdin --db $DB"
check_contains "invalid username message" "invalid username 'bad name'" "$err"
expect_failure "no terminal and no --password-stdin fails" bash -c "\"$QC\" user add bob --db $DB </dev/null"
check_contains "no terminal message" "--password-stdin" "$err"
expect_failure "empty password fails" bash -c "echo | \"$QC\" user add bob --password-stdin --db $DB"
check_eq "failed adds leave one user" "alice" "$(user list)"

# passwd
out=$(echo "n3w" | user passwd alice --password-stdin)
check_eq "passwd prints confirmation" "changed the password of 'alice'" "$out"
second_hash=$(hash_of alice)
[[ "$second_hash" != "$first_hash" ]] || fail "passwd changes the hash" "a new hash" "$second_hash"
passed=$((passed + 1))
expect_failure "passwd of a missing user fails" bash -c "echo x | \"$QC\" user passwd zed --password-stdin --db $DB"
check_contains "passwd missing message" "no such user 'zed'" "$err"

# del
check_eq "del prints confirmation" "deleted user 'alice'" "$(user del alice)"
check_eq "list is empty after del" "" "$(user list)"
expect_failure "del of a missing user fails" user del alice
check_contains "del missing message" "no such user 'alice'" "$err"

# A database with a -wal file may be in use by a server: a direct change says so. The account
# subcommands that go through a server refuse a socket that is not there, changing nothing; the
# others refuse --admin-socket. (Its own database: the ids below stay as they are.)
wal_user() { "$QC" user "$@" --db data/wal.db --cost 4; }
echo "w" | wal_user add walt --password-stdin >/dev/null
: >data/wal.db-wal
err=$(wal_user del walt 2>&1 >/dev/null)
check_contains "direct change of a database in use warns" "-wal exists: a server may be using this database" "$err"
check_contains "the warning points to --admin-socket" "Give --admin-socket PATH" "$err"
rm -f data/wal.db-wal
echo "w" | wal_user add walt --password-stdin >/dev/null
expect_failure "an unreachable admin socket fails" wal_user del walt --admin-socket "$WORK/none.sock"
check_contains "an unreachable admin socket changes nothing" "(nothing changed)" "$err"
check_eq "walt is still there" "walt" "$(wal_user list)"
expect_failure "list refuses --admin-socket" wal_user list --admin-socket "$WORK/none.sock"
check_eq "list with --admin-socket is a usage error" "2" "$rc"

# import: a plaintext line and a hash made by Python's bcrypt (cost 4, password "p1")
PY_HASH='$2b$04$ybcci5X0QYRZhni4KaXAm.nRCPGpzaZTtqWiwGv9clcka7L/JrP8i'
printf '# accounts\n\ndan:pass:with:colons\r\nerin:%s\n' "$PY_HASH" >good.txt
check_eq "import prints count" "imported 2 users from good.txt" "$(user import good.txt)"
check_eq "import adds both" "$(printf 'dan\nerin')" "$(user list)"
check_eq "hash line stored as is" "$PY_HASH" "$(hash_of erin)"
check_contains "plaintext line hashed" '$2b$04$' "$(hash_of dan)"

printf 'fay:ok\nno colon here\nbad name:x\nfay:again\ndan:exists\nFAY:case\nERIN:case\n' >bad.txt
expect_failure "import with bad lines fails" user import bad.txt
check_contains "line 2 reported" "bad.txt:2: expected NAME:PASSWORD" "$err"
check_contains "line 3 reported" "bad.txt:3: invalid username 'bad name'" "$err"
check_contains "line 4 reported" "bad.txt:4: 'fay' is already listed on line 1" "$err"
check_contains "line 5 reported" "bad.txt:5: user 'dan' already exists" "$err"
check_contains "line 6 reported (names ignore case)" "bad.txt:6: 'FAY' is already listed on line 1" "$err"
check_contains "line 7 reported" "bad.txt:7: user 'ERIN' already exists as 'erin'" "$err"
check_eq "bad import adds nothing" "$(printf 'dan\nerin')" "$(user list)"

# names are case-insensitive; ids are never reused (alice, id 1, was deleted); rename keeps the
# id and the password
expect_failure "add differing only in case fails" bash -c "echo x | \"$QC\" user add DAN --password-stdin --db $DB --cost 4"
check_contains "case duplicate message" "user 'DAN' already exists as 'dan'" "$err"
check_eq "list --ids" "$(printf '2 dan\n3 erin')" "$(user list --ids)"
dan_hash=$(hash_of dan)
check_eq "rename prints confirmation" "renamed user 'DAN' to 'Daniel'" "$(user rename DAN Daniel)"
check_eq "rename keeps the id" "$(printf '2 Daniel\n3 erin')" "$(user list --ids)"
check_eq "rename keeps the password" "$dan_hash" "$(hash_of Daniel)"
check_eq "list sorts ignoring case" "$(printf 'Daniel\nerin')" "$(user list)"
check_eq "a change of case only" "renamed user 'daniel' to 'dan'" "$(user rename daniel dan)"
expect_failure "rename to a taken name fails" user rename dan ERIN
check_contains "rename taken message" "user 'ERIN' already exists as 'erin'" "$err"
expect_failure "rename of a missing user fails" user rename zed zoe
check_contains "rename missing message" "no such user 'zed'" "$err"
expect_failure "rename to an invalid name fails" user rename dan 'bad name'
check_contains "rename invalid message" "invalid username 'bad name'" "$err"
expect_failure "rename needs two names" user rename dan
check_contains "rename usage message" "rename: expected two arguments" "$err"
check_eq "failed renames change nothing" "$(printf '2 dan\n3 erin')" "$(user list --ids)"

# demo: creates once, then never touches the file again
DEMO=data/demo.db
out=$("$QC" user demo --db "$DEMO" --cost 4)
check_eq "demo creates" "created $DEMO with demo users alice/p1, bob/p2, cam/p3" "$out"
check_eq "demo users" "$(printf 'alice\nbob\ncam')" "$("$QC" user list --db "$DEMO")"
before=$(sha256sum "$DEMO")
mtime_before=$(stat -c %Y.%y "$DEMO")
out=$("$QC" user demo --db "$DEMO" --cost 4)
check_eq "second demo prints nothing" "" "$out"
check_eq "second demo leaves content" "$before" "$(sha256sum "$DEMO")"
check_eq "second demo leaves mtime" "$mtime_before" "$(stat -c %Y.%y "$DEMO")"

# a newer schema is refused and left alone
sqlite3 "$DEMO" "UPDATE schema_version SET version = 7"
expect_failure "newer schema refused" "$QC" user list --db "$DEMO"
check_contains "newer schema message" "database schema version 7 is newer than this quicchat (3)" "$err"
check_eq "newer schema untouched" "7" "$(sqlite3 "$DEMO" 'SELECT version FROM schema_version')"

# certs
out=$("$QC" certs --out certs)
check_contains "certs prints where" "certs/quic_certificate.pem" "$out"
check_eq "certificate written" "yes" "$([[ -s certs/quic_certificate.pem ]] && echo yes || echo no)"
check_eq "key mode" "600" "$(stat -c %a certs/quic_private_key.pem)"
check_contains "certificate is PEM" "BEGIN CERTIFICATE" "$(cat certs/quic_certificate.pem)"
check_contains "key is PEM" "BEGIN PRIVATE KEY" "$(cat certs/quic_private_key.pem)"
pair_before=$(cat certs/*.pem | sha256sum)
out=$("$QC" certs --out certs --if-missing)
check_eq "--if-missing prints nothing" "" "$out"
check_eq "--if-missing keeps the pair" "$pair_before" "$(cat certs/*.pem | sha256sum)"
"$QC" certs --out certs >/dev/null
[[ "$(cat certs/*.pem | sha256sum)" != "$pair_before" ]] ||
  fail "certs without --if-missing regenerates" "a new pair" "the same pair"
passed=$((passed + 1))

# A database from an older quicchat (schema 1) whose names differ only in case: the tool opens
# it with a warning, the server refuses to start naming both, and after a rename it starts.
OLD=data/old.db
sqlite3 "$OLD" "
  CREATE TABLE schema_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL);
  INSERT INTO schema_version VALUES (1, 1);
  CREATE TABLE accounts (username TEXT PRIMARY KEY, password_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
  INSERT INTO accounts VALUES ('alice', '$PY_HASH', 1, 1), ('Alice', '$PY_HASH', 2, 2),
    ('bob', '$PY_HASH', 3, 3);"
chmod 600 "$OLD"
CONFLICT="accounts differ only in case: Alice, alice; rename one with \`quicchat user rename OLD NEW\`"
out=$("$QC" user list --ids --db "$OLD" 2>warning.txt)
check_eq "old database listed with ids in creation order" "$(printf '2 Alice\n1 alice\n3 bob')" "$out"
check_contains "the tool warns about the conflict" "warning: $CONFLICT" "$(cat warning.txt)"

SERVE=("$QC" server --port 0 --db "$OLD" --cert certs/quic_certificate.pem
  --key certs/quic_private_key.pem --secret-file data/secret)
# (a server that starts anyway is stopped by timeout, which exits non-zero: the message check fails)
expect_failure "server refuses names that differ only in case" timeout 20 "${SERVE[@]}"
check_contains "server names both" "$CONFLICT" "$err"

check_eq "rename one" "renamed user 'Alice' to 'alice2'" "$("$QC" user rename Alice alice2 --db "$OLD")"
mkfifo server.fifo
"${SERVE[@]}" 2>server.fifo &
SERVER_PID=$!
exec {server_err}<server.fifo
started=no
while IFS= read -r -t 20 -u "$server_err" line; do
  if [[ "$line" == "listening on "* ]]; then
    started=yes
    break
  fi
done
check_eq "server starts after the rename" "yes" "$started"
kill -TERM "$SERVER_PID"
cat <&"$server_err" >/dev/null  # drains its stderr until it exits
rc=0
wait "$SERVER_PID" || rc=$?
SERVER_PID=""
check_eq "server stops cleanly" "0" "$rc"

echo "$passed passed, 0 failed"
