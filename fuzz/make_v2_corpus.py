#!/usr/bin/env python3
"""Writes the v2 seed corpora from the golden vectors (tests/unit/proto/v2_golden.h holds the same
frames). v2 bodies are Python's json.dumps with separators=(",", ":") and ensure_ascii=False, members
in the documented order. Run from the repo root."""
import json, os

TS = 1764650000000
TRICKY = 'caf\u00e9 \U0001F600 "q" back\\slash \n\t\x01\x7f'
TOPIC = "release on Friday"
NO_DAN = {"to": "dan", "code": "no_such_user", "text": "no account named dan"}
GOLDEN = {
    "login": {"t": "login", "rid": 1, "user": "alice", "password": "p1", "device": "laptop-3f9a"},
    "send_direct": {"t": "send", "rid": 2, "to": ["bob", "cam"], "text": "hi", "cid": "c-17"},
    "send_broadcast": {"t": "send", "rid": 3, "conv": "all", "text": "hello"},
    "ping": {"t": "ping", "rid": 4},
    "logout": {"t": "logout", "rid": 5},
    "welcome": {"t": "welcome", "rid": 1, "user": "alice", "account": 7, "device": "laptop-3f9a", "ts": TS},
    "presence_snapshot": {"t": "presence", "snapshot": True, "online": ["alice", "bob"]},
    "presence_changes": {"t": "presence", "joined": ["cam"], "left": ["bob"]},
    "msg_direct": {"t": "msg", "conv": "@alice,bob", "id": 12, "epoch": 1, "ts": TS + 123, "from": "alice",
                   "to": ["bob"], "text": "hi", "cid": "c-17"},
    "msg_broadcast": {"t": "msg", "conv": "all", "id": 3, "epoch": 1, "ts": TS + 456, "from": "alice",
                      "text": "hello"},
    "ack": {"t": "ack", "rid": 2, "cid": "c-17", "epoch": 1, "ts": TS + 123,
            "sent": [{"to": "bob", "conv": "@alice,bob", "id": 12},
                     {"to": "cam", "conv": "@alice,cam", "id": 4, "offline": True}],
            "errors": [NO_DAN]},
    "ack_duplicate": {"t": "ack", "rid": 6, "cid": "c-17", "epoch": 1, "ts": TS + 789,
                      "sent": [{"to": "bob", "conv": "@alice,bob", "id": 12}], "duplicate": True},
    "pong": {"t": "pong", "rid": 4},
    "bye": {"t": "bye", "rid": 5},
    "error": {"t": "error", "rid": 2, "code": "no_such_user", "text": "no message was sent", "errors": [NO_DAN]},
    "error_no_rid": {"t": "error", "code": "bad_frame", "text": "frame must be a JSON object"},
    "msg_escapes": {"t": "msg", "conv": "all", "id": 5, "epoch": 1, "ts": TS, "from": "\u00e9l\u00e8ve",
                    "text": TRICKY},
    "unknown": {"t": "typing", "rid": 9, "to": ["bob"]},
    # Issue 13: rooms, history, read cursors and the login catch-up.
    "login_since": {"t": "login", "rid": 1, "user": "alice", "password": "p1", "device": "laptop-3f9a",
                    "since": {"#team": 40, "d:1:2": 17}},
    "join": {"t": "join", "rid": 6, "room": "#team"},
    "leave": {"t": "leave", "rid": 7, "room": "#team"},
    "rooms": {"t": "rooms", "rid": 8},
    "topic": {"t": "topic", "rid": 9, "room": "#team", "topic": "release on Friday"},
    "members": {"t": "members", "rid": 10, "room": "#team"},
    "remove": {"t": "remove", "rid": 11, "room": "#team", "user": "bob"},
    "history_room": {"t": "history", "rid": 12, "conv": "#team", "before": 120, "limit": 2},
    "history_with": {"t": "history", "rid": 14, "with": "bob", "after": 17},
    "read": {"t": "read", "rid": 13, "conv": "d:1:2", "id": 20},
    "room": {"t": "room", "rid": 6, "room": "#Team", "conv": "#team", "topic": TOPIC, "op": "alice",
             "members": 3, "member": True},
    "room_created": {"t": "room", "rid": 15, "room": "#ops", "conv": "#ops", "op": "cam", "members": 1,
                     "member": True, "created": True},
    "room_list": {"t": "room_list", "rid": 8,
                  "rooms": [{"room": "#Team", "topic": TOPIC, "op": "alice", "members": 3, "member": True},
                            {"room": "#ops", "op": "cam", "members": 1}]},
    "member_list": {"t": "member_list", "rid": 10, "room": "#Team", "op": "alice",
                    "members": ["alice", "bob", "cam"], "online": ["alice", "cam"]},
    "room_event_join": {"t": "room_event", "room": "#Team", "event": "join", "user": "cam"},
    "room_event_remove": {"t": "room_event", "room": "#Team", "event": "remove", "user": "bob", "by": "alice"},
    "room_event_topic": {"t": "room_event", "room": "#Team", "event": "topic", "user": "alice", "topic": TOPIC},
    "page_history": {"t": "page", "rid": 12, "conv": "#team",
                     "msgs": [{"conv": "#team", "id": 118, "epoch": 1, "ts": TS + 1000, "from": "bob",
                               "text": "ship it?", "cid": "c-9"},
                              {"conv": "#team", "id": 119, "epoch": 1, "ts": TS + 2000, "from": "alice",
                               "text": "yes", "cid": "a-31"}],
                     "more": True},
    "page_catch_up": {"t": "page", "conv": "d:1:2",
                      "msgs": [{"conv": "d:1:2", "id": 20, "epoch": 1, "ts": TS + 3000, "from": "bob",
                                "to": ["alice"], "text": "there?", "cid": "b-4"}],
                      "expired": 2, "unread": 1, "read": 17},
    "synced": {"t": "synced", "rid": 1, "unread": {"#team": 3, "d:1:2": 1}},
    "cursor": {"t": "cursor", "conv": "d:1:2", "id": 20},
    "ok": {"t": "ok", "rid": 7},
    "error_not_member": {"t": "error", "rid": 16, "code": "not_member", "text": "you are not a member of #ops"},
    # Issue 16: accounts users manage themselves.
    "passwd": {"t": "passwd", "rid": 17, "old": "p1", "new": "correct horse"},
    "register": {"t": "register", "rid": 1, "user": "dan", "password": "p4"},
    "error_wrong_password": {"t": "error", "rid": 17, "code": "wrong_password", "text": "the old password is wrong"},
    "error_name_taken": {"t": "error", "rid": 1, "code": "name_taken", "text": "the name dan is taken"},
    "error_registration_closed": {"t": "error", "rid": 1, "code": "registration_closed",
                                  "text": "this server does not allow registration"},
    # Paths the golden vectors leave out: a "t" inside a page's message, every member of history.
    "page_msg_with_t": {"t": "page", "rid": 3, "conv": "all", "more": False,
                        "msgs": [{"t": "msg", "conv": "all", "id": 1, "epoch": 1, "ts": TS, "from": "a",
                                  "text": "x"}]},
    "history_all_members": {"t": "history", "rid": 1, "conv": "all", "with": "bob", "before": 0, "after": 9,
                            "limit": 4294967295},
}


