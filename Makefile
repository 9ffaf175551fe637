# nq57 — the two commands: `make run` and `make test`. Both install what is
# missing first (Debian bookworm packages, as root), then build.
SHELL := /bin/bash
BUILD ?= build
JOBS ?= $(shell nproc)

# Debian bookworm packages the build and the tests need.
PACKAGES := cmake g++ make pkg-config ccache \
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler \
  libabsl-dev librocksdb-dev libssl-dev libgtest-dev libgmock-dev \
  libbenchmark-dev grpc-proto golang-github-gogo-googleapis-dev prometheus-cpp-dev \
  clang-format

# What `make fuzz`, `make asan` and `make tsan` add: clang 14 and its
# sanitizer and libFuzzer runtimes.
CLANG_PACKAGES := clang-14 libclang-rt-14-dev

.PHONY: deps deps-clang configure build test run demo bench crash fuzz asan tsan fmt clean

# $(call install,<packages>): installs the missing ones (as root), or says
# which are missing and how to get them.
define install
	@missing=$$(for p in $(1); do \
	    dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; \
	  done); \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" -eq 0 ]; then \
	  echo "deps: installing:" $$missing; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	else \
	  echo "deps: missing Debian packages:" $$missing; \
	  echo "deps: run 'sudo make deps' or: sudo apt-get install" $$missing; exit 1; \
	fi
endef

deps:
	$(call install,$(PACKAGES))

deps-clang: deps
	$(call install,$(CLANG_PACKAGES))

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release

configure: $(BUILD)/CMakeCache.txt

build: deps configure
	cmake --build $(BUILD) -j$(JOBS) -- --no-print-directory

test: build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS) --timeout 600

run: build
	tools/run.sh

demo: build
	tools/run.sh --demo

bench: build
	tools/bench.sh

# The crash harness at full length: CRASH_CYCLES kill -9 cycles per server
# (make test runs 10), with each server's figures printed.
CRASH_CYCLES ?= 100
crash: build
	NQ57_CRASH_CYCLES=$(CRASH_CYCLES) $(BUILD)/bin/crash_harness_test

# Each libFuzzer target for FUZZ_SECONDS, seeded from deploy/config; a
# finding is written to fuzz/regressions/<target>/ and fails the run.
FUZZ_SECONDS ?= 60
fuzz: deps-clang
	tools/fuzz.sh build-fuzz $(FUZZ_SECONDS)

# The whole test suite under ASan + UBSan, and under TSan (clang 14).
asan: deps-clang
	tools/sanitize.sh address,undefined build-asan

tsan: deps-clang
	tools/sanitize.sh thread build-tsan

fmt:
	@git ls-files '*.h' '*.cc' | xargs clang-format --style=Google -i

clean:
	rm -rf $(BUILD)
