#!/usr/bin/env python3
"""End-to-end tests of `quicchat client` speaking protocol v2 (issue 12) to `quicchat server`,
read through --json (and the display for the HH:MM lines).
Usage: client_v2_test.py QUICCHAT_BINARY [TEST_NAME...]"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import client_support as support  # noqa: E402
from client_support import ACCOUNTS, check, main  # noqa: E402

BINARY = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else None
CLOCK = r"\d\d:\d\d "


def Env(accounts=None):  # noqa: N802 - reads as the class it makes
    return support.Env(BINARY, accounts)


def test_direct_broadcast_and_presence():
    with Env() as env:
        alice = env.json("alice")
        alice.logged_in()
        alice.expect_json(type="presence", snapshot=True)
        bob = env.json("bob")
        bob.logged_in()
        # Changes are coalesced: bob may come in one frame with others.
        alice.expect_json(type="presence", where=lambda o: "bob" in o.get("joined", []))
        alice.send("@bob: hi bob")
        sending = alice.expect_json(type="system", code="sending", text="hi bob")
        ack = alice.expect_json(type="ack", client_id=sending["client_id"])
        check(ack["sent"][0]["to"] == "bob", f"ack {ack}")
        got = bob.expect_json(type="message", text="hi bob")
        check(got["from"] == "alice" and got["conv"].startswith("d:") and got["id"] >= 1, f"{got}")
        check(got["id"] == ack["sent"][0]["id"], f"ids differ: {got} {ack}")
        alice.send("0: hello all")
        got = bob.expect_json(type="message", text="hello all")
        check(got["conv"] == "all", f"{got}")
        alice.send("2: by number")
        alice.expect_json(type="error", code="local")
        bob.finish()
        alice.expect_json(type="presence", left=["bob"])


def test_unknown_name_is_refused_per_name():
    with Env() as env:
        alice = env.json("alice")
        alice.logged_in()
        alice.send("@zed: anyone?")
        refused = alice.expect_json(type="error", code="no_such_user")
        check(refused.get("message") == "anyone?", f"{refused}")
        alice.send("@bob,@zed: half")
        ack = alice.expect_json(type="ack", text="half")
        check([e["to"] for e in ack.get("errors", [])] == ["zed"], f"{ack}")
        check(ack["sent"][0].get("offline") is True, f"bob is offline: {ack}")


def test_display_has_clock_pending_and_presence_lines():
    with Env() as env:
        alice = env.script("--user", "alice")
        alice.send(ACCOUNTS["alice"])
        alice.expect(rf"^{CLOCK}\[Sys\] Login successful\. You are alice\.$")
        bob = env.json("bob")
        bob.logged_in()
        alice.expect(rf"^{CLOCK}\[Sys\] bob is online$")
        alice.send("@bob: hi")
        alice.expect(rf"^{CLOCK}… \[1-1 Msg\] you -> bob: hi$")
        alice.expect(rf"^{CLOCK}\[1-1 Msg\] you -> bob: hi$")
        bob.send("@alice: hello")
        alice.expect(rf"^{CLOCK}\[1-1 Msg\] bob: hello$")
        alice.send("7: old habit")
        alice.expect(rf"^{CLOCK}Session ids are not used with this server")


def test_other_device_sees_own_messages_and_device_id_is_stable():
    with Env() as env:
        state_a = os.path.join(env.server.dir, "device-a")
        state_b = os.path.join(env.server.dir, "device-b")
        laptop = env.json("alice", "--state-dir", state_a)
        welcome = laptop.logged_in()
        phone = env.json("alice", "--state-dir", state_b)
        check(phone.logged_in()["device"] != welcome["device"], "two devices share an id")
        bob = env.json("bob")
        bob.logged_in()
        laptop.send("@bob: from the laptop")
        copy = phone.expect_json(type="message", text="from the laptop")
        check(copy.get("own") is True and copy["to"] == ["bob"], f"{copy}")
        laptop.finish()
        again = env.json("alice", "--state-dir", state_a)
        check(again.logged_in()["device"] == welcome["device"], "the device id changed")
        with open(os.path.join(state_a, f"127.0.0.1:{env.server.port}", "alice", "device")) as f:
            check(f.read().strip() == welcome["device"], "the stored id is not the one sent")


def test_echo_protocol_stays_v1():
    with Env() as env:
        alice = env.script("--alpn", "echo-protocol", "--user", "alice")
        alice.send(ACCOUNTS["alice"])
        alice.expect(r"^\[Sys\] Login successful\. You are \d+ \(alice\)")


# Two v2 clients, a v1 client of ours and a v1 client on the original's ALPN share one server:
# each sees the others' messages; v1 users appear to v2 users by name, v2 users to v1 users with
# session ids as before.
def test_v1_and_v2_clients_share_one_server():
    accounts = dict(ACCOUNTS, dan="p4")
    with Env(accounts) as env:
        alice = env.json("alice")
        alice.logged_in()
        bob = env.json("bob")
        bob.logged_in()
        cam = env.json("cam", "--max-version", "1")
        check(cam.expect_json(type="system", code="version")["text"] == "protocol 1", "cam not v1")
        cam.logged_in()
        dan = env.json("dan", "--alpn", "echo-protocol")
        dan.logged_in()
        alice.expect_json(type="presence", where=lambda o: "dan" in o.get("joined", []) or
                          "dan" in o.get("online", []))
        alice.send("0: hello all")
        for v1 in (cam, dan):
            got = v1.expect_json(type="message", text="hello all")
            check(got["from"] == "alice", f"{got}")
        check(bob.expect_json(type="message", text="hello all")["from"] == "alice", "bob")
        cam.send("@alice: from cam")
        got = alice.expect_json(type="message", text="from cam")
        check(got["from"] == "cam" and got["conv"].startswith("d:"), f"{got}")
        dan.send("@bob: from dan")
        check(bob.expect_json(type="message", text="from dan")["from"] == "dan", "bob from dan")
        bob.send("@dan,@cam: from bob")
        for v1 in (cam, dan):
            check(v1.expect_json(type="message", text="from bob")["from"] == "bob", "v1 from bob")


TESTS = [
    test_direct_broadcast_and_presence,
    test_unknown_name_is_refused_per_name,
    test_display_has_clock_pending_and_presence_lines,
    test_other_device_sees_own_messages_and_device_id_is_stable,
    test_echo_protocol_stays_v1,
    test_v1_and_v2_clients_share_one_server,
]

if __name__ == "__main__":
    main(TESTS, "client_v2_test.py")
