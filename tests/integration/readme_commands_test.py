#!/usr/bin/env python3
"""README's commands still work: runs the fenced code blocks of README.md that are marked to run.

The convention (invisible once the Markdown is rendered): an HTML comment on the line right
before a fence marks the block,

    <!-- docs-test: run -->
    ```sh
    printf 'cam\\np3\\n0: deploy finished\\n' | build/quicchat client
    ```

and the block's text runs with `sh -e` and must exit 0 within 20 s. Unmarked blocks are not
run (they need a terminal, root, a network or hours). Every marked block runs, in README order,
in one temp dir that holds what README's walkthrough has at that point:

- `make run`'s state: the quicchat commands of the Makefile's `run` recipe (read from it; its
  build steps are left out) ran there, so `certs/` and `data/quicchat.db` (alice/p1, bob/p2,
  cam/p3) exist and its server runs in the background, on a free port;
- alice logged in, as in the walkthrough's second terminal (a scripted client of the same user
  on the same machine: same HOME, so the same v2 device state);
- `build/quicchat` (and `quicchat` on the PATH) is the binary under test, through a wrapper that
  points `server` and `client` at that port (and makes bcrypt cheap); HOME is the temp dir.

After the marked blocks a self-check runs one deliberately broken block through the same runner
(the test fails unless it is caught); then the server must exit 0 on SIGTERM.

usage: readme_commands_test.py QUICCHAT [README] (README defaults to the repository's)
"""
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from client_support import DEFAULT_TIMEOUT, Lines, TestFailure  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MARKER = re.compile(r"^<!--\s*docs-test:\s*(\S+)\s*-->\s*$")
FENCE = re.compile(r"^```(\w*)\s*$")
BLOCK_SECONDS = 20


def marked_blocks(markdown):
    """(line number, text) of every fenced block right after a `<!-- docs-test: run -->` line."""
    lines = markdown.splitlines()
    blocks = []
    for i, line in enumerate(lines):
        mark = MARKER.match(line)
        if not mark:
            continue
        if mark.group(1) != "run":
            raise TestFailure(f"README.md:{i + 1}: unknown docs-test marker {mark.group(1)!r}")
        if i + 1 >= len(lines) or not FENCE.match(lines[i + 1]):
            raise TestFailure(f"README.md:{i + 1}: a docs-test marker must precede a ``` fence")
        end = next((j for j in range(i + 2, len(lines)) if lines[j].startswith("```")), None)
        if end is None:
            raise TestFailure(f"README.md:{i + 2}: the block never closes")
        blocks.append((i + 3, "\n".join(lines[i + 2:end]) + "\n"))
    return blocks


def make_run_recipe(makefile):
    """The quicchat commands of the Makefile's `run` target (not its build steps), for sh."""
    recipe = re.search(r"^run:.*\n((?:\t.*\n)+)", makefile, re.M)
    if not recipe:
        raise TestFailure("Makefile: no `run` target")
    commands = []
    for line in recipe.group(1).splitlines():
        if "$(BUILD)/quicchat" not in line:
            continue
        # $(CURDIR) is where make runs: the sandbox, which is the commands' working folder.
        command = line.strip().lstrip("@").replace("$(BUILD)", "build").replace("$(CURDIR)", "$PWD")
        if "$(" in command:
            raise TestFailure(f"Makefile: the docs test cannot run `{command}`")
        commands.append(command)
    return commands


# build/quicchat in the sandbox. Accounts get bcrypt cost 4, not 12: the server checks passwords
# on nice-19 threads, which a busy machine (ctest -j) slows down a lot at cost 12.
WRAPPER = """#!/bin/sh
# build/quicchat of the docs test: the binary under test, its server on a free port.
case "$1" in
  server) shift; exec {binary} server --port 0 --bcrypt-cost 4 "$@" ;;
  client) shift
    # make run writes the client's config file before its server starts (no port yet).
    [ -f {port_file} ] || exec {binary} client "$@"
    exec {binary} client --port "$(cat {port_file})" "$@" ;;
  user) shift; exec {binary} user "$@" --cost 4 ;;
  *) exec {binary} "$@" ;;
esac
"""


