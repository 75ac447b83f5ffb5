#!/usr/bin/env python3
"""End-to-end tests of `quicchat client` with rooms, history, offline delivery, unread counts and
resume (issue 13) against `quicchat server`, read through --json (and the display for the
[History] and room lines). Written against the server of issue 13: they need the server's
rooms, message store and login catch-up.
Usage: client_rooms_test.py QUICCHAT_BINARY [TEST_NAME...]"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import client_support as support  # noqa: E402
from client_support import ACCOUNTS, check, main, parse_json  # noqa: E402

BINARY = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else None
CLOCK = r"\d\d:\d\d "


def Env():  # noqa: N802 - reads as the class it makes
    return support.Env(BINARY)


def objects(client, **fields):
    """Every JSON line so far holding all these fields."""
    out = []
    for line in client.out.snapshot():
        obj = parse_json(line)
        if obj is not None and all(obj.get(k) == v for k, v in fields.items()):
            out.append(obj)
    return out


def synced(client):
    """Waits for the end of the login's catch-up; returns the unread counts by conversation."""
    unread = client.expect_json(type="unread")
    return {u["conv"]: u["count"] for u in unread["unread"]}


def test_rooms_join_send_topic_members_remove():
    with Env() as env:
        alice = env.json("alice")
        alice.logged_in()
        alice.send("/join #Team")
        joined = alice.expect_json(type="room", code="joined")
        check(joined["created"] is True and joined["op"] == "alice" and joined["conv"] == "#team",
              f"{joined}")
        bob = env.json("bob")
        bob.logged_in()
        bob.send("/join #team")
        check(bob.expect_json(type="room", code="joined")["created"] is False, "bob created it")
        alice.expect_json(type="room", code="event", event="join", user="bob")
        alice.send("#team: hello room")
        ack = alice.expect_json(type="ack", text="hello room")
        check(ack["sent"][0]["conv"] == "#team", f"{ack}")
        got = bob.expect_json(type="message", text="hello room")
        check(got["kind"] == "room" and got["conv"] == "#team" and got["from"] == "alice", f"{got}")
        check(got["id"] == ack["sent"][0]["id"], f"ids differ: {got} {ack}")
        bob.send("/topic #team release friday")
        bob.expect_json(type="error", code="not_operator")
        alice.send("/topic #team release friday")
        bob.expect_json(type="room", code="event", event="topic", topic="release friday")
        bob.send("/rooms")
        rooms = bob.expect_json(type="room", code="rooms")["rooms"]
        check([(r["room"], r["members"], r["topic"]) for r in rooms] ==
              [("#Team", 2, "release friday")], f"{rooms}")
        alice.send("/members #team")
        members = alice.expect_json(type="room", code="members")
        check(members["members"] == ["alice", "bob"] and members["op"] == "alice", f"{members}")
        alice.send("/remove #team bob")
        bob.expect_json(type="room", code="event", event="remove", user="bob")
        bob.send("#team: still here?")
        check(bob.expect_json(type="error", code="not_member")["message"] == "still here?", "bob")
        alice.send("/join #no!")
        alice.expect_json(type="error", code="local")


def test_history_pages_are_marked():
    with Env() as env:
        alice = env.json("alice")
        alice.logged_in()
        alice.send("/join #team")
        alice.expect_json(type="room", code="joined")
        for n in range(1, 4):
            alice.send(f"#team: note {n}")
            alice.expect_json(type="ack", text=f"note {n}")
        bob = env.script("--user", "bob")
        bob.send(ACCOUNTS["bob"])
        bob.expect(rf"^{CLOCK}\[Sys\] Login successful")
        bob.send("/join #team")
        bob.expect(rf"^{CLOCK}\[Sys\] Joined #team \(2 members, operator alice\)")
        for n in range(1, 4):
            bob.expect(rf"^{CLOCK}\[History\] #team <alice> note {n}$")
        bob.send("/history #team 2")
        bob.expect(r"\[Sys\] End of history of #team \(2 messages; older ones exist\)$")
        bob.send("/open #team")
        bob.send("plain line")
        got = alice.expect_json(type="message", text="plain line")
        check(got["conv"] == "#team" and got["from"] == "bob", f"{got}")


