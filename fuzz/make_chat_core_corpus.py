#!/usr/bin/env python3
"""Writes the seed corpus of fuzz_chat_core: operation sequences (see the opcode table at the top
of fuzz_chat_core.cc) that reach logged-in states. Run from the repository root."""
import os

D = 'fuzz/corpus/fuzz_chat_core'
(OPEN, BYTES, CLOSE, PASSWORD, ADVANCE, CANNED, STRAY, STREAM_END, PROBE_ANSWERED, V2,
 STORE_ANSWERS, STORE_STATUS) = range(12)
LOGIN_ALICE, LOGIN_BOB, BROADCAST, ONE_TO_MANY, LOGOUT, VERSIONS, ALIVE, ONE_TO_ONE, LOGIN_CAM = range(9)
# Canned v2 frames (opcode V2): the VERSIONS PDU that selects v2, then frames.
(V2_VERSIONS, V2_LOGIN_ALICE_A, V2_LOGIN_ALICE_B, V2_LOGIN_BOB, V2_SEND_BOB, V2_SEND_MANY,
 V2_BROADCAST, V2_PING, V2_LOGOUT, V2_UNKNOWN, V2_JOIN, V2_SEND_ROOM, V2_LEAVE, V2_TOPIC, V2_REMOVE,
 V2_HISTORY, V2_READ, V2_MEMBERS, V2_PASSWD, V2_REGISTER) = range(20)
PASSWORD_OK = 0


