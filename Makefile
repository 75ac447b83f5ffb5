# quicchat front door. Every target installs missing packages first.
BUILD      ?= build
FUZZ_BUILD ?= build-fuzz
SAN_BUILD  ?= build-sanitize
TSAN_BUILD ?= build-tsan
JOBS       ?= $(shell nproc)
WERROR     ?= $(if $(CI),ON,OFF)
CMAKE_ARGS ?=
FUZZ_SECONDS ?= 10
# make install: where (DESTDIR, when set, is put before every path: a staging folder)
PREFIX     ?= /usr/local

.PHONY: all bootstrap configure build run install uninstall deb test bench fuzz fuzz-long conformance \
	test-sanitize test-sanitize-quick san-configure san-build test-sanitize-run test-tsan \
	tsan-build test-tsan-run test-main test-main-run format clean

all: build

bootstrap:
	@scripts/bootstrap

configure: bootstrap
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DQC_WERROR=$(WERROR) $(UNITY_ARGS) \
	  -DQC_FUZZ_BIN_DIR=$(abspath $(FUZZ_BUILD))/fuzz -DQC_FUZZ_SECONDS=$(FUZZ_SECONDS) $(CMAKE_ARGS) >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

# Builds what a target needs (only that) with one progress line; warnings and errors in full.
BUILD_ONLY = JOBS=$(JOBS) scripts/build-progress $(BUILD)

# Starts the server on the embedded defaults: 127.0.0.1:4433, dev certificates in ./certs,
# accounts in ./data/quicchat.db (created with the seed's demo users when missing). Builds
# only the quicchat binary.
run: configure
	@$(BUILD_ONLY) quicchat
	@$(BUILD)/quicchat certs --out certs --if-missing
	@$(BUILD)/quicchat user demo --db data/quicchat.db
	@$(BUILD)/quicchat client --save-config --if-missing --server 127.0.0.1 --port 4433 --ca $(CURDIR)/certs/quic_certificate.pem
	@exec $(BUILD)/quicchat server

# The binary, its man page, /etc/quicchat/server.toml (kept when there) and the systemd unit
# quicchat.service: sudo make install [PREFIX=/usr/local] [DESTDIR=staging]
install: configure
	@$(BUILD_ONLY) quicchat quicchat_man
	@DESTDIR="$(DESTDIR)" cmake --install $(BUILD) --prefix $(PREFIX)

# Removes what the last `make install` from this build put in place (its install_manifest.txt),
# keeping /etc/quicchat's config unless PURGE=1: sudo make uninstall [PURGE=1]
uninstall:
	@DESTDIR="$(DESTDIR)" scripts/uninstall $(BUILD) $(if $(PURGE),--purge)

# The same as a Debian package (CPack; prefix /usr, postinst makes the system user):
# $(BUILD)/quicchat_VERSION_ARCH.deb, for `sudo apt-get install ./$(BUILD)/quicchat_*.deb`.
deb: configure
	@$(BUILD_ONLY) quicchat quicchat_man
	@cd $(BUILD) && out=$$(cpack -G DEB 2>&1) || { echo "$$out" >&2; exit 1; }; \
	  echo "$$out" | sed -n 's|^CPack: - package: \(.*\) generated\.$$|\1|p'

# Every build compiles each target in unity batches (CMake's unity build): most of a source's
# compile time is the headers and inline code it shares with its neighbours, and a batch of 8
# reads and compiles them once (the normal build: about 15 CPU minutes, links included, against
# about 23 for the compiles alone one source at a time). A source that cannot share a batch (a name in an anonymous
# namespace that a neighbour defines too) is excluded in its folder's CMakeLists.txt
# (qc_no_unity). UNITY=OFF compiles one source at a time (quicker rebuilds of one file while
# developing, and proof that every source includes what it uses): make build UNITY=OFF.
UNITY ?= ON
UNITY_ARGS = -DCMAKE_UNITY_BUILD=$(UNITY) -DCMAKE_UNITY_BUILD_BATCH_SIZE=8

fuzz: bootstrap
	@cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DQC_FUZZ=ON $(UNITY_ARGS) \
	  -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_C_COMPILER=clang-14 -DQC_WERROR=$(WERROR) >/dev/null
	@cmake --build $(FUZZ_BUILD) -j $(JOBS)

# Builds everything (and the fuzz targets), runs every unit and integration test under
# ASan+UBSan, every test of the normal build through ctest, and the multi-threaded parts under
# TSan. The normal, fuzz and TSan builds run in the background at the lowest priority while the
# ASan+UBSan build and the tests run (scripts/test-all says how); any failing build or test
# fails the target.
test: bootstrap
	@MAKE="$(MAKE) --no-print-directory" scripts/test-all

# Only the normal build's ctest suite (unit, integration, conformance, fuzz smoke): the quick
# loop while developing. `make test` runs it after the sanitizer passes.
test-main: build fuzz
	@$(MAKE) --no-print-directory test-main-run

test-main-run:
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 600

