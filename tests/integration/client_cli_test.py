#!/usr/bin/env python3
"""End-to-end tests of `quicchat client` against `quicchat server` on 127.0.0.1.
Usage: client_cli_test.py QUICCHAT_BINARY [TEST_NAME...]"""
import os
import re
import shutil
import signal
import socket
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from client_support import (JsonClient, ScriptClient, Server, TestFailure, TmuxClient, run,  # noqa: E402
                            main)

BINARY = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else None


def check(condition, message):
    if not condition:
        raise TestFailure(message)


# This file tests the v1 display (session ids); client_v2_test.py tests protocol v2.
V1 = ("--max-version", "1")


class Env:
    """A server plus the clients a test started; everything is torn down on exit."""

    def __init__(self):
        self.server = Server(BINARY)
        self.clients = []

    def script(self, *extra, login=None):
        c = ScriptClient(self.server, *V1, *extra, login=login)
        self.clients.append(c)
        return c

    def tmux(self, *extra):
        c = TmuxClient(self.server, *V1, *extra)
        self.clients.append(c)
        return c

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        for c in self.clients:
            c.close() if isinstance(c, TmuxClient) else c.kill()
        self.server.close()


def test_seed_example_session():
    with Env() as env:
        alice = env.script(login="alice")
        alice.expect(r"^\[Sys\] Login successful\. You are 1 \(alice\)\. Active users: 1 alice$")
        bob = env.script(login="bob")
        bob.expect(r"^\[Sys\] Login successful\. You are 2 \(bob\)\. Active users: 1 alice, 2 bob$")
        alice.expect(r"^\[Sys\] Some user login\. Active users: 1 alice, 2 bob$")
        cam = env.script(login="cam")
        for c in (alice, bob):
            c.expect(r"^\[Sys\] Some user login\. Active users: 1 alice, 2 bob, 3 cam$")

        alice.send("0: Good morning everyone!")
        for c in (alice, bob, cam):
            c.expect(r"^\[Broad Msg\] alice: Good morning everyone!$")
        bob.send("1: Hi Alice, how are you today?")
        alice.expect(r"^\[1-1 Msg\] bob: Hi Alice, how are you today\?$")
        cam.send("1,2: Meeting at 3 PM, don't forget!")
        for c in (alice, bob):
            c.expect(r"^\[1-n Msg\] cam: Meeting at 3 PM, don't forget!$")
        alice.send("9: anyone there?")
        alice.expect(r"^\[Err\] Target user not available$")
        alice.send("0:")
        alice.expect(r"^Message cannot be empty for broadcast\.$")
        alice.send("x: hi")
        alice.expect(r"^Invalid user ID\. User ID must be an integer\.$")
        alice.send("no colon")
        alice.expect(r"^Invalid input format\. Use 'user_id: message'")

        cam.send("logout")
        cam.expect(r"^\[Sys\] Logout successful$")
        check(cam.wait() == 0, "cam did not exit 0 after logout")
        for c in (alice, bob):
            c.expect(r"^\[Sys\] Some user logout\. Active users: 1 alice, 2 bob$")
        check(alice.finish() == 0, "alice did not exit 0 at end of input")
        alice.expect(r"^\[Sys\] Logout successful$")
        check(bob.finish() == 0, "bob did not exit 0 at end of input")
        check(cam.out.count(r"^\[1-1 Msg\]") == 0, "cam received a one-to-one message meant for alice")


def test_name_addressing_and_who():
    with Env() as env:
        alice = env.script(login="alice")
        bob = env.script(login="bob")
        alice.expect(r"Some user login\. Active users: 1 alice, 2 bob$")
        alice.send("@bob: hi there: with a colon")
        bob.expect(r"^\[1-1 Msg\] alice: hi there: with a colon$")
        alice.send("@bob,@alice: group")
        alice.expect(r"^\[1-n Msg\] alice: group$")
        bob.expect(r"^\[1-n Msg\] alice: group$")
        alice.send("/who")
        alice.expect(r"^\[Sys\] Active users: 1 alice, 2 bob \(you are 1\)$")
        alice.send("@zed: hello")
        alice.expect(r"^Unknown user 'zed'\. Use /who to list active users\.$")
        check(alice.finish() == 0 and bob.finish() == 0, "clients did not exit 0")


