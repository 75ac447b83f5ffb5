"""Helpers for the quicchat client's end-to-end tests: a server in a temp dir, scripted
clients driven through pipes, and interactive clients in tmux. Every wait polls for an
expected line with a deadline; nothing sleeps a fixed time to synchronise."""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

DEFAULT_TIMEOUT = 30.0  # an upper bound only: a loaded 2-core CI box can be slow
ACCOUNTS = {"alice": "p1", "bob": "p2", "cam": "p3"}


class TestFailure(Exception):
    pass


class Server:
    """quicchat server on 127.0.0.1 with its own certificates and account database."""

    def __init__(self, binary, accounts=ACCOUNTS, server_args=()):
        self.binary = binary
        self.accounts = accounts
        self.server_args = list(server_args)  # e.g. ["--allow-registration"]
        self.dir = tempfile.mkdtemp(prefix="qc-client-test-")
        self.ca = os.path.join(self.dir, "certs", "quic_certificate.pem")
        self.key = os.path.join(self.dir, "certs", "quic_private_key.pem")
        self.db = os.path.join(self.dir, "quicchat.db")
        self.admin_socket = os.path.join(self.dir, "admin.sock")  # `quicchat admin --socket`
        run([binary, "certs", "--out", os.path.join(self.dir, "certs")])
        users = os.path.join(self.dir, "users.txt")
        with open(users, "w") as f:
            for name, password in accounts.items():
                f.write(f"{name}:{password}\n")
        run([binary, "user", "import", users, "--db", self.db, "--cost", "4"])
        self.port = 0
        self.start()

    def start(self):
        """Starts the server (again), on the same port once one was assigned."""
        self.proc = subprocess.Popen(
            [self.binary, "server", "--host", "127.0.0.1", "--port", str(self.port), "--db", self.db,
             "--cert", self.ca, "--key", self.key, "--bcrypt-cost", "4", "--log-level", "info",
             "--admin-socket", self.admin_socket, *self.server_args],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.log = Lines(self.proc.stderr)
        line = self.log.wait_for(r"listening on 127\.0\.0\.1:(\d+)", DEFAULT_TIMEOUT)
        self.port = int(re.search(r"listening on 127\.0\.0\.1:(\d+)", line).group(1))

    def client_args(self, *extra):
        # The client's state folder (its v2 device ids) stays inside the test's directory, and
        # no config file of the user running the tests (~/.config/quicchat) changes its defaults.
        return [self.binary, "client", "--config", "", "--server", "127.0.0.1", "--port",
                str(self.port), "--ca", self.ca, "--state-dir", os.path.join(self.dir, "state"),
                *extra]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def close(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def run(argv):
    done = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        raise TestFailure(f"{' '.join(argv[:3])} failed: {done.stdout}{done.stderr}")
    return done.stdout


class Lines:
    """Collects a stream's lines on a thread; wait_for() polls them with a deadline."""

    def __init__(self, stream):
        self.lines = []
        self.cond = threading.Condition()
        self.closed = False
        self.thread = threading.Thread(target=self._pump, args=(stream,), daemon=True)
        self.thread.start()

    def _pump(self, stream):
        for line in stream:
            with self.cond:
                self.lines.append(line.rstrip("\n"))
                self.cond.notify_all()
        with self.cond:
            self.closed = True
            self.cond.notify_all()

    def wait_for(self, pattern, timeout=DEFAULT_TIMEOUT, start=0):
        """The first line from index `start` matching the regex `pattern`."""
        deadline = time.monotonic() + timeout
        rx = re.compile(pattern)
        with self.cond:
            while True:
                for line in self.lines[start:]:
                    if rx.search(line):
                        return line
                left = deadline - time.monotonic()
                if left <= 0 or self.closed:
                    raise TestFailure(f"no line matching {pattern!r}; got {self.lines}")
                self.cond.wait(left)

    def count(self, pattern):
        rx = re.compile(pattern)
        with self.cond:
            return sum(1 for line in self.lines if rx.search(line))

    def snapshot(self):
        with self.cond:
            return list(self.lines)


class ScriptClient:
    """`quicchat client` with stdin/stdout on pipes (scripted mode)."""

    def __init__(self, server, *extra, login=None):
        self.proc = subprocess.Popen(server.client_args(*extra), stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1)
        self.out = Lines(self.proc.stdout)
        self.err = Lines(self.proc.stderr)
        if login:
            self.send(login)
            self.send(ACCOUNTS[login])
            self.expect(rf"^\[Sys\] Login successful\. You are \d+ \({login}\)")

    def send(self, line):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def expect(self, pattern, timeout=DEFAULT_TIMEOUT):
        try:
            return self.out.wait_for(pattern, timeout)
        except TestFailure as e:
            raise TestFailure(f"{e}; stderr {self.err.snapshot()}; exit {self.proc.poll()}") from None

    def finish(self, timeout=DEFAULT_TIMEOUT):
        """Closes stdin (end of script) and returns the exit code."""
        try:
            self.proc.stdin.close()
        except BrokenPipeError:
            pass
        return self.wait(timeout)

    def wait(self, timeout=DEFAULT_TIMEOUT):
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise TestFailure(f"client did not exit; output {self.out.snapshot()} {self.err.snapshot()}")

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def parse_json(line):
    try:
        obj = json.loads(line)
    except ValueError:
        return None
    return obj if isinstance(obj, dict) else None


def objects(client, **fields):
    """Every JSON line of the client's output so far holding all these fields."""
    out = []
    for line in client.out.snapshot():
        obj = parse_json(line)
        if obj is not None and all(obj.get(k) == v for k, v in fields.items()):
            out.append(obj)
    return out


class JsonClient(ScriptClient):
    """A scripted client with --json: expect_json() waits for an object matching the fields."""

    def __init__(self, server, user, *extra):
        super().__init__(server, "--json", "--user", user, *extra)
        self.user = user
        self.send(server.accounts.get(user, ACCOUNTS.get(user)))

    def expect_json(self, timeout=DEFAULT_TIMEOUT, where=None, **fields):
        """The first JSON line (from the start of the output) holding all these fields (and for
        which `where(obj)` holds, when given)."""
        deadline = time.monotonic() + timeout
        with self.out.cond:
            while True:
                for line in self.out.lines:
                    obj = parse_json(line)
                    if obj is not None and all(obj.get(k) == v for k, v in fields.items()) and (
                            where is None or where(obj)):
                        return obj
                left = deadline - time.monotonic()
                if left <= 0 or self.out.closed:
                    raise TestFailure(f"no JSON line with {fields}; got {self.out.lines}; "
                                      f"stderr {self.err.snapshot()}")
                self.out.cond.wait(left)

    def logged_in(self):
        return self.expect_json(type="system", code="login")


class TmuxClient:
    """`quicchat client` on a real terminal: a detached tmux session on a private socket."""

    def __init__(self, server, *extra, width=120, height=30):
        self.socket = f"qc-test-{os.getpid()}-{id(self)}"
        command = " ".join(shlex_quote(a) for a in server.client_args(*extra))
        subprocess.run(["tmux", "-L", self.socket, "-f", "/dev/null", "new-session", "-d", "-x", str(width),
                        "-y", str(height), command + "; sleep 30"], check=True)

    def keys(self, *keys):
        subprocess.run(["tmux", "-L", self.socket, "send-keys", "-t", "0", *keys], check=True)

    def type(self, text):
        self.keys("-l", text)

    def pane(self):
        done = subprocess.run(["tmux", "-L", self.socket, "capture-pane", "-p", "-t", "0"],
                              capture_output=True, text=True, check=True)
        return done.stdout

    def wait_for(self, pattern, timeout=DEFAULT_TIMEOUT):
        deadline = time.monotonic() + timeout
        rx = re.compile(pattern, re.M)
        while True:
            text = self.pane()
            if rx.search(text):
                return text
            if time.monotonic() > deadline:
                raise TestFailure(f"pane never matched {pattern!r}:\n{text}")
            time.sleep(0.05)  # polling interval, not a synchronisation

    def close(self):
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)


def shlex_quote(text):
    import shlex
    return shlex.quote(text)


def check(condition, message):
    if not condition:
        raise TestFailure(message)


class Env:
    """A server and the clients a test starts; `with` kills them all and removes the server."""

    def __init__(self, binary, accounts=None, server_args=()):
        self.server = Server(binary, accounts or ACCOUNTS, server_args)
        self.clients = []

    def json(self, user, *extra):
        c = JsonClient(self.server, user, *extra)
        self.clients.append(c)
        return c

    def script(self, *extra):
        c = ScriptClient(self.server, *extra)
        self.clients.append(c)
        return c

    def state_dir(self, name):
        """A state folder of its own (one device) inside the server's temp dir."""
        return os.path.join(self.server.dir, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        for c in self.clients:
            c.kill()
        self.server.close()


def run_tests(tests):
    """Runs each test function, prints a summary line, returns the exit code."""
    passed = failed = 0
    for test in tests:
        started = time.monotonic()
        try:
            test()
            passed += 1
            print(f"PASS {test.__name__} ({time.monotonic() - started:.1f}s)", flush=True)
        except Exception as e:  # noqa: BLE001 - any failure counts, and the rest still run
            failed += 1
            print(f"FAIL {test.__name__}: {type(e).__name__}: {e}", flush=True)
    print(f"{passed} passed, {failed} failed", flush=True)
    return 0 if failed == 0 else 1


def main(tests, script):
    """The command line of a test script: `SCRIPT QUICCHAT_BINARY [TEST_NAME...]`."""
    if len(sys.argv) < 2:
        print(f"usage: {script} QUICCHAT_BINARY [TEST_NAME...]", file=sys.stderr)
        sys.exit(2)
    wanted = set(sys.argv[2:])
    sys.exit(run_tests([t for t in tests if not wanted or t.__name__ in wanted]))