class Sandbox:
    """The temp dir README's commands run in, with `make run`'s server and alice logged in."""

    def __init__(self, binary):
        self.dir = tempfile.mkdtemp(prefix="qc-readme-test-")
        port_file = os.path.join(self.dir, ".server-port")
        wrapper = os.path.join(self.dir, "build", "quicchat")
        os.makedirs(os.path.dirname(wrapper))
        with open(wrapper, "w") as f:
            f.write(WRAPPER.format(binary=shlex.quote(os.path.abspath(binary)),
                                   port_file=shlex.quote(port_file)))
        os.chmod(wrapper, 0o755)
        os.makedirs(os.path.join(self.dir, "bin"))
        os.symlink(wrapper, os.path.join(self.dir, "bin", "quicchat"))
        self.env = {"PATH": os.path.join(self.dir, "bin") + os.pathsep + os.environ["PATH"],
                    "HOME": self.dir, "LANG": "C.UTF-8", "TERM": "dumb"}
        self.server = None
        self.alice = None
        self.start_make_run(port_file)

    def start_make_run(self, port_file):
        with open(os.path.join(REPO, "Makefile")) as f:
            *setup, serve = make_run_recipe(f.read())
        for command in setup:
            if command.startswith("exec "):
                raise TestFailure(f"Makefile: `run` execs before its last line: {command}")
            self.check(self.sh(command), f"make run: {command}")
        self.server = subprocess.Popen(["sh", "-c", serve], cwd=self.dir, env=self.env,
                                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                       stderr=subprocess.PIPE, text=True)
        self.log = Lines(self.server.stderr)
        listening = r"listening on 127\.0\.0\.1:(\d+)"
        line = self.log.wait_for(listening, DEFAULT_TIMEOUT)
        with open(port_file, "w") as f:
            f.write(re.search(listening, line).group(1) + "\n")

    def log_in_alice(self):
        """README's terminal 2: alice stays logged in while the other commands run."""
        self.alice = subprocess.Popen([os.path.join(self.dir, "build", "quicchat"), "client"],
                                      cwd=self.dir, env=self.env, stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                      text=True, bufsize=1)
        self.alice.stdin.write("alice\np1\n")
        self.alice.stdin.flush()
        self.alice_out = Lines(self.alice.stdout)
        self.alice_out.wait_for(r"Login successful", DEFAULT_TIMEOUT)

    def sh(self, script):
        try:
            return subprocess.run(["sh", "-e", "-c", script], cwd=self.dir, env=self.env,
                                  stdin=subprocess.DEVNULL, capture_output=True, text=True,
                                  timeout=BLOCK_SECONDS)
        except subprocess.TimeoutExpired as e:
            return subprocess.CompletedProcess(e.cmd, -1, e.stdout or "", "timed out")

    def check(self, done, where):
        if done.returncode != 0:
            raise TestFailure(f"{where}: exit status {done.returncode}\n"
                              f"stdout: {done.stdout}\nstderr: {done.stderr}")

    def run_block(self, line, text):
        self.check(self.sh(text), f"README.md:{line}: the block\n{text}")
        if self.alice.poll() is not None:
            raise TestFailure(f"README.md:{line}: alice's session ended meanwhile: "
                              f"{self.alice_out.snapshot()}")

    def stop(self):
        if self.alice and self.alice.poll() is None:
            self.alice.stdin.close()  # end of input: the client logs out and exits
            self.alice.wait(DEFAULT_TIMEOUT)
        self.server.terminate()
        status = self.server.wait(DEFAULT_TIMEOUT)
        if status != 0:
            raise TestFailure(f"make run's server exited {status} on SIGTERM: "
                              f"{self.log.snapshot()}")

    def close(self):
        for proc in (self.alice, self.server):
            if proc and proc.poll() is None:
                proc.kill()
                proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def main():
    binary = sys.argv[1]
    readme = sys.argv[2] if len(sys.argv) > 2 else os.path.join(REPO, "README.md")
    with open(readme) as f:
        blocks = marked_blocks(f.read())
    if not blocks:
        raise TestFailure(f"{readme}: no block marked <!-- docs-test: run -->")
    sandbox = Sandbox(binary)
    try:
        sandbox.log_in_alice()
        for line, text in blocks:
            sandbox.run_block(line, text)
            print(f"ok   README.md:{line}: {text.strip()}")
        # The runner must catch a command that no longer works.
        try:
            sandbox.run_block(0, "build/quicchat client --no-such-flag </dev/null\n")
        except TestFailure:
            print("ok   a broken block fails the test")
        else:
            raise TestFailure("self-check: a block with an unknown flag passed")
        sandbox.stop()
    finally:
        sandbox.close()
    print(f"PASS: {len(blocks)} README block(s)")


if __name__ == "__main__":
    try:
        main()
    except TestFailure as e:
        print(f"FAIL: {e}", file=sys.stderr)
        sys.exit(1)
