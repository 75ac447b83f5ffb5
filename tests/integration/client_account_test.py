#!/usr/bin/env python3
"""End-to-end tests of accounts users manage themselves (issue 16), with a real server and real
`quicchat client` processes: /passwd from one device ends the other device's session, the new
password logs in and the old one no longer does; `--register` with the server's
--allow-registration on and off.
Usage: client_account_test.py QUICCHAT_BINARY [TEST_NAME...]"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import client_support as support  # noqa: E402
from client_support import ACCOUNTS, check, main  # noqa: E402

BINARY = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else None


def Env(server_args=()):  # noqa: N802 - reads as the class it makes
    # A copy of the accounts: a test that changes a password changes its own.
    return support.Env(BINARY, dict(ACCOUNTS), server_args)


def test_passwd_ends_the_other_device_and_only_the_new_password_works():
    with Env() as env:
        laptop = env.json("alice", "--state-dir", env.state_dir("laptop"))
        laptop.logged_in()
        phone = env.json("alice", "--state-dir", env.state_dir("phone"), "--reconnect")
        phone.logged_in()
        laptop.send("/passwd")
        laptop.send("p1")  # the old password, then the new one twice
        laptop.send("new secret")
        laptop.send("new secret")
        changed = laptop.expect_json(type="account", code="password_changed")
        check(changed["user"] == "alice", f"{changed}")
        lost = phone.expect_json(type="error", code="connection_lost")
        check(lost["text"] == "password changed on another session", f"{lost}")
        check(phone.wait() == 1, "the other device reconnected or exited 0")
        laptop.send("0: still here")  # the session that changed it goes on
        laptop.expect_json(type="ack", text="still here")

        env.server.accounts["alice"] = "new secret"
        fresh = env.json("alice")
        fresh.logged_in()
        env.server.accounts["alice"] = "p1"
        old = env.json("alice")
        old.expect_json(type="error", code="bad_credentials")


def test_passwd_refusals_keep_the_password():
    with Env() as env:
        alice = env.json("alice")
        alice.logged_in()
        for line in ("/passwd", "wrong", "x1", "x1"):
            alice.send(line)
        alice.expect_json(type="error", code="wrong_password")
        for line in ("/passwd", "p1", "x1", "x2"):
            alice.send(line)
        alice.expect_json(type="error", code="passwd", where=lambda o: "do not match" in o["text"])
        again = env.json("alice")  # v2: a second device, with the unchanged password
        again.logged_in()


def test_register_when_the_server_allows_it():
    with Env(["--allow-registration"]) as env:
        dan = env.script("--json", "--register", "--user", "dan")
        dan.send("p4")
        dan.send("p4")  # asked twice
        dan.expect(r'"code": "registered".*"user": "dan"')
        dan.expect(r'"code": "login".*"user": "dan"')
        env.server.accounts["dan"] = "p4"
        env.json("dan").logged_in()  # a plain login from now on
        taken = env.script("--json", "--register", "--user", "ALICE")
        taken.send("x")
        taken.send("x")
        taken.expect(r'"code": "name_taken"')
        check(taken.wait() == 1, "a refused registration exits 0")
        mismatch = env.script("--register", "--user", "eve")
        mismatch.send("x")
        mismatch.send("y")
        check(mismatch.wait() == 1, "mismatched passwords did not end the client")
        check(any("Passwords do not match" in line for line in mismatch.err.snapshot()),
              f"{mismatch.err.snapshot()}")


def test_register_is_refused_when_the_server_does_not_allow_it():
    with Env() as env:
        dan = env.script("--json", "--register", "--user", "dan")
        dan.send("p4")
        dan.send("p4")
        dan.expect(r'"code": "registration_closed"')
        check(dan.wait() == 1, "a refused registration exits 0")


TESTS = [
    test_passwd_ends_the_other_device_and_only_the_new_password_works,
    test_passwd_refusals_keep_the_password,
    test_register_when_the_server_allows_it,
    test_register_is_refused_when_the_server_does_not_allow_it,
]

if __name__ == "__main__":
    main(TESTS, "client_account_test.py")
