#!/usr/bin/env python3
"""The driver of resume_loss_test.sh (issue 13, "Resume: nothing lost across a reconnect"), run
inside a network namespace whose loopback drops UDP datagrams: alice and bob, two real
`quicchat client --json --reconnect --state-dir DIR`, send each other numbered direct messages
while the real server is killed with SIGKILL and restarted (same port, database and secret
file). Before each kill one side hears nothing from the server (an nftables rule on its port)
while its last message is stored: that acknowledgement is lost for certain. At the end each side
has every message of the other exactly once and in order (by text and by (conv, id)), and every
message of its own acknowledged exactly once, with the id the other side got it under (the
re-send of the one whose acknowledgement was lost answered as sent before).
Usage: resume_loss_driver.py QUICCHAT_BINARY [MESSAGES_EACH]"""
import os
import re
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from client_support import Env, TestFailure, check, objects, parse_json  # noqa: E402

MESSAGES = int(sys.argv[2]) if len(sys.argv) > 2 else 30
KILLS = 2
FINAL_TIMEOUT = 90.0  # an upper bound: each side resumes within seconds at this loss
STARTED = time.monotonic()


def log(what):
    print(f"  {time.monotonic() - STARTED:5.1f}s {what}", flush=True)


def text(sender, n):
    return f"{sender[0]}-{n:03d}"


def send_interleaved(alice, bob, numbers):
    for n in numbers:
        alice.send(f"@bob: {text('alice', n)}")
        bob.send(f"@alice: {text('bob', n)}")


def wait_json(client, start, where, timeout=FINAL_TIMEOUT):
    """The first JSON object from line `start` of the client's output for which where(obj)."""
    deadline = time.monotonic() + timeout
    with client.out.cond:
        while True:
            for obj in filter(None, map(parse_json, client.out.lines[start:])):
                if where(obj):
                    return obj
            left = deadline - time.monotonic()
            if left <= 0 or client.out.closed:
                raise TestFailure(f"{client.user}: nothing awaited after line {start}")
            client.out.cond.wait(left)


def kill_server(env):
    if env.server.proc.poll() is None:
        env.server.proc.kill()  # SIGKILL
        env.server.proc.wait()
        log("server killed")


def type_while_down(alice, bob, down):
    """The messages numbered `down`, each client having taken its last one (sent it to the dead
    server), or noticed the loss (it then holds one line and reads the rest after the login)."""
    starts = [len(client.out.snapshot()) for client in (alice, bob)]
    send_interleaved(alice, bob, down)
    for client, start in zip((alice, bob), starts):
        last = text(client.user, down[-1])
        wait_json(client, start, lambda o: o.get("code") == "reconnecting" or (
            o.get("code") == "sending" and o.get("text") == last))


def restart_server(env):
    """On the same port, with the same database and secret file."""
    env.server.start()
    log(f"server restarted on port {env.server.port}")


def client_port(env, user):
    """The UDP port of the user's latest session, from the server's login line."""
    rx = re.compile(rf" login .*user={user} .*peer=127\.0\.0\.1:(\d+)")
    ports = [m.group(1) for m in map(rx.search, env.server.log.snapshot()) if m]
    check(ports, f"no login of {user} in the server's log")
    return int(ports[-1])


def nft(script):
    done = subprocess.run(["nft", "-f", "-"], input=script, capture_output=True, text=True)
    check(done.returncode == 0, f"nft: {done.stderr}")


def deafen(port):
    """Drops every datagram to this port (in this namespace), on top of the random loss."""
    nft(f"""table inet qc_deaf {{
  chain out {{
    type filter hook output priority 0; policy accept;
    udp dport {port} drop
  }}
}}
""")


def undeafen():
    nft("delete table inet qc_deaf\n")


