#!/usr/bin/env python3
"""The no-echo password prompt of `quicchat user`, driven through a pseudo-terminal.

Usage: user_prompt_test.py PATH/TO/quicchat
"""
import os
import pty
import select
import shutil
import signal
import sys
import tempfile
import termios
import time

TIMEOUT_S = 20  # an upper bound only: every step waits for an event


class Session:
    def __init__(self, binary, args, cwd):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.chdir(cwd)
            os.execv(binary, [binary] + args)
        self.out = b""

    def wait_for(self, text):
        deadline = time.monotonic() + TIMEOUT_S
        while text.encode() not in self.out:
            left = deadline - time.monotonic()
            if left <= 0 or not self._read(left):
                raise AssertionError(f"never saw {text!r}; output so far: {self.out!r}")

    def _read(self, timeout):
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return False
        try:
            chunk = os.read(self.fd, 4096)
        except OSError:  # the child is gone
            return False
        self.out += chunk
        return bool(chunk)

    def type(self, text):
        os.write(self.fd, text.encode())

    def echo_on(self):
        return bool(termios.tcgetattr(self.fd)[3] & termios.ECHO)

    def finish(self):
        while self._read(TIMEOUT_S):
            pass
        _, status = os.waitpid(self.pid, 0)
        return status


passed = 0


def check(what, expected, actual):
    global passed
    if expected != actual:
        print(f"FAIL: {what}\n  expected: {expected!r}\n  actual:   {actual!r}", file=sys.stderr)
        print(f"{passed} passed, 1 failed", file=sys.stderr)
        sys.exit(1)
    passed += 1


def main():
    binary = os.path.realpath(sys.argv[1])
    work = tempfile.mkdtemp(prefix="quicchat_prompt.")
    try:
        db = ["--db", "data/p.db", "--cost", "4"]

        s = Session(binary, ["user", "add", "tina"] + db, work)
        s.wait_for("Password: ")
        check("echo off while asking", False, s.echo_on())
        s.type("hidden-secret\n")
        s.wait_for("Repeat password: ")
        s.type("hidden-secret\n")
        status = s.finish()
        check("add through the prompt exits 0", 0, status)
        check("confirmation printed", True, b"added user 'tina'" in s.out)
        check("password never echoed", False, b"hidden-secret" in s.out)
        check("echo restored", True, s.echo_on())

        s = Session(binary, ["user", "add", "uma"] + db, work)
        s.wait_for("Password: ")
        s.type("one\n")
        s.wait_for("Repeat password: ")
        s.type("two\n")
        status = s.finish()
        check("mismatch exits 1", 1, os.waitstatus_to_exitcode(status))
        check("mismatch message", True, b"passwords do not match" in s.out)

        s = Session(binary, ["user", "add", "vic"] + db, work)
        s.wait_for("Password: ")
        s.type("half")
        s.type("\x03")  # Ctrl-C while echo is off
        status = s.finish()
        check("Ctrl-C kills with SIGINT", True,
              os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGINT)
        check("echo restored after Ctrl-C", True, s.echo_on())

        s = Session(binary, ["user", "list"] + db, work)
        s.finish()
        check("only the completed add landed", b"tina\r\n", s.out)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{passed} passed, 0 failed")


if __name__ == "__main__":
    main()
