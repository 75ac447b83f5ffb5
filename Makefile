# quicchat front door. Every target installs missing packages first.
BUILD      ?= build
FUZZ_BUILD ?= build-fuzz
SAN_BUILD  ?= build-sanitize
JOBS       ?= $(shell nproc)
WERROR     ?= $(if $(CI),ON,OFF)
CMAKE_ARGS ?=
FUZZ_SECONDS ?= 30

.PHONY: all bootstrap build run test bench fuzz fuzz-long conformance test-sanitize format clean

all: build

bootstrap:
	@scripts/bootstrap

build: bootstrap
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DQC_WERROR=$(WERROR) \
	  -DQC_FUZZ_BIN_DIR=$(abspath $(FUZZ_BUILD))/fuzz -DQC_FUZZ_SECONDS=$(FUZZ_SECONDS) $(CMAKE_ARGS) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

# Starts the server on the embedded defaults: 127.0.0.1:4433, dev certificates in ./certs,
# accounts in ./data/quicchat.db (created with the seed's demo users when missing).
run: build
	@$(BUILD)/quicchat certs --out certs --if-missing
	@$(BUILD)/quicchat user demo --db data/quicchat.db
	@exec $(BUILD)/quicchat server

fuzz: bootstrap
	@cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DQC_FUZZ=ON \
	  -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_C_COMPILER=clang-14 -DQC_WERROR=$(WERROR) >/dev/null
	@cmake --build $(FUZZ_BUILD) -j $(JOBS)

# Builds everything (and the fuzz targets) and runs every test through ctest.
test: build fuzz
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 600

# Hours of fuzzing: make fuzz-long FUZZ_SECONDS=14400
fuzz-long: fuzz
	@scripts/fuzz-all $(abspath $(FUZZ_BUILD))/fuzz $(FUZZ_SECONDS)

# Protocol conformance against any v1 server:
#   make conformance SERVER=127.0.0.1:4433 ALPN=echo-protocol USERS=alice:p1,bob:p2,cam:p3 CA=certs/quic_certificate.pem
SERVER ?= 127.0.0.1:4433
ALPN   ?= quicchat
USERS  ?= alice:p1,bob:p2,cam:p3
CA     ?= certs/quic_certificate.pem
conformance: build
	@$(BUILD)/tests/integration/conformance --server $(SERVER) --alpn $(ALPN) --users $(USERS) --ca $(CA)

bench: build
	@scripts/bench-all $(BUILD)

# Unit and integration tests under ASan+UBSan.
test-sanitize: bootstrap
	@cmake -S . -B $(SAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DQC_SANITIZE=address,undefined \
	  -DQC_WERROR=$(WERROR) >/dev/null
	@cmake --build $(SAN_BUILD) -j $(JOBS)
	@cd $(SAN_BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 900

format:
	@git ls-files '*.cc' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD) $(FUZZ_BUILD) $(SAN_BUILD)
