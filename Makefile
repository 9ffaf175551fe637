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
  clang-format umoci iproute2 openssl

# What `make bench` adds: PostgreSQL 15, the baseline system_bench runs
# beside nq57 (bench/postgres_peer.h).
BENCH_PACKAGES := postgresql-15

# What `make fuzz`, `make asan` and `make tsan` add: clang 14 and its
# sanitizer and libFuzzer runtimes.
CLANG_PACKAGES := clang-14 libclang-rt-14-dev

.PHONY: deps deps-node deps-node-debian deps-bench deps-clang configure build image test run demo bench crash fuzz asan tsan fmt clean

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

deps: deps-node
	$(call install,$(PACKAGES))

# The Kubernetes manifest checks (tests/deploy/) run on Node.js with npm
# packages pinned by tests/deploy/package-lock.json; Debian's nodejs + npm
# when no node is installed. kubectl (for `kubectl kustomize`) is not a
# Debian package: the checks fail without it, and this says how to get it.
deps-node:
	@if ! command -v node >/dev/null || ! command -v npm >/dev/null; then \
	  $(MAKE) --no-print-directory deps-node-debian; fi
	@if [ ! -f tests/deploy/node_modules/.package-lock.json ] || \
	    ! cmp -s tests/deploy/package-lock.json tests/deploy/node_modules/.nq57-lock; then \
	  echo "deps: npm ci (tests/deploy)"; \
	  npm ci --prefix tests/deploy --no-audit --no-fund --loglevel=error && \
	  cp tests/deploy/package-lock.json tests/deploy/node_modules/.nq57-lock; fi
	@command -v kubectl >/dev/null || echo "deps: kubectl is missing: the \
	Kubernetes manifest tests need it (kubectl kustomize); install kubectl \
	1.27 or newer from https://kubernetes.io/docs/tasks/tools/ (it is not a \
	Debian package)"

deps-node-debian:
	$(call install,nodejs npm)

deps-bench: deps
	$(call install,$(BENCH_PACKAGES))

deps-clang: deps
	$(call install,$(CLANG_PACKAGES))

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release

configure: $(BUILD)/CMakeCache.txt

build: deps configure
	cmake --build $(BUILD) -j$(JOBS) -- --no-print-directory

# The OCI image of this build (tools/image/build-image.sh says what is in
# it): $(BUILD)/nq57-image.tar.
image: build
	tools/image/build-image.sh $(BUILD)

test: image
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS) --timeout 600

run: build
	tools/run.sh

demo: build
	tools/run.sh --demo

bench: deps-bench build
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