def test_seed_alpn_one_pdu_per_write():
    with Env() as env:
        alice = env.script("--alpn", "echo-protocol", "--keepalive-ms", "100", login="alice")
        bob = env.script("--alpn", "echo-protocol", login="bob")
        alice.expect(r"Some user login\. Active users: 1 alice, 2 bob$")
        for i in range(5):
            alice.send(f"2: burst {i}")
        for i in range(5):
            bob.expect(rf"^\[1-1 Msg\] alice: burst {i}$")
        check(alice.finish() == 0 and bob.finish() == 0, "clients did not exit 0")


def test_wrong_password_then_right():
    with Env() as env:
        alice = env.script()
        for line in ("alice", "wrong", "alice", "p1"):
            alice.send(line)
        alice.expect(r"^\[Err\] Invalid credentials\. Attempts left: 2$")
        alice.expect(r"^\[Sys\] Login successful\. You are 1 \(alice\)")
        check(alice.finish() == 0, "alice did not exit 0")


def test_user_flag_and_password_file():
    with Env() as env:
        path = os.path.join(env.server.dir, "bob.pw")
        with open(path, "w") as f:
            f.write("p2\n")
        bob = env.script("--user", "bob", "--password-file", path)
        bob.expect(r"^\[Sys\] Login successful\. You are 1 \(bob\)")
        bob.send("/who")
        bob.expect(r"^\[Sys\] Active users: 1 bob \(you are 1\)$")
        check(bob.finish() == 0, "bob did not exit 0")


def test_failed_login_exits_nonzero():
    with Env() as env:
        eve = env.script("--user", "alice")
        for _ in range(3):
            eve.send("bad")
        code = eve.wait()
        check(code != 0, "a client whose login failed exited 0")
        eve.err.wait_for(r"^\[Err\] ", timeout=1)


def test_connection_loss_is_reported():
    with Env() as env:
        alice = env.script(login="alice")
        env.server.proc.send_signal(signal.SIGTERM)  # the server closes every connection
        code = alice.wait(timeout=30)
        check(code == 1, f"exit code {code} after connection loss")
        alice.err.wait_for(r"^\[Err\] Connection lost: ", timeout=1)


def test_reconnect_logs_in_again():
    with Env() as env:
        alice = env.script("--reconnect", login="alice")
        env.server.stop()
        alice.expect(r"^\[Err\] Connection lost: ")
        alice.send("0: typed while away")  # held until the client is logged in again
        env.server.start()
        alice.expect(r"^\[Sys\] Reconnected\. You are now 1 \(alice\)\.$", timeout=30)
        alice.expect(r"^\[Broad Msg\] alice: typed while away$")
        bob = env.script(login="bob")
        bob.send("1: welcome back")
        alice.expect(r"^\[1-1 Msg\] bob: welcome back$")
        check(alice.finish() == 0, "alice did not exit 0")


def test_kill_9_and_restart_is_noticed_at_the_next_message():
    with Env() as env:
        alice = env.script("--reconnect", login="alice")
        env.server.proc.kill()  # SIGKILL: no CONNECTION_CLOSE reaches alice
        env.server.proc.wait()
        env.server.start()  # the same port and the same secret file (beside the database)
        started = time.monotonic()
        alice.send("0: typed after the restart")
        # The restarted server's stateless reset is recognised: not the 120 s idle timeout.
        alice.expect(r"^\[Err\] Connection lost: stateless reset from peer$", timeout=5)
        lost = time.monotonic() - started
        alice.expect(r"^\[Sys\] Reconnecting\.\.\.$", timeout=1)
        alice.expect(r"^\[Sys\] Reconnected\. You are now 1 \(alice\)\.$", timeout=5)
        back = time.monotonic() - started
        print(f"  kill -9 + restart: 'Connection lost' {lost * 1000:.0f} ms after the first line "
              f"typed, logged in again after {back * 1000:.0f} ms")
        check(alice.finish() == 0, "alice did not exit 0")


