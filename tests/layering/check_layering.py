#!/usr/bin/env python3
"""The layering of src/, checked: which module may include which, and what the pure ones never do.

Each folder under src/ is one library. LAYERS says which other modules a module's files may
include ("chat/..." is module chat); a folder missing from the table is an error, so a new
module has to say where it stands. Beyond the include graph:
- the pure modules (PURE) include no socket, thread, TLS, QUIC or database header and never read
  the clock: time comes in as an argument;
- only src/quic includes ngtcp2 or GnuTLS, and only src/store includes SQLite;
- nothing in src/quic knows the chat: no "proto/" or "chat/" include (checked by LAYERS).

Usage: check_layering.py SOURCE_ROOT     checks the tree, prints every violation, exit 1 on any
       check_layering.py --self-test     proves the checks fire, on a small tree of bad files
"""
import pathlib
import re
import sys
import tempfile

# module -> modules its files may include (besides its own)
LAYERS = {
    "util": set(),
    "proto": {"util"},
    "chat": {"proto", "util"},
    "io": {"util"},
    "auth": {"util"},
    "store": {"chat", "proto", "util"},  # chat: only the store's port, chat/history.h
    "quic": {"io", "util"},
    "ops": {"io", "proto", "util"},
    "client": {"io", "quic", "proto", "util"},
    "cluster": {"io", "util"},  # the bus between nodes (Redis); payloads are opaque to it
    "server": {"auth", "chat", "cluster", "io", "ops", "proto", "quic", "store", "util"},
}

# Sans-I/O: the code that tests drive without a network, a thread or a clock.
PURE = {"util", "proto", "chat"}
PURE_EXEMPT = {"util/log.cc", "util/log.h"}  # the default log sink writes lines with a timestamp

FORBIDDEN_IN_PURE = [
    r"ngtcp2/", r"gnutls/", r"sqlite3\.h", r"libpq-fe\.h", r"hiredis/", r"sys/socket\.h", r"netinet/", r"arpa/", r"netdb\.h",
    r"sys/epoll\.h", r"sys/eventfd\.h", r"sys/resource\.h", r"poll\.h", r"unistd\.h", r"thread",
    r"mutex", r"shared_mutex", r"condition_variable", r"future", r"semaphore", r"stop_token", r"pthread\.h",
]
CLOCK_READ = re.compile(
    r"\b(?:steady_clock|system_clock|high_resolution_clock|file_clock|Clock)::now\s*\("
    r"|\bclock_gettime\s*\(|\bgettimeofday\s*\(|\bstd::time\s*\(|[^_\w.>:]time\s*\(\s*(?:nullptr|NULL|0)\s*\)")

# System headers that belong to exactly one module.
OWNED_HEADERS = {
    r"ngtcp2/": "quic",
    r"gnutls/": "quic",
    r"sqlite3\.h": "store",
    r"libpq-fe\.h": "store",
    r"hiredis/": "cluster",
}

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)
COMMENT = re.compile(r"//[^\n]*|/\*.*?\*/", re.S)
SOURCE_SUFFIXES = {".h", ".hh", ".hpp", ".cc", ".cpp"}


def check_tree(src: pathlib.Path) -> list[str]:
    problems = []
    for folder in sorted(p for p in src.iterdir() if p.is_dir()):
        if folder.name not in LAYERS:
            problems.append(f"src/{folder.name}: a module not in the layering table "
                            f"(add it to LAYERS in tests/layering/check_layering.py)")
    for path in sorted(src.rglob("*")):
        if path.suffix not in SOURCE_SUFFIXES or not path.is_file():
            continue
        rel = path.relative_to(src).as_posix()
        module = rel.split("/", 1)[0]
        if module not in LAYERS:
            continue
        problems += check_file(rel, module, path.read_text(encoding="utf-8", errors="replace"))
    return problems


def check_file(rel: str, module: str, text: str) -> list[str]:
    problems = []
    code = COMMENT.sub("", text)
    for kind, header in INCLUDE.findall(code):
        where = f"src/{rel}: #include {kind}{header}{'>' if kind == '<' else chr(34)}"
        other = header.split("/", 1)[0] if kind == '"' and "/" in header else None
        if other in LAYERS and other != module and other not in LAYERS[module]:
            problems.append(f"{where}: {module} may not depend on {other}")
        for pattern, owner in OWNED_HEADERS.items():
            if re.match(pattern, header) and module != owner:
                problems.append(f"{where}: only src/{owner} includes this")
        if module in PURE and rel not in PURE_EXEMPT and kind == "<":
            if any(re.fullmatch(p + r".*", header) for p in FORBIDDEN_IN_PURE):
                problems.append(f"{where}: {module} is pure (no I/O, threads or clock)")
    if module in PURE and rel not in PURE_EXEMPT:
        for match in CLOCK_READ.finditer(code):
            line = code.count("\n", 0, match.start()) + 1
            problems.append(f"src/{rel}:{line}: {module} is pure and may not read the clock "
                            f"({match.group(0).strip()}); take the time as an argument")
    return problems


def self_test() -> int:
    bad = {
        "chat/a.cc": '#include "quic/endpoint.h"\n',
        "chat/b.cc": "#include <thread>\n",
        "proto/c.cc": "auto t = std::chrono::steady_clock::now();\n",
        "quic/d.cc": '#include "chat/core.h"\n',
        "quic/e.cc": '#include "proto/pdu.h"\n',
        "server/f.cc": "#include <sqlite3.h>\n",
        "client/g.cc": "#include <ngtcp2/ngtcp2.h>\n",
        "mystery/h.cc": "int x;\n",
    }
    good = {
        "chat/ok.cc": '#include "proto/pdu.h"\n// std::chrono::steady_clock::now() in a comment\n'
                      "using TimePoint = std::chrono::steady_clock::time_point;\n",
        "quic/ok.cc": "#include <ngtcp2/ngtcp2.h>\n#include <thread>\n",
        "store/ok.cc": "#include <sqlite3.h>\n",
    }
    expected = {"chat/a.cc", "chat/b.cc", "proto/c.cc", "quic/d.cc", "quic/e.cc", "server/f.cc",
                "client/g.cc", "src/mystery"}
    with tempfile.TemporaryDirectory() as tmp:
        root = pathlib.Path(tmp)
        for rel, text in {**bad, **good}.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(text)
        problems = check_tree(root)
    found = {key for key in expected if any(key in p for p in problems)}
    false_alarms = [p for p in problems if "/ok.cc" in p]
    for p in problems:
        print("  caught:", p)
    if found != expected or false_alarms:
        print("layering self-test FAILED: missed", sorted(expected - found),
              "false alarms", false_alarms)
        return 1
    print(f"layering self-test: all {len(expected)} planted violations caught, no false alarm")
    return 0


def main(argv: list[str]) -> int:
    if argv[1:] == ["--self-test"]:
        return self_test()
    if len(argv) != 2:
        print(__doc__)
        return 2
    problems = check_tree(pathlib.Path(argv[1]) / "src")
    for p in problems:
        print(p)
    if problems:
        print(f"layering: {len(problems)} violation(s)")
        return 1
    print(f"layering: src/ holds to the table ({len(LAYERS)} modules)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