def body(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()


def frame(data):
    return len(data).to_bytes(4, "big") + data


os.makedirs("fuzz/corpus/fuzz_v2_frame", exist_ok=True)
os.makedirs("fuzz/corpus/fuzz_v2_framer", exist_ok=True)
for name, obj in GOLDEN.items():
    with open(f"fuzz/corpus/fuzz_v2_frame/{name}.json", "wb") as f:
        f.write(body(obj))
    # Framer seeds: two split-selector bytes, the frame twice, an empty frame and a short tail.
    with open(f"fuzz/corpus/fuzz_v2_framer/{name}.bin", "wb") as f:
        f.write(bytes([0, len(name)]) + frame(body(obj)) * 2 + frame(b"") + b"\x00\x00")
with open("fuzz/corpus/fuzz_v2_frame/spaced.json", "wb") as f:
    f.write(b' { "rid" : 4 ,\n "x" : [1, {"y": null}], "t" : "ping" } ')
# A conversation named twice in since (a dict cannot hold it): first place, last value.
with open("fuzz/corpus/fuzz_v2_frame/since_twice.json", "wb") as f:
    f.write(b'{"t":"login","user":"a","password":"b","since":{"x":1,"y":2,"x":3}}')
with open("fuzz/corpus/fuzz_v2_framer/too_large.bin", "wb") as f:
    f.write(b"\x00\x07" + frame(b"{" * 600) + frame(body(GOLDEN["ping"])))