def raw(slot, text):
    b = text.encode()
    if len(b) % 2:
        b += b' '
    return bytes([BYTES, slot, len(b) // 2]) + b


def canned(slot, which, split=0):
    return [CANNED, slot, which, split]


def v2_login(slot, which):
    return [OPEN, slot, V2, slot, V2_VERSIONS, 0, V2, slot, which, 0, PASSWORD, slot, PASSWORD_OK]


def v2(slot, which, split=0):
    return [V2, slot, which, split]


def login(slot, which, ok=1):
    return canned(slot, which, 7) + [PASSWORD, slot, ok]


SEEDS = {
    'two_users_chat': [OPEN, 0, *login(0, LOGIN_ALICE), OPEN, 1, *login(1, LOGIN_BOB),
                       *canned(0, BROADCAST), *canned(1, ONE_TO_MANY, 50), *canned(0, ONE_TO_ONE),
                       ADVANCE, 0, 60, *canned(1, LOGOUT), CLOSE, 1, CLOSE, 0],
    'login_failures': [OPEN, 0, *login(0, LOGIN_ALICE, 0), ADVANCE, 0, 30, *login(0, LOGIN_ALICE, 0),
                       ADVANCE, 0, 61, OPEN, 1, *login(1, LOGIN_CAM, 0), *login(1, LOGIN_CAM, 0),
                       *login(1, LOGIN_CAM, 0), CLOSE, 0, CLOSE, 1],
    'queued_during_check': [OPEN, 0, OPEN, 1, *login(1, LOGIN_BOB), *canned(0, LOGIN_ALICE),
                            *canned(0, BROADCAST, 9), *canned(0, ALIVE), *canned(0, LOGOUT),
                            STRAY, 0, 5, PASSWORD, 0, 1, CLOSE, 0, *canned(1, BROADCAST),
                            ADVANCE, 1, 91, CLOSE, 1],
    'duplicate_name_and_loss': [OPEN, 0, *login(0, LOGIN_ALICE), OPEN, 1, *login(1, LOGIN_ALICE),
                                CLOSE, 0, *login(1, LOGIN_ALICE), OPEN, 2, *canned(2, VERSIONS),
                                *login(2, LOGIN_ALICE), *canned(2, ONE_TO_ONE), CLOSE, 1, CLOSE, 2],
    'stream_end_mid_pdu': [OPEN, 0, *login(0, LOGIN_ALICE), OPEN, 1, *login(1, LOGIN_BOB),
                           BYTES, 0, 3, *b'{"vers', STREAM_END, 0, *canned(1, BROADCAST),
                           STREAM_END, 1, CLOSE, 0, CLOSE, 1],
    # The right password for a name in use probes its session: answered, then unanswered.
    # v1 and v2 sessions together: two devices of alice, bob on v1, then v2 over an echo-protocol
    # slot (refused: stays v1), a repeated client id, presence flushes, logout.
    'v2_devices_and_v1': [OPEN, 0, V2, 0, V2_VERSIONS, 0, V2, 0, V2_LOGIN_ALICE_A, 3,
                          PASSWORD, 0, PASSWORD_OK, OPEN, 1, V2, 1, V2_VERSIONS, 5,
                          V2, 1, V2_LOGIN_ALICE_B, 0, PASSWORD, 1, PASSWORD_OK, OPEN, 2,
                          V2, 2, V2_VERSIONS, 0, *canned(2, LOGIN_BOB, 7), PASSWORD, 2, PASSWORD_OK,
                          ADVANCE, 0, 1, V2, 0, V2_SEND_BOB, 9, V2, 0, V2_SEND_BOB, 0,
                          V2, 1, V2_BROADCAST, 2, *canned(2, BROADCAST), V2, 0, V2_SEND_MANY, 0,
                          V2, 1, V2_UNKNOWN, 3, V2, 1, V2_PING, 0, ADVANCE, 0, 1,
                          V2, 0, V2_LOGOUT, 0, ADVANCE, 0, 1, CLOSE, 2, ADVANCE, 0, 1, CLOSE, 1],
    # The same device logs in twice (replaces itself); frames before the VERSIONS reply.
    'v2_same_device': [OPEN, 0, V2, 0, V2_LOGIN_BOB, 0, OPEN, 1, V2, 1, V2_VERSIONS, 0,
                       V2, 1, V2_LOGIN_ALICE_A, 0, PASSWORD, 1, PASSWORD_OK, OPEN, 0,
                       V2, 0, V2_VERSIONS, 0, V2, 0, V2_LOGIN_ALICE_A, 0, PASSWORD, 0, PASSWORD_OK,
                       ADVANCE, 0, 1, V2, 0, V2_SEND_MANY, 4, STREAM_END, 0, ADVANCE, 0, 100],
    # Rooms and stored messages (an odd length: the core stores messages). The store answers some
    # requests late (STORE_ANSWERS), so sends, joins and a login's catch-up are in flight together;
    # then it refuses (STORE_STATUS) and recovers.
    'rooms_and_store': [*v2_login(0, V2_LOGIN_ALICE_A), STORE_ANSWERS, 0, 3,
                        *v2_login(1, V2_LOGIN_BOB), *v2(0, V2_JOIN), *v2(1, V2_JOIN),
                        *v2(0, V2_SEND_ROOM), STORE_ANSWERS, 0, 1, *v2(0, V2_SEND_BOB),
                        *v2_login(2, V2_LOGIN_ALICE_B), STORE_ANSWERS, 0, 3, *v2(1, V2_SEND_ROOM),
                        *v2(0, V2_TOPIC), *v2(1, V2_HISTORY), *v2(1, V2_READ), *v2(2, V2_MEMBERS),
                        STORE_STATUS, 0, 2, *v2(1, V2_SEND_MANY), STORE_ANSWERS, 0, 3,
                        STORE_STATUS, 0, 0, *v2(0, V2_REMOVE), *v2(1, V2_LEAVE),
                        STORE_ANSWERS, 0, 3, CLOSE, 1, *v2_login(1, V2_LOGIN_BOB)],
    # A registration before login, then a wrong and a right old password in passwd: the right one
    # ends the account's other device (results: 0 done, 1 wrong password).
    'self_service': [*v2_login(0, V2_LOGIN_ALICE_A), OPEN, 1, V2, 1, V2_VERSIONS, 0,
                     *v2(1, V2_REGISTER), PASSWORD, 1, 0, *v2(1, V2_LOGIN_ALICE_B), PASSWORD, 1,
                     PASSWORD_OK, *v2(0, V2_PASSWD), PASSWORD, 0, 1, *v2(0, V2_PASSWD, 5),
                     PASSWORD, 0, 0, *v2(0, V2_SEND_MANY), CLOSE, 0],
    'login_probe': [OPEN, 0, *login(0, LOGIN_ALICE), OPEN, 1, *login(1, LOGIN_ALICE),
                    *canned(1, BROADCAST), PROBE_ANSWERED, 0, *login(1, LOGIN_ALICE),
                    ADVANCE, 0, 3, PROBE_ANSWERED, 0, *canned(1, BROADCAST), CLOSE, 1, CLOSE, 0],
}

RAW_LOGIN = '{"version": 1, "mtype": 16, "msg": "{\\"username\\": \\"alice\\", \\"password\\": \\"p1\\"}", "sz": 39}'
RAW_TWO = ('{"version": 1, "mtype": 50, "msg": "{\\"msg\\": \\"hi {x}\\"}", "sz": 16} '
           '{"version": 1, "mtype": 17, "msg": "[]", "sz": 2}')

os.makedirs(D, exist_ok=True)
for name, ops in SEEDS.items():
    with open(os.path.join(D, name), 'wb') as f:
        f.write(bytes(ops))
with open(os.path.join(D, 'raw_bytes'), 'wb') as f:
    f.write(bytes([OPEN, 0]) + raw(0, RAW_LOGIN) + bytes([PASSWORD, 0, 1]) + raw(0, RAW_TWO) +
            raw(0, '{"version": 1, "mtype": 99}garbage{') + bytes([ADVANCE, 0, 200, CLOSE, 0]))
