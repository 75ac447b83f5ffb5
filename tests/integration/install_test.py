#!/usr/bin/env python3
"""`make install` and `make deb` (issue 16): what the install puts where, the systemd unit
checked by `systemd-analyze verify`, and, as root, the Debian package installed with apt-get,
the unit's own ExecStartPre and ExecStart run as the unit's user (setpriv: there is no systemd
as PID 1 here), a chat through that server, a clean stop on SIGTERM, and a purge that leaves
nothing behind. The package is removed, and the user and folders it made deleted, however the
test ends.
Usage: install_test.py PATH/TO/quicchat [TEST_NAME...]   (the build folder is the binary's)"""
import glob
import gzip
import os
import pwd
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from client_support import (ACCOUNTS, DEFAULT_TIMEOUT, Lines, ScriptClient, TestFailure,  # noqa: E402
                            check, main)

BINARY = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else None
BUILD = os.path.dirname(BINARY) if BINARY else None
PREFIX = "/usr/local"
UNIT = "quicchat.service"
PACKAGE = "quicchat"


def run(argv, **kw):
    done = subprocess.run(argv, capture_output=True, text=True, timeout=300, **kw)
    if done.returncode != 0:
        raise TestFailure(f"{' '.join(argv)} exited {done.returncode}: {done.stdout}{done.stderr}")
    return done.stdout


def skip(test, why):
    print(f"SKIP {test}: {why}", flush=True)


def destdir_install(destdir, prefix=PREFIX):
    """`make install DESTDIR=destdir PREFIX=prefix`, on the build the test runs from."""
    return run(["cmake", "--install", BUILD, "--prefix", prefix], env={**os.environ, "DESTDIR": destdir})


def files_under(root):
    out = set()
    for folder, _, names in os.walk(root):
        out.update(os.path.relpath(os.path.join(folder, n), root) for n in names)
    return out


