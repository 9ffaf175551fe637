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

.PHONY: deps configure build test run demo bench fmt clean

deps:
	@missing=$$(for p in $(PACKAGES); do \
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

fmt:
	@git ls-files '*.h' '*.cc' | xargs clang-format --style=Google -i

clean:
	rm -rf $(BUILD)