def test_kill_9_without_restart_is_noticed_and_the_lost_line_named():
    with Env() as env:
        alice = env.script("--reconnect", login="alice")
        alice.send("0: before the crash")
        alice.expect(r"^\[Broad Msg\] alice: before the crash$")
        # The echo can leave before the server's delayed ACK (max_ack_delay 25 ms), and nothing
        # outside the transport shows that ACK: give it time, so the line counts as delivered.
        time.sleep(0.3)
        env.server.proc.kill()  # SIGKILL, and no server comes back
        env.server.proc.wait()
        started = time.monotonic()
        alice.send("0: typed into the void")
        # The liveness check (5 s without an acknowledgement), not the 120 s idle timeout.
        alice.expect(r"^\[Err\] Connection lost: server not responding for \d+\.\d s$", timeout=10)
        lost = time.monotonic() - started
        alice.expect(r"^\[Err\] Not delivered \(connection lost\): 0: typed into the void$",
                     timeout=1)
        named = time.monotonic() - started
        print(f"  kill -9, no restart: 'Connection lost' {lost * 1000:.0f} ms after the line was "
              f"typed, the line named as not delivered after {named * 1000:.0f} ms")
        check(lost < 8, f"the silent server was noticed only after {lost:.1f} s")
        check(alice.out.count(r"Not delivered") == 1,
              f"other lines were named: {alice.out.snapshot()}")


def test_line_addressed_by_id_is_not_sent_across_a_restart():
    with Env() as env:
        bob = env.script(login="bob")  # bob is 1, alice 2
        alice = env.script("--reconnect", login="alice")
        env.server.stop()
        alice.expect(r"^\[Err\] Connection lost: ")
        check(bob.wait(timeout=30) == 1, "bob (no --reconnect) did not exit 1")
        alice.send("1: private note for bob")  # held until alice is logged in again
        env.server.start()
        # Ids restart at 1: alice herself is now 1, and the note must not reach "1".
        alice.expect(r"^\[Sys\] Reconnected\. You are now 1 \(alice\)\.$", timeout=30)
        alice.expect(r"^\[Err\] Not sent \(session ids change when the server restarts; "
                     r"send again\): 1: private note for bob$")
        alice.send("0: still here")
        alice.expect(r"^\[Broad Msg\] alice: still here$")
        check(alice.out.count(r"private note") == 1, f"the note was delivered: {alice.out.snapshot()}")
        check(alice.finish() == 0, "alice did not exit 0")


def test_kick_is_reported_and_not_reconnected():
    with Env() as env:
        bob = env.script("--reconnect", login="bob")
        kick = run([BINARY, "admin", "--socket", env.server.admin_socket, "kick", "bob", "spamming"])
        check("kicked bob" in kick, f"admin kick said {kick!r}")
        code = bob.wait(timeout=30)
        check(code == 1, f"exit code {code} after a kick")
        bob.err.wait_for(r"^\[Err\] Connection lost: kicked by the operator: spamming$", timeout=1)


def test_rebind_keeps_the_session():
    with Env() as env:
        alice = env.script(login="alice")
        bob = env.script(login="bob")
        alice.expect(r"Some user login\. Active users: 1 alice, 2 bob$")
        alice.send("/rebind")
        alice.expect(r"^\[Sys\] Moved to a new local port; session continues\.$")
        alice.send("2: from the new port")
        bob.expect(r"^\[1-1 Msg\] alice: from the new port$")
        bob.send("1: reply to the new port")
        alice.expect(r"^\[1-1 Msg\] bob: reply to the new port$")
        check(bob.out.count(r"Some user login") == 0, "the rebind caused a new login")
        check(alice.out.count(r"Login successful") == 1, "alice logged in twice")
        check(alice.finish() == 0 and bob.finish() == 0, "clients did not exit 0")


def test_interactive_prompts_hide_the_password():
    with Env() as env:
        term = env.tmux()
        term.wait_for(r"^Enter username:")
        term.type("alice")
        term.keys("Enter")
        term.wait_for(r"^Enter password:")
        term.type("p1")
        term.keys("Enter")
        pane = term.wait_for(r"^\[Sys\] Login successful\. You are 1 \(alice\)")
        check("p1" not in pane, f"password echoed:\n{pane}")
        term.type("logout")
        term.keys("Enter")
        term.wait_for(r"^\[Sys\] Logout successful$")


def test_interactive_incoming_message_keeps_the_typed_line():
    with Env() as env:
        term = env.tmux("--user", "alice")
        term.wait_for(r"^Enter password:")
        term.type("p1")
        term.keys("Enter")
        term.wait_for(r"Login successful")
        bob = env.script(login="bob")
        term.wait_for(r"Some user login")
        term.type("0: half typ")
        term.wait_for(r"^0: half typ$")
        bob.send("1: interrupting")
        # The message is written first and the prompt line redrawn after it (two writes): await
        # the redraw instead of judging the pane between them.
        pane = term.wait_for(r"^\[1-1 Msg\] bob: interrupting\n0: half typ$")
        lines = [l for l in pane.splitlines() if l.strip()]
        check(lines and lines[-1] == "0: half typ", f"typed line not kept below the message:\n{pane}")
        term.type("ed")
        term.keys("Enter")
        bob.expect(r"^\[Broad Msg\] alice: half typed$")
        term.type("/who")
        term.keys("Enter")
        term.wait_for(r"^\[Sys\] Active users: 1 alice, 2 bob \(you are 1\)$")
        term.type("/rebind")
        term.keys("Enter")
        term.wait_for(r"^\[Sys\] Moved to a new local port; session continues\.$")
        bob.send("1: after rebind")
        term.wait_for(r"^\[1-1 Msg\] bob: after rebind$")


