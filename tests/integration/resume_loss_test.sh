#!/usr/bin/env bash
# Resume under a server kill and packet loss (issue 13): two real `quicchat client --json
# --reconnect --state-dir` exchange numbered direct messages while the real server is killed
# with SIGKILL and restarted, inside a network namespace whose loopback drops LOSS_PERCENT % of
# UDP datagrams; each side must end with every message exactly once, in order
# (resume_loss_driver.py says what is checked). Needs root, `ip`, `nft` and python3; exits 77
# (skipped) where namespaces cannot be made.
# Usage: resume_loss_test.sh PATH/TO/quicchat [MESSAGES_EACH]
set -uo pipefail

QC=$(realpath "${1:?usage: $0 PATH/TO/quicchat [MESSAGES_EACH]}")
MESSAGES=${2:-30}
LOSS_PERCENT=20
HERE=$(dirname "$(realpath "$0")")

. "$HERE/lossy_netns.sh"
trap lossy_netns_delete EXIT
command -v python3 >/dev/null || skip "no python3"
lossy_netns_create "qc-resume-$$" "$LOSS_PERCENT"

started_ms=$(date +%s%3N)
# Everything in the namespace (server, clients, the driver) shares its lossy loopback.
in_ns timeout 240 python3 "$HERE/resume_loss_driver.py" "$QC" "$MESSAGES"
rc=$?
echo "  ${LOSS_PERCENT} % loss: $(($(date +%s%3N) - started_ms)) ms; datagrams dropped: $(lossy_netns_dropped)"
exit $rc
