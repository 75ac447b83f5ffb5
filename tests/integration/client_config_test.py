#!/usr/bin/env python3
"""End-to-end tests of the client's config directory ($XDG_CONFIG_HOME/quicchat/client.toml),
--save-config, the system trust store as the default CA, and IPv6 server addresses.
Usage: client_config_test.py QUICCHAT_BINARY [TEST_NAME...]"""
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from client_support import (ACCOUNTS, DEFAULT_TIMEOUT, Lines, ScriptClient, Server,  # noqa: E402
                            check, main)

BINARY = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else None
CLOCK = r"\d\d:\d\d "


class Home:
    """A user's folders: XDG_CONFIG_HOME and XDG_STATE_HOME in a temp dir, and a working
    directory of their own that holds no certificate."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="qc-client-config-")
        self.config_home = os.path.join(self.dir, "config")
        self.config_file = os.path.join(self.config_home, "quicchat", "client.toml")
        self.cwd = os.path.join(self.dir, "elsewhere")
        os.makedirs(self.cwd)
        self.env = dict(os.environ, XDG_CONFIG_HOME=self.config_home,
                        XDG_STATE_HOME=os.path.join(self.dir, "state"))

    def write_config(self, text):
        os.makedirs(os.path.dirname(self.config_file), exist_ok=True)
        with open(self.config_file, "w") as f:
            f.write(text)

    def run(self, *args):
        return subprocess.run([BINARY, "client", *args], cwd=self.cwd, env=self.env,
                              stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              timeout=DEFAULT_TIMEOUT)

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)


class HomeClient(ScriptClient):
    """A scripted client that finds its settings in `home` (only `args` on its command line)."""

    def __init__(self, home, *args):  # noqa: super().__init__ would start another process
        self.proc = subprocess.Popen([BINARY, "client", *args], cwd=home.cwd, env=home.env,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, bufsize=1)
        self.out = Lines(self.proc.stdout)
        self.err = Lines(self.proc.stderr)


def chat(alice, bob):
    """alice (user from the config) and bob (--user on the command line) log in and talk."""
    alice.send(ACCOUNTS["alice"])
    alice.expect(rf"^{CLOCK}\[Sys\] Login successful\. You are alice\.$")
    bob.send(ACCOUNTS["bob"])
    bob.expect(rf"^{CLOCK}\[Sys\] Login successful\. You are bob\.$")
    alice.expect(rf"^{CLOCK}\[Sys\] bob is online$")
    alice.send("@bob: configured")
    bob.expect(rf"^{CLOCK}\[1-1 Msg\] alice: configured$")
    check(alice.finish() == 0 and bob.finish() == 0, "the clients did not exit 0")


def test_config_file_names_server_port_ca_and_user():
    server, home = Server(BINARY), Home()
    try:
        # A relative ca is read from the config file's folder, not from the working directory.
        os.makedirs(os.path.dirname(home.config_file))
        shutil.copy(server.ca, os.path.join(os.path.dirname(home.config_file), "server.pem"))
        home.write_config(f'server = "127.0.0.1"\nport = {server.port}\nca = "server.pem"\n'
                          'user = "alice"\n')
        alice = HomeClient(home)
        bob = HomeClient(home, "--user", "bob")
        try:
            alice.expect(rf"\[Sys\] Connecting to 127\.0\.0\.1:{server.port}\.\.\.")
            chat(alice, bob)
        finally:
            alice.kill()
            bob.kill()
        state = os.path.join(home.dir, "state", "quicchat", f"127.0.0.1:{server.port}", "alice")
        check(os.path.isfile(os.path.join(state, "device")), f"no device id under {state}")
    finally:
        server.close()
        home.close()


def test_save_config_writes_once_and_never_replaces():
    server, home = Server(BINARY), Home()
    try:
        shutil.copytree(os.path.dirname(server.ca), os.path.join(home.cwd, "certs"))
        saving = ("--save-config", "--server", "127.0.0.1", "--port", str(server.port),
                  "--ca", "certs/quic_certificate.pem")
        done = home.run(*saving, "--if-missing")
        check(done.returncode == 0 and done.stdout == f"wrote {home.config_file}\n",
              f"first save: {done}")
        with open(home.config_file) as f:
            written = f.read()
        check(os.path.join(home.cwd, "certs", "quic_certificate.pem") in written,
              f"the ca is not absolute: {written}")
        done = home.run(*saving, "--if-missing")
        check(done.returncode == 0 and done.stdout == "" and done.stderr == "",
              f"--if-missing with a file: {done}")
        done = home.run("--save-config", "--server", "elsewhere")
        check(done.returncode == 1 and "exists: not replaced" in done.stderr, f"replace: {done}")
        with open(home.config_file) as f:
            check(f.read() == written, "the config file changed")

        home.cwd = os.path.join(home.dir, "another")  # the clients run elsewhere
        os.makedirs(home.cwd)
        chat(HomeClient(home, "--user", "alice"), HomeClient(home, "--user", "bob"))
    finally:
        server.close()
        home.close()


def test_without_a_ca_the_system_trust_store_refuses_a_self_signed_server():
    server, home = Server(BINARY), Home()
    try:
        done = home.run("--server", "127.0.0.1", "--port", str(server.port), "--user", "alice")
        check(done.returncode == 1, f"exit {done.returncode}: {done}")
        check(re.search(rf"^\[Err\] Cannot connect to 127\.0\.0\.1:{server.port}: certificate "
                        r"verification failed: .*\(checked against the system trust store; for a "
                        r"self-signed certificate give its file with --ca FILE or ca = \"FILE\" in "
                        + re.escape(home.config_file) + r"\)$", done.stderr + done.stdout, re.M),
              f"no hint at --ca: {done}")
    finally:
        server.close()
        home.close()


def ipv6_loopback():
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


def test_ipv6_loopback_bare_and_bracketed():
    if not ipv6_loopback():
        print("SKIP test_ipv6_loopback_bare_and_bracketed: no IPv6 loopback (::1) here")
        return
    if shutil.which("openssl") is None:
        print("SKIP test_ipv6_loopback_bare_and_bracketed: no openssl for a certificate for ::1")
        return
    server, home = Server(BINARY), Home()
    v6 = None
    try:
        # The development certificate names 127.0.0.1 only: one for ::1 from openssl.
        cert, key = os.path.join(home.dir, "v6.pem"), os.path.join(home.dir, "v6.key")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", cert,
                        "-days", "2", "-subj", "/CN=localhost", "-addext",
                        "subjectAltName=IP:::1"], check=True, capture_output=True, timeout=60)
        server.stop()
        v6 = subprocess.Popen(
            [BINARY, "server", "--host", "::1", "--port", "0", "--db", server.db, "--cert", cert,
             "--key", key, "--bcrypt-cost", "4"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        line = Lines(v6.stderr).wait_for(r"^listening on ", DEFAULT_TIMEOUT)
        m = re.fullmatch(r"listening on \[::1\]:(\d+)", line)
        check(m is not None, f"the listen line does not bracket ::1: {line!r}")
        port = m.group(1)
        home.write_config(f'ca = "{cert}"\n')
        alice = HomeClient(home, "--server", f"[::1]:{port}", "--user", "alice")
        bob = HomeClient(home, "--server", "::1", "--port", port, "--user", "bob")
        try:
            alice.expect(rf"\[Sys\] Connecting to \[::1\]:{port}\.\.\.")
            chat(alice, bob)
        finally:
            alice.kill()
            bob.kill()
        done = home.run("--server", "[::1", "--user", "alice")
        check(done.returncode == 2 and "--server '[::1': missing ']'" in done.stderr, f"{done}")
    finally:
        if v6 is not None:
            v6.terminate()
            v6.wait(10)
        server.close()
        home.close()


if __name__ == "__main__":
    main([test_config_file_names_server_port_ca_and_user,
          test_save_config_writes_once_and_never_replaces,
          test_without_a_ca_the_system_trust_store_refuses_a_self_signed_server,
          test_ipv6_loopback_bare_and_bracketed], "client_config_test.py")