def read_unit(path):
    """The unit's [Service] section: key -> every value given, in order (a key may repeat)."""
    section, out = None, {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith(("#", ";")):
                continue
            if line.startswith("["):
                section = line.strip("[]")
            elif section == "Service":
                key, _, value = line.partition("=")
                out.setdefault(key.strip(), []).append(value.strip())
    return out


def command_of(line):
    """An Exec*= line's argv, without systemd's prefixes (-, @, +, !, :)."""
    argv = shlex.split(line)
    argv[0] = argv[0].lstrip("-@+!:")
    return argv


def test_install_puts_the_expected_files():
    destdir = tempfile.mkdtemp(prefix="qc-install-")
    try:
        destdir_install(destdir)
        expected = {"usr/local/bin/quicchat", "usr/local/share/man/man1/quicchat.1.gz",
                    "usr/local/lib/systemd/system/quicchat.service",
                    "usr/local/lib/sysusers.d/quicchat.conf", "etc/quicchat/server.toml"}
        check(files_under(destdir) == expected, f"installed {sorted(files_under(destdir))}")
        unit = read_unit(os.path.join(destdir, "usr/local/lib/systemd/system", UNIT))
        check(command_of(unit["ExecStart"][0])[:4] ==
              ["/usr/local/bin/quicchat", "server", "--config", "/etc/quicchat/server.toml"],
              f"ExecStart {unit['ExecStart']}")
        version = run([os.path.join(destdir, "usr/local/bin/quicchat"), "--version"])
        check(version.startswith("quicchat "), f"--version said {version!r}")

        # A second install keeps the operator's config.
        config = os.path.join(destdir, "etc/quicchat/server.toml")
        with open(config, "a") as f:
            f.write("port = 4500\n")
        destdir_install(destdir)
        with open(config) as f:
            check(f.read().endswith("port = 4500\n"), "a second make install replaced the config")

        # `make uninstall` removes what the manifest lists and keeps the config; PURGE=1 does not.
        uninstall = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../scripts/uninstall")
        with_destdir = {**os.environ, "DESTDIR": destdir}
        run([uninstall, BUILD], env=with_destdir)
        check(files_under(destdir) == {"etc/quicchat/server.toml"},
              f"after uninstall: {sorted(files_under(destdir))}")
        run([uninstall, BUILD, "--purge"], env=with_destdir)
        check(files_under(destdir) == set(), f"after uninstall --purge: {sorted(files_under(destdir))}")
    finally:
        shutil.rmtree(destdir, ignore_errors=True)


def test_man_page_lists_every_command_and_server_option():
    destdir = tempfile.mkdtemp(prefix="qc-install-")
    try:
        destdir_install(destdir)
        with gzip.open(os.path.join(destdir, "usr/local/share/man/man1/quicchat.1.gz"), "rt") as f:
            page = f.read()
        commands = re.findall(r"^  ([a-z]+) ", run([BINARY, "--help"]), re.M)
        check(len(commands) >= 7, f"quicchat --help lists {commands}")
        for command in commands:
            check(f'.SH "quicchat {command}"' in page, f"no section for {command}")
        options = re.findall(r"^\s+--([a-z0-9-]+)", run([BINARY, "server", "--help"]), re.M)
        check(len(options) >= 40, f"quicchat server --help lists {options}")
        for option in options:
            check("\\-\\-" + option.replace("-", "\\-") in page, f"server option --{option} missing")
    finally:
        shutil.rmtree(destdir, ignore_errors=True)


def verify_unit(path):
    """`systemd-analyze verify`: its warnings (an unknown key, a command that is not there) fail
    the test too, though they leave its exit code 0."""
    if not shutil.which("systemd-analyze"):
        raise TestFailure("systemd-analyze missing (Debian package systemd; scripts/bootstrap installs it)")
    done = subprocess.run(["systemd-analyze", "verify", "--man=no", path], capture_output=True, text=True,
                          timeout=60)
    check(done.returncode == 0 and not done.stderr.strip(),
          f"systemd-analyze verify {path} exited {done.returncode}: {done.stdout}{done.stderr}")


def test_systemd_analyze_verifies_the_installed_unit():
    # A real prefix, not a DESTDIR: verify checks that the binary the unit names is there.
    prefix = tempfile.mkdtemp(prefix="qc-install-")
    try:
        destdir_install("", prefix)
        verify_unit(os.path.join(prefix, "lib/systemd/system", UNIT))
    finally:
        shutil.rmtree(prefix, ignore_errors=True)


class Machine:
    """What the package test changes on this machine, undone on exit whatever happened: the
    package purged, and the user and folders it made removed when they were not there before."""

    PATHS = ("/var/lib/quicchat", "/run/quicchat", "/etc/quicchat")

    def __init__(self):
        self.had_user = user_exists("quicchat")
        self.server = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.server and self.server.poll() is None:
            self.server.kill()
            self.server.wait()
        if package_installed():
            subprocess.run(["apt-get", "purge", "-y", "-qq", PACKAGE], capture_output=True,
                           env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
        for path in self.PATHS:
            shutil.rmtree(path, ignore_errors=True)
        if not self.had_user and user_exists("quicchat"):
            subprocess.run(["userdel", "quicchat"], capture_output=True)
            subprocess.run(["groupdel", "quicchat"], capture_output=True)


def user_exists(name):
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def package_installed():
    done = subprocess.run(["dpkg-query", "-W", "-f=${Status}", PACKAGE], capture_output=True, text=True)
    return done.stdout.strip() == "install ok installed" or "config-files" in done.stdout


def build_deb(out):
    """`make deb` into `out`, from the test's build folder (nothing is recompiled)."""
    run(["cpack", "--config", os.path.join(BUILD, "CPackConfig.cmake"), "-B", out])
    debs = glob.glob(os.path.join(out, "quicchat_*.deb"))
    check(len(debs) == 1, f"cpack made {debs}")
    return debs[0]


class Service:
    """The unit's server run as the unit would run it: its directories made and owned as systemd
    makes them, its ExecStartPre and ExecStart under setpriv as its user with no new privileges
    and no capabilities, in its working directory with its umask."""

    def __init__(self, unit_path, machine):
        self.unit = read_unit(unit_path)
        self.user = self.unit["User"][0]
        self.group = self.unit.get("Group", [self.user])[0]
        entry = pwd.getpwnam(self.user)
        for key, root in (("StateDirectory", "/var/lib"), ("RuntimeDirectory", "/run"),
                          ("ConfigurationDirectory", "/etc")):
            for name in self.unit.get(key, []):
                path = os.path.join(root, name)
                os.makedirs(path, exist_ok=True)
                if key != "ConfigurationDirectory":  # systemd leaves /etc root's
                    os.chown(path, entry.pw_uid, entry.pw_gid)
                    os.chmod(path, int(self.unit.get(key + "Mode", ["0755"])[0], 8))
        self.cwd = self.unit.get("WorkingDirectory", ["/"])[0]
        self.umask = int(self.unit.get("UMask", ["0022"])[0], 8)
        self.machine = machine

    def as_user(self):
        argv = ["setpriv", f"--reuid={self.user}", f"--regid={self.group}", "--init-groups"]
        if self.unit.get("NoNewPrivileges", ["no"])[0] == "yes":
            argv.append("--no-new-privs")
        if self.unit.get("CapabilityBoundingSet", [None])[0] == "":
            argv += ["--bounding-set=-all", "--inh-caps=-all"]
        return argv

    def popen(self, argv, **kw):
        return subprocess.Popen(self.as_user() + argv, cwd=self.cwd, env={"PATH": "/usr/bin:/bin"},
                                preexec_fn=lambda: os.umask(self.umask), text=True, **kw)

    def run_as_user(self, argv):
        proc = self.popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        out, err = proc.communicate(timeout=60)
        if proc.returncode != 0:
            raise TestFailure(f"{argv} as {self.user} exited {proc.returncode}: {out}{err}")
        return out

    def import_accounts(self, accounts, db):
        """`quicchat user import` as the unit's user, from a file only that user can read."""
        users = os.path.join("/var/lib", self.unit["StateDirectory"][0], "users.txt")
        with open(users, "w") as f:
            f.write("".join(f"{n}:{p}\n" for n, p in accounts.items()))
        os.chown(users, pwd.getpwnam(self.user).pw_uid, -1)
        try:
            self.run_as_user(["/usr/bin/quicchat", "user", "import", users, "--db", db, "--cost", "4"])
        finally:
            os.remove(users)

    def start(self):
        for line in self.unit.get("ExecStartPre", []):
            self.run_as_user(command_of(line))
        # On a free port: the config's 4433 may be taken on a shared machine.
        argv = command_of(self.unit["ExecStart"][0]) + ["--port", "0"]
        self.proc = self.popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
        self.machine.server = self.proc
        self.log = Lines(self.proc.stderr)
        line = self.log.wait_for(r"listening on 127\.0\.0\.1:(\d+)", DEFAULT_TIMEOUT)
        self.port = int(re.search(r":(\d+)$", line).group(1))


class ServiceServer:
    """What client_support's clients need of a server: the installed client, this port, the CA
    the unit's ExecStartPre wrote."""

    accounts = ACCOUNTS

    def __init__(self, port, ca, state_dir):
        self.port, self.ca, self.state_dir = port, ca, state_dir

    def client_args(self, *extra):
        return ["/usr/bin/quicchat", "client", "--server", "127.0.0.1", "--port", str(self.port),
                "--ca", self.ca, "--state-dir", self.state_dir, "--max-version", "1", *extra]


def test_deb_installs_runs_as_its_user_and_purges_clean():
    name = "test_deb_installs_runs_as_its_user_and_purges_clean"
    if os.geteuid() != 0:
        return skip(name, "needs root (installs a package and makes a system user)")
    for tool in ("apt-get", "cpack", "dpkg-shlibdeps", "setpriv"):
        if not shutil.which(tool):
            raise TestFailure(f"{tool} missing (scripts/bootstrap installs it)")
    if package_installed() or any(os.path.exists(p) for p in Machine.PATHS):
        return skip(name, "a quicchat package or its folders are on this machine already; not touching them")
    work = tempfile.mkdtemp(prefix="qc-deb-")
    with Machine() as machine:
        try:
            deb = build_deb(work)
            depends = run(["dpkg-deb", "-f", deb, "Depends"])
            for lib in ("adduser", "libngtcp2", "libgnutls", "libsqlite3"):
                check(lib in depends, f"Depends lacks {lib}: {depends}")
            run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", deb],
                env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
            installed = [f for f in run(["dpkg", "-L", PACKAGE]).split("\n") if f and os.path.isfile(f)]
            for path in ("/usr/bin/quicchat", "/usr/share/man/man1/quicchat.1.gz",
                         "/usr/lib/systemd/system/quicchat.service", "/etc/quicchat/server.toml"):
                check(path in installed, f"{path} not in the package: {installed}")
            check("/etc/quicchat/server.toml" in run(["dpkg-query", "-W", "-f=${Conffiles}", PACKAGE]),
                  "/etc/quicchat/server.toml is not a conffile")
            check(user_exists("quicchat"), "postinst made no user quicchat")
            unit_path = "/usr/lib/systemd/system/quicchat.service"
            verify_unit(unit_path)
            version = run(["/usr/bin/quicchat", "--version"])
            check(re.match(r"quicchat \d+\.\d+\.\d+\n", version), f"--version said {version!r}")

            service = Service(unit_path, machine)
            service.start()
            db = "/var/lib/quicchat/quicchat.db"
            service.import_accounts(ACCOUNTS, db)
            server = ServiceServer(service.port, "/var/lib/quicchat/certs/quic_certificate.pem",
                                   os.path.join(work, "client-state"))
            alice = ScriptClient(server, login="alice")
            bob = ScriptClient(server, login="bob")
            try:
                alice.send("0: hello from the service")
                for c in (alice, bob):
                    c.expect(r"^\[Broad Msg\] alice: hello from the service$")
                service.proc.send_signal(signal.SIGTERM)
                code = service.proc.wait(DEFAULT_TIMEOUT)
                check(code == 0, f"server exited {code} on SIGTERM: {service.log.snapshot()}")
                for c in (alice, bob):
                    check(c.wait() is not None, "client still running after the server stopped")
            finally:
                alice.kill()
                bob.kill()
            # Everything the service wrote belongs to its user: nothing root-owned it could not open.
            uid = pwd.getpwnam(service.user).pw_uid
            for folder, dirs, names in os.walk("/var/lib/quicchat"):
                for n in dirs + names:
                    path = os.path.join(folder, n)
                    check(os.stat(path).st_uid == uid, f"{path} is not owned by {service.user}")

            run(["apt-get", "purge", "-y", "-qq", PACKAGE], env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
            check(not package_installed(), "the package is still installed after a purge")
            left = [p for p in installed + list(Machine.PATHS) if os.path.exists(p)]
            check(not left, f"left behind after a purge: {left}")
        finally:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main([test_install_puts_the_expected_files, test_man_page_lists_every_command_and_server_option,
          test_systemd_analyze_verifies_the_installed_unit,
          test_deb_installs_runs_as_its_user_and_purges_clean], "install_test.py")
