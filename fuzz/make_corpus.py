#!/usr/bin/env python3
"""Writes the seed corpora (golden PDUs from Python's json.dumps). Run from the repo root."""
import json, os

def env(mtype, msg):
    return json.dumps({"version": 1, "mtype": mtype, "msg": msg, "sz": len(msg)})

TRICKY = 'caf\u00e9 \U0001F600 "q" back\\slash \n\t\x01\x7f {]}'
seeds = {
    "versions": env(0, json.dumps({"versions": [1, 2]})),
    "versions_reply": env(0, json.dumps({"selected_version": 1})),
    "versions_error": env(0, json.dumps({"error": "No compatible version"})),
    "login": env(16, json.dumps({"username": "alice", "password": "p1"})),
    "login_ack": env(17, json.dumps([{"user_id": 1, "username": "alice"}, {"user_id": 2, "username": "bob"}])),
    "retry": env(19, json.dumps({"error": "Invalid credentials. Attempts left: 2"})),
    "alive": env(32, "keep_alive"),
    "one_to_one": env(48, json.dumps({"target_user_id": "2", "msg": TRICKY})),
    "one_to_many": env(49, json.dumps({"target_user_ids": "1,3", "msg": "meet"})),
    "broadcast": env(50, json.dumps({"msg": "hello"})),
    "delivery": env(50, json.dumps({"sender_user_id": 1, "sender_username": "alice", "msg": TRICKY})),
    "logout_ack": env(65, json.dumps({"sys": "Logout successful"})),
}
os.makedirs("fuzz/corpus/fuzz_codec", exist_ok=True)
os.makedirs("fuzz/corpus/fuzz_framer", exist_ok=True)
for name, pdu in seeds.items():
    with open(f"fuzz/corpus/fuzz_codec/{name}.json", "w") as f:
        f.write(pdu)
    # Framer seeds: two split-selector bytes, then the PDU twice with whitespace and some garbage.
    with open(f"fuzz/corpus/fuzz_framer/{name}.bin", "wb") as f:
        f.write(bytes([0, len(name)]) + (pdu + "\n" + pdu + " x").encode())
with open("fuzz/corpus/fuzz_codec/msg_login.json", "w") as f:
    f.write(json.dumps({"username": "\u00e9l\u00e8ve", "password": TRICKY}))
with open("fuzz/corpus/fuzz_framer/deep.bin", "wb") as f:
    f.write(b"\x00\x05" + b"{" * 8 + b"}" * 8 + b'{"a": [1]}')
