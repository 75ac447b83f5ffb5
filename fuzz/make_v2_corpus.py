#!/usr/bin/env python3
"""Writes the v2 seed corpora from the golden vectors (tests/unit/proto/v2_golden.h holds the same
frames). v2 bodies are Python's json.dumps with separators=(",", ":") and ensure_ascii=False, members
in the documented order. Run from the repo root."""
import json, os

TS = 1764650000000
TRICKY = 'caf\u00e9 \U0001F600 "q" back\\slash \n\t\x01\x7f'
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
with open("fuzz/corpus/fuzz_v2_framer/too_large.bin", "wb") as f:
    f.write(b"\x00\x07" + frame(b"{" * 600) + frame(body(GOLDEN["ping"])))