def test_interactive_ctrl_c_logs_out():
    with Env() as env:
        bob = env.script(login="bob")
        term = env.tmux("--user", "alice")
        term.wait_for(r"^Enter password:")
        term.type("p1")
        term.keys("Enter")
        term.wait_for(r"Login successful")
        term.type("half a line")
        term.keys("C-c")
        term.wait_for(r"^\[Sys\] Logout successful$")
        bob.expect(r"^\[Sys\] Some user logout\. Active users: 1 bob$")


def test_json_lines_in_v1():
    with Env() as env:
        alice = JsonClient(env.server, "alice", *V1)
        env.clients.append(alice)
        alice.expect_json(type="system", code="connecting")
        alice.expect_json(type="system", code="version", text="protocol 1")
        login = alice.expect_json(type="system", code="login")
        check(login["user"] == "alice" and login["user_id"] == 1, f"{login}")
        alice.expect_json(type="presence", code="snapshot", users=[{"id": 1, "name": "alice"}])
        bob = env.script(login="bob")
        alice.expect_json(type="presence", code="login")
        bob.send("1: hi alice")
        got = alice.expect_json(type="message", text="hi alice")
        check(got["from"] == "bob" and got["from_id"] == 2 and got["kind"] == "1-1", f"{got}")
        alice.send("9: nobody")
        alice.expect_json(type="error", code="msg_unsuccessful")
        alice.send("bad line")
        alice.expect_json(type="error", code="local")
        check(alice.finish() == 0, "alice did not exit 0")
        alice.expect_json(type="system", code="logged_out")


def test_silent_server_is_reported_after_the_connect_timeout():
    """A UDP port that swallows every packet: the client says so at once and gives up after
    --connect-timeout-ms (3 s by default), not after the transport's 10 s."""
    silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    silent.bind(("127.0.0.1", 0))
    port = silent.getsockname()[1]
    server = Server.__new__(Server)  # only client_args: no server process
    server.binary, server.port, server.ca, server.dir = BINARY, port, "/dev/null", tempfile.mkdtemp()
    try:
        started = time.monotonic()
        client = ScriptClient(server, *V1, "--ca", "")
        client.expect(rf"^\[Sys\] Connecting to 127\.0\.0\.1:{port}\.\.\.$", timeout=2)
        code = client.wait(timeout=20)
        took = time.monotonic() - started
        err = client.err.wait_for(r"Cannot connect")
        print(f"  silent server reported after {took:.2f} s: {err}", flush=True)
        check(code == 1, f"exit code {code}")
        check(re.search(r"no answer after \d+\.\d s", err), err)
        check(took < 9.0, f"took {took:.1f} s: the 10 s transport default, not the client's")
    finally:
        silent.close()
        shutil.rmtree(server.dir, ignore_errors=True)


TESTS = [
    test_seed_example_session,
    test_name_addressing_and_who,
    test_seed_alpn_one_pdu_per_write,
    test_wrong_password_then_right,
    test_user_flag_and_password_file,
    test_failed_login_exits_nonzero,
    test_connection_loss_is_reported,
    test_reconnect_logs_in_again,
    test_kill_9_and_restart_is_noticed_at_the_next_message,
    test_kill_9_without_restart_is_noticed_and_the_lost_line_named,
    test_line_addressed_by_id_is_not_sent_across_a_restart,
    test_kick_is_reported_and_not_reconnected,
    test_rebind_keeps_the_session,
    test_interactive_prompts_hide_the_password,
    test_interactive_incoming_message_keeps_the_typed_line,
    test_interactive_ctrl_c_logs_out,
    test_json_lines_in_v1,
    test_silent_server_is_reported_after_the_connect_timeout,
]

if __name__ == "__main__":
    main(TESTS, "client_cli_test.py")