# Hours of fuzzing: make fuzz-long FUZZ_SECONDS=14400
fuzz-long: fuzz
	@scripts/fuzz-all $(abspath $(FUZZ_BUILD))/fuzz $(FUZZ_SECONDS)

# Protocol conformance against any server: the v1 part against any v1 server, the v2 part (V2*)
# against any v2 server on ALPN=quicchat; GTEST_FILTER='-V2*' (or 'V2*') runs one part only.
#   make conformance SERVER=127.0.0.1:4433 ALPN=echo-protocol USERS=alice:p1,bob:p2,cam:p3 CA=certs/quic_certificate.pem
SERVER ?= 127.0.0.1:4433
ALPN   ?= quicchat
USERS  ?= alice:p1,bob:p2,cam:p3
CA     ?= certs/quic_certificate.pem
conformance: build
	@$(BUILD)/tests/integration/conformance --server $(SERVER) --alpn $(ALPN) --users $(USERS) --ca $(CA)

bench: build
	@scripts/bench-all $(BUILD)

# Any UBSan finding fails the test that caused it (the default only prints).
SAN_ENV = UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ASAN_OPTIONS=detect_leaks=1
QUICK_SAN_TESTS = unit_chat unit_proto unit_auth unit_store

san-configure: bootstrap
	@cmake -S . -B $(SAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DQC_SANITIZE=address,undefined $(UNITY_ARGS) \
	  -DQC_WERROR=$(WERROR) >/dev/null

# Unit and integration tests under ASan+UBSan, but for the load generator's smoke test, the
# kill -9 durability test and the resume test under kill -9 and packet loss: they exercise no
# parser or ownership the other suites do not, and take a minute under ASan; README's commands
# (readme_commands_test.py), which check the docs, not the code; and the install test, which
# tests packaging (and would package the sanitized binary); the PostgreSQL store's suites and
# the engines' smoke test, which spend their time starting PostgreSQL (the store's parsing of
# its answers is plain libpq calls; the SQLite store and the store contract run under ASan in
# unit_store). The normal build runs them. The sanitizer builds do not compile the C++ ones
# (tests/CMakeLists.txt, at its end).
SAN_SKIP = it_bench_smoke_test|it_peerbench_test|it_durability_test|it_resume_loss_test|it_readme_commands_test|it_install_test|unit_store_pg|it_pg_store_test|it_cluster_engines_test|it_cluster_pg_test
test-sanitize: san-build
	@$(MAKE) --no-print-directory test-sanitize-run

san-build: san-configure
	@cmake --build $(SAN_BUILD) -j $(JOBS)

test-sanitize-run:
	@cd $(SAN_BUILD) && $(SAN_ENV) ctest --output-on-failure -j $(JOBS) --timeout 900 \
	  -E '^($(SAN_SKIP))$$'

# The pure modules' unit tests under ASan+UBSan: seconds, once the sanitizer build exists.
test-sanitize-quick: san-configure
	@cmake --build $(SAN_BUILD) -j $(JOBS) --target $(QUICK_SAN_TESTS)
	@cd $(SAN_BUILD) && $(SAN_ENV) ctest --output-on-failure -j $(JOBS) --timeout 900 \
	  -R '^($(subst $(eval) ,|,$(QUICK_SAN_TESTS)))$$'

# The multi-threaded parts under TSan: the hashing pool, the store and the event loop's post()
# from other threads (unit tests), and real
# servers (password checks on worker threads post their results back to the loop) through the
# lifecycle and conformance tests. Reports of every process, the servers included, go to
# $(TSAN_BUILD)/tsan-report.PID; any such file fails the target.
TSAN_TESTS = unit_auth unit_store unit_io it_server_lifecycle_test it_history_test conformance
TSAN_REPORTS = $(abspath $(TSAN_BUILD))/tsan-report
test-tsan: tsan-build
	@$(MAKE) --no-print-directory test-tsan-run

tsan-build: bootstrap
	@cmake -S . -B $(TSAN_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DQC_SANITIZE=thread $(UNITY_ARGS) \
	  -DQC_WERROR=$(WERROR) >/dev/null
	@cmake --build $(TSAN_BUILD) -j $(JOBS) --target $(TSAN_TESTS) quicchat

test-tsan-run:
	@rm -f $(TSAN_REPORTS).*
	@cd $(TSAN_BUILD) && TSAN_OPTIONS=second_deadlock_stack=1:log_path=$(TSAN_REPORTS) \
	  ctest --output-on-failure -j $(JOBS) --timeout 900 -R '^($(subst $(eval) ,|,$(TSAN_TESTS)))$$'
	@if ls $(TSAN_REPORTS).* >/dev/null 2>&1; then cat $(TSAN_REPORTS).*; \
	  echo "test-tsan: ThreadSanitizer reports above" >&2; exit 1; fi

format:
	@git ls-files '*.cc' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD) $(FUZZ_BUILD) $(SAN_BUILD) $(TSAN_BUILD)
