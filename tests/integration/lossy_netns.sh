# shellcheck shell=bash
# Sourced by the *_test.sh scripts that run real processes under real packet loss: a network
# namespace of their own whose loopback drops a share of UDP datagrams (nftables `numgen
# random`; this kernel has no netem, and the host's loopback is never touched). Needs root, `ip`
# and `nft`; a script exits 77 (skipped) where the namespace cannot be made.
#   lossy_netns_create NAME PERCENT   make it (or skip); in_ns CMD...: runs CMD inside;
#   lossy_netns_dropped               datagrams dropped so far; lossy_netns_delete: remove it.

skip() {
  echo "SKIP: $*"
  exit 77
}

LOSSY_NETNS=""

lossy_netns_create() {
  local name=$1 percent=$2
  [[ $(id -u) -eq 0 ]] || skip "needs root for a network namespace"
  command -v ip >/dev/null || skip "no ip(8)"
  command -v nft >/dev/null || skip "no nft(8)"
  ip netns add "$name" 2>/dev/null || skip "cannot create a network namespace here"
  LOSSY_NETNS=$name
  in_ns ip link set lo up || skip "cannot bring up the namespace's loopback"
  # Output on loopback sees every datagram once: dropping there is loss on the path.
  in_ns nft -f - <<NFT || skip "nftables refused the loss rule"
table inet qc_loss {
  chain out {
    type filter hook output priority 0; policy accept;
    meta l4proto udp numgen random mod 100 < $percent counter drop
  }
}
NFT
}

in_ns() { ip netns exec "$LOSSY_NETNS" "$@"; }

lossy_netns_dropped() {
  in_ns nft list ruleset | grep -o 'packets [0-9]*' | awk '{print $2}'
}

lossy_netns_delete() {
  [[ -n $LOSSY_NETNS ]] && ip netns del "$LOSSY_NETNS" 2>/dev/null
  LOSSY_NETNS=""
}