def blocks(count, parts):
    """1..count cut into `parts` consecutive ranges."""
    edges = [1 + count * i // parts for i in range(parts + 1)]
    return [range(edges[i], edges[i + 1]) for i in range(parts)]


def check_received(receiver, sender):
    """Every message of `sender` at `receiver`: each once, in order, one conversation, ids
    ascending. Returns {text: (conv, id)}."""
    got = [o for o in objects(receiver) if o.get("type") in ("message", "history") and
           o.get("from") == sender.user]
    texts = [o["text"] for o in got]
    expected = [text(sender.user, n) for n in range(1, MESSAGES + 1)]
    check(texts == expected, f"{receiver.user} got from {sender.user}: {texts}")
    keys = [(o["conv"], o["epoch"], o["id"]) for o in got]
    check(len({k[:2] for k in keys}) == 1, f"{receiver.user}: conversations/epochs {set(keys)}")
    ids = [k[2] for k in keys]
    check(ids == sorted(set(ids)), f"{receiver.user}: ids not strictly ascending: {ids}")
    own = [o["text"] for o in objects(receiver, type="message") if o.get("from") == receiver.user]
    check(not own, f"{receiver.user} was shown its own messages as new: {own}")
    return {o["text"]: (o["conv"], o["id"]) for o in got}


def check_acknowledged(sender, delivered):
    """Each message of `sender` acknowledged exactly once (one ack per text and per client
    message id), under the (conv, id) the receiver got it with; none refused."""
    acks = objects(sender, type="ack")
    texts = [a["text"] for a in acks]
    expected = [text(sender.user, n) for n in range(1, MESSAGES + 1)]
    check(sorted(texts) == expected, f"{sender.user}'s acks: {texts}")
    cids = [a["client_id"] for a in acks]
    check(len(set(cids)) == len(cids), f"{sender.user}: a client message id acked twice: {cids}")
    for a in acks:
        sent = [(s["conv"], s["id"]) for s in a["sent"]]
        check(sent == [delivered[a["text"]]], f"{sender.user}: ack {a} vs delivered "
                                              f"{delivered[a['text']]}")
    refused = [o for o in objects(sender, type="error") if "message" in o]
    check(not refused, f"{sender.user}: refused sends {refused}")
    return sum(1 for a in acks if a.get("duplicate"))


def dump(env, clients):
    """What each process said, for a failure's diagnosis."""
    for client in clients:
        for line in client.out.snapshot() + client.err.snapshot():
            print(f"    {client.user}: {line}")
    for line in env.server.log.snapshot()[-40:]:
        print(f"    server: {line}")


def run(binary):
    with Env(binary) as env:
        try:
            exchange(env)
        except TestFailure:
            dump(env, env.clients)
            raise
        finally:
            # Not stopped gracefully: it would wait on the clients' lossy goodbyes for seconds.
            kill_server(env)


def exchange(env):
    # A handshake can take seconds here (each lost flight doubles the wait): bounds, not waits.
    extra = ("--reconnect", "--connect-timeout-ms", "60000")
    alice = env.json("alice", *extra, "--state-dir", env.state_dir("alice"))
    bob = env.json("bob", *extra, "--state-dir", env.state_dir("bob"))
    for client in (alice, bob):
        client.expect_json(type="system", code="login", timeout=FINAL_TIMEOUT)
    log("both logged in")
    # Per kill: a live block, a block typed while the server is down, a block sent as the
    # clients reconnect; then a last live block. The last message of each live block is stored
    # but its acknowledgement never arrives: its sender (alice, then bob) hears nothing from the
    # server from just before it until the kill, so it must send it again after the restart
    # and be told the server had it; the peer's last message reaches it by the catch-up only.
    parts = blocks(MESSAGES, 3 * KILLS + 1)
    lost_acks = []
    for k in range(KILLS):
        live, down, back = parts[3 * k:3 * k + 3]
        deaf, other = (alice, bob) if k % 2 == 0 else (bob, alice)
        send_interleaved(alice, bob, live[:-1])
        deaf.expect_json(type="ack", text=text(deaf.user, live[-2]), timeout=FINAL_TIMEOUT)
        deafen(client_port(env, deaf.user))
        send_interleaved(alice, bob, live[-1:])
        other.expect_json(type="message", text=text(deaf.user, live[-1]), timeout=FINAL_TIMEOUT)
        other.expect_json(type="ack", text=text(other.user, live[-1]), timeout=FINAL_TIMEOUT)
        lost_acks.append((deaf, text(deaf.user, live[-1])))
        kill_server(env)
        undeafen()
        type_while_down(alice, bob, down)
        restart_server(env)
        send_interleaved(alice, bob, back)
    send_interleaved(alice, bob, parts[-1])
    for client, peer in ((alice, bob), (bob, alice)):
        client.expect_json(type="message", text=text(peer.user, MESSAGES), timeout=FINAL_TIMEOUT)
        for n in range(1, MESSAGES + 1):
            client.expect_json(type="ack", text=text(client.user, n), timeout=FINAL_TIMEOUT)
    log("each side has the other's last message and all its acks")
    at_bob = check_received(bob, alice)
    at_alice = check_received(alice, bob)
    duplicates = check_acknowledged(alice, at_bob) + check_acknowledged(bob, at_alice)
    for client, lost in lost_acks:
        ack = client.expect_json(type="ack", text=lost)
        check(ack.get("duplicate") is True, f"{client.user}: {lost} not known as sent: {ack}")
    reconnects = sum(len(objects(c, code="reconnecting")) for c in (alice, bob))
    log(f"{MESSAGES} each way: all delivered once, in order; {reconnects} reconnect(s), "
        f"{duplicates} ack(s) of a copy the server already had")


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    # The shell's timeout sends SIGTERM: leave through `with Env`, which kills the processes.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    try:
        run(os.path.abspath(sys.argv[1]))
    except TestFailure as e:
        print(f"FAIL {e}", flush=True)
        return 1
    print("PASS every message exactly once, in order, each side", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
