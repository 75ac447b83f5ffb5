#!/usr/bin/env python3
"""End-to-end tests of `quicchat client --server A,B` (issue 14): two servers sharing one account
database and one secret file; the client connects to the first that answers and, with
--reconnect, moves to the other when the one it is on dies (kill -9), logging in again with the
same device id and state folder.
Usage: client_failover_test.py QUICCHAT_BINARY [TEST_NAME...]"""
import os
import socket
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import client_support as support  # noqa: E402
from client_support import ACCOUNTS, check, main  # noqa: E402

BINARY = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else None


class Node(support.Server):
    """A second server on the first one's database, certificates and secret file."""

    def __init__(self, first, name, server_args=()):
        self.binary = first.binary
        self.accounts = first.accounts
        self.server_args = list(server_args)
        self.dir = first.dir
        self.ca, self.key, self.db = first.ca, first.key, first.db
        self.admin_socket = os.path.join(first.dir, f"admin-{name}.sock")
        self.port = 0
        self.start()


class Servers:
    """What a client needs to be started on a --server list (ScriptClient calls client_args)."""

    def __init__(self, first, server_list):
        self.first = first
        self.server_list = server_list
        self.accounts = first.accounts
        self.state = os.path.join(first.dir, "state")

    def client_args(self, *extra):
        return [BINARY, "client", "--config", "", "--server", self.server_list, "--ca",
                self.first.ca, "--state-dir", self.state, *extra]


class Cluster(support.Env):
    """Two nodes, a and b; clients on a --server list."""

    def __init__(self):
        super().__init__(BINARY, server_args=["--node-id", "a"])
        self.a = self.server
        self.b = Node(self.a, "b", ["--node-id", "b", "--cid-server-id", "0b01"])

    def client(self, server_list, user, *extra):
        c = support.JsonClient(Servers(self.a, server_list), user, *extra)
        self.clients.append(c)
        return c

    def __exit__(self, *exc):
        self.b.stop()
        super().__exit__(*exc)


def nth(client, n, **fields):
    """Waits for the n-th JSON line (1-based) holding these fields."""
    client.expect_json(where=lambda _: len(support.objects(client, **fields)) >= n, **fields)
    return support.objects(client, **fields)[n - 1]


def test_kill_9_of_the_node_moves_the_client_to_the_other():
    with Cluster() as cluster:
        a, b = f"127.0.0.1:{cluster.a.port}", f"127.0.0.1:{cluster.b.port}"
        alice = cluster.client(f"{a},{b}", "alice", "--reconnect", "--ping-ms", "200",
                               "--liveness-ms", "1000")
        connected = alice.expect_json(type="system", code="connected")
        check(connected.get("server") == a, f"connected to {connected} first, not {a}")
        first_login = alice.logged_in()
        # Each node's connection IDs carry its server id: b's given, a's from its name.
        cluster.b.log.wait_for(r"INFO listening .*cid_server_id=0b01")
        cluster.a.log.wait_for(r"INFO listening .*cid_server_id=[0-9a-f]{4}\b")
        # The nodes share no bus yet: b stores bob's message for alice, who is not on b.
        bob = cluster.client(b, "bob")
        bob.logged_in()
        bob.send("@alice: while you were on a")
        bob.expect_json(type="ack", text="while you were on a")
        cluster.a.proc.kill()  # SIGKILL: no CONNECTION_CLOSE reaches alice
        cluster.a.proc.wait()
        second = nth(alice, 2, type="system", code="connected")
        check(second.get("server") == b, f"reconnected to {second}, not {b}")
        again = nth(alice, 2, type="system", code="login")
        check(again.get("device") == first_login.get("device"),
              f"device id changed across nodes: {first_login} then {again}")
        # One state folder, the list's first entry's: the resume state followed alice.
        state = os.path.join(cluster.a.dir, "state")
        check(os.path.isdir(os.path.join(state, a, "alice")), f"no {a}/alice in the state folder")
        check(not os.path.exists(os.path.join(state, b, "alice")), f"alice's state under {b} too")
        # alice resumed on b: the stored message comes once, and bob, on b too, reaches her live.
        alice.expect_json(type="message", text="while you were on a")
        bob.send("@alice: over here")
        alice.expect_json(type="message", text="over here")
        got = support.objects(alice, type="message", text="while you were on a")
        check(len(got) == 1, f"the stored message came {len(got)} times: {got}")


def test_a_first_entry_that_never_answers_is_skipped():
    silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)  # bound, never read: no answer
    silent.bind(("127.0.0.1", 0))
    dead = f"127.0.0.1:{silent.getsockname()[1]}"
    try:
        with Cluster() as cluster:
            b = f"127.0.0.1:{cluster.b.port}"
            argv = Servers(cluster.a, f"{dead},{b}").client_args(
                "--user", "alice", "--connect-timeout-ms", "500")
            proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True, bufsize=1)
            out = support.Lines(proc.stdout)
            try:
                proc.stdin.write(ACCOUNTS["alice"] + "\n")
                proc.stdin.flush()
                out.wait_for(rf"^\[Sys\] Connecting to {dead}\.\.\.$")
                out.wait_for(rf"\[Err\] Cannot connect to {dead}: no answer after 0\.\d s; "
                             r"trying the next server$")
                out.wait_for(rf"^\[Sys\] Connecting to {b}\.\.\.$")
                out.wait_for(rf"^\[Sys\] Connected to {b}$")
                out.wait_for(r"\[Sys\] Login successful|\[Sys\] Logged in as alice")
                proc.stdin.close()
                check(proc.wait(30) == 0, "the client did not exit 0")
            finally:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
    finally:
        silent.close()


def test_when_no_entry_answers_the_client_names_the_last_and_exits_1():
    silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    silent.bind(("127.0.0.1", 0))
    port = silent.getsockname()[1]
    try:
        argv = [BINARY, "client", "--config", "", "--server", f"127.0.0.1:{port},[::1]",
                "--port", str(port), "--user", "alice", "--connect-timeout-ms", "300",
                "--state-dir", ""]
        done = subprocess.run(argv, input="p1\n", capture_output=True, text=True, timeout=30)
        check(done.returncode == 1, f"exit {done.returncode}: {done.stdout} {done.stderr}")
        check(f"Cannot connect to 127.0.0.1:{port}: no answer" in done.stdout + done.stderr,
              f"first failure not named: {done.stdout} {done.stderr}")
        check(f"[Err] Cannot connect to [::1]:{port}:" in done.stderr,
              f"the last failure is not the fatal line: {done.stderr}")
    finally:
        silent.close()


TESTS = [
    test_kill_9_of_the_node_moves_the_client_to_the_other,
    test_a_first_entry_that_never_answers_is_skipped,
    test_when_no_entry_answers_the_client_names_the_last_and_exits_1,
]

if __name__ == "__main__":
    main(TESTS, "client_failover_test.py")