def test_offline_messages_and_unread_counts():
    with Env() as env:
        alice = env.json("alice")
        alice.logged_in()
        for text in ("while away 1", "while away 2"):
            alice.send(f"@bob: {text}")
            ack = alice.expect_json(type="ack", text=text)
            check(ack["sent"][0]["offline"] is True, f"bob is offline: {ack}")
        bob = env.json("bob", "--state-dir", env.state_dir("bob-laptop"))
        bob.logged_in()
        first = bob.expect_json(type="message", text="while away 1")
        check(first.get("catch_up") is True, f"{first}")
        bob.expect_json(type="message", text="while away 2")
        unread = synced(bob)
        check(unread.get(first["conv"]) == 2, f"unread {unread}")
        check(bob.finish() == 0, "bob's logout")  # the reads go out before the logout
        phone = env.json("bob", "--state-dir", env.state_dir("bob-phone"))
        phone.logged_in()
        check(synced(phone) == {}, "read on the laptop: nothing unread on the phone")
        check(not objects(phone, type="message"), f"shown again: {phone.out.snapshot()}")


def test_a_restarted_client_resumes_without_duplicates():
    with Env() as env:
        state = env.state_dir("bob")
        alice = env.json("alice")
        alice.logged_in()
        bob = env.json("bob", "--state-dir", state)
        bob.logged_in()
        alice.send("@bob: one")
        bob.expect_json(type="message", text="one")
        bob.send("/who")  # its answer comes after the state of "one" is on disk
        bob.expect_json(type="presence", where=lambda o: "online" in o and "snapshot" not in o)
        bob.kill()  # a crash: no logout (and maybe no read cursor for "one")
        for text in ("two", "three"):
            alice.send(f"@bob: {text}")
            alice.expect_json(type="ack", text=text)
        again = env.json("bob", "--state-dir", state)
        again.logged_in()
        again.expect_json(type="message", text="two")
        again.expect_json(type="message", text="three")
        synced(again)
        texts = [m["text"] for m in objects(again, type="message")]
        check(texts == ["two", "three"], f"shown: {texts}")


def test_an_unacknowledged_send_is_sent_once_after_a_restart():
    with Env() as env:
        state = env.state_dir("alice")
        folder = os.path.join(state, f"127.0.0.1:{env.server.port}", "alice")
        os.makedirs(folder, mode=0o700)
        send = {"t": "send", "rid": 0, "to": ["bob"], "text": "from before the crash",
                "cid": "crashed-1"}
        with open(os.path.join(folder, "resume"), "w") as f:
            f.write(f"quicchat-resume 1\nsend {json.dumps(send)}\nend\n")
        bob = env.json("bob")
        bob.logged_in()
        alice = env.json("alice", "--state-dir", state)
        alice.logged_in()
        first = alice.expect_json(type="ack", client_id="crashed-1")
        check(first["duplicate"] is False, f"{first}")
        bob.expect_json(type="message", text="from before the crash")
        check(alice.finish() == 0, "alice's logout")
        with open(os.path.join(folder, "resume")) as f:
            check("crashed-1" not in f.read(), "still kept after its ack")
        # The same send again (as if the ack had been lost): acknowledged, not delivered twice.
        with open(os.path.join(folder, "resume"), "w") as f:
            f.write(f"quicchat-resume 1\nsend {json.dumps(send)}\nend\n")
        again = env.json("alice", "--state-dir", state)
        again.logged_in()
        check(again.expect_json(type="ack", client_id="crashed-1")["duplicate"] is True, "dup")
        again.send("@bob: marker")
        bob.expect_json(type="message", text="marker")
        check(len(objects(bob, type="message", text="from before the crash")) == 1,
              f"delivered twice: {bob.out.snapshot()}")


def test_reconnect_across_a_server_kill_loses_and_repeats_nothing():
    with Env() as env:
        alice = env.json("alice", "--reconnect", "--state-dir", env.state_dir("alice"))
        alice.logged_in()
        bob = env.json("bob", "--reconnect", "--state-dir", env.state_dir("bob"))
        bob.logged_in()
        for n in range(1, 6):
            alice.send(f"@bob: n{n}")
        alice.expect_json(type="ack", text="n5")
        env.server.proc.kill()  # kill -9
        env.server.proc.wait()
        for n in range(6, 11):
            alice.send(f"@bob: n{n}")  # typed while the server is down: held or re-sent
        env.server.start()
        bob.expect_json(type="message", text="n10", timeout=60)
        texts = [m["text"] for m in objects(bob, type="message") if m["text"].startswith("n")]
        check(texts == [f"n{n}" for n in range(1, 11)], f"bob saw {texts}")


TESTS = [
    test_rooms_join_send_topic_members_remove,
    test_history_pages_are_marked,
    test_offline_messages_and_unread_counts,
    test_a_restarted_client_resumes_without_duplicates,
    test_an_unacknowledged_send_is_sent_once_after_a_restart,
    test_reconnect_across_a_server_kill_loses_and_repeats_nothing,
]

if __name__ == "__main__":
    main(TESTS, "client_rooms_test.py")
