# chatbot - IT-support chatbot backend.
#   make run    install what is missing, build (Release), serve on HOST:PORT (default 0.0.0.0:8000)
#   make test   install what is missing, build, run every test (unit, integration, sanitizers)
#   make lint   clang-format check, Clang thread-safety analysis, clang-tidy (scripts/lint.sh)
# Both are idempotent: with nothing changed they only re-check and re-run.
SHELL := /bin/bash
BUILD ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: all setup setup-test build run test test-fast test-asan test-tsan bench bench-flood eval fit-confidence format lint clean

all: build

setup:
	@scripts/setup.sh

setup-test:
	@scripts/setup.sh --test

# Configure once, then let CMake decide what to rebuild.
$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) >/dev/null

build: setup $(BUILD)/CMakeCache.txt
	@cmake --build $(BUILD) -j $(JOBS) -- --no-print-directory 2>&1 | grep -vE '^\[ *[0-9]+%\] (Building|Linking)|^Consolidate' || true
	@test -x $(BUILD)/chatbot

run: build
	$(BUILD)/chatbot serve

# Unit and integration tests on the Release build.
test-fast: setup-test build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# The same suites under AddressSanitizer + UndefinedBehaviorSanitizer, and ThreadSanitizer.
test-asan: setup-test
	@[ -f build-asan/CMakeCache.txt ] || cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCHATBOT_SANITIZE=address,undefined >/dev/null
	@cmake --build build-asan -j $(JOBS) -- --no-print-directory 2>&1 | grep -vE '^\[ *[0-9]+%\] (Building|Linking)' || true
	cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ctest --output-on-failure -j $(JOBS)

test-tsan: setup-test
	@[ -f build-tsan/CMakeCache.txt ] || cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCHATBOT_SANITIZE=thread >/dev/null
	@cmake --build build-tsan -j $(JOBS) -- --no-print-directory 2>&1 | grep -vE '^\[ *[0-9]+%\] (Building|Linking)' || true
	cd build-tsan && TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:suppressions=$(CURDIR)/tests/tsan.supp ctest --output-on-failure -j $(JOBS)

test: test-fast test-asan test-tsan

# Retrieval quality on the StackFAQ evaluation set (see docs/BENCHMARKS.md).
# Retrieval quality and selective answering on the dev data (../shared/eval/README.md): StackFAQ
# questions are in-domain; GNOME Help descriptions, support tickets (English) and our own off-topic
# questions have no answer in StackFAQ.
EVAL := ../shared/eval
EVAL_SETS := --kb $(EVAL)/stackfaq/kb.jsonl --queries $(EVAL)/stackfaq/queries-dev.jsonl \
	--out-of-domain $(EVAL)/gnome-help/queries-multi-dev.jsonl \
	--out-of-domain $(EVAL)/tickets/queries-dev.jsonl --out-of-domain data/eval/off-topic-en.jsonl \
	--language en
eval: build
	$(BUILD)/chatbot eval $(EVAL_SETS)

# Refits the answer-confidence model (data/confidence.json) on the same sets.
fit-confidence: build
	CONFIDENCE_MODEL= $(BUILD)/chatbot eval $(EVAL_SETS) --fit-confidence data/confidence.json

# HTTP throughput and latency with wrk (see docs/BENCHMARKS.md).
bench: setup-test build
	bench/http_bench.sh

# One identity floods chat while another asks questions, rate limits on and off.
bench-flood: setup-test build
	bench/flood_bench.sh

format:
	clang-format -i $$(git ls-files 'src/*.cpp' 'src/*.h' 'tests/*.cpp' 'tests/*.h' 'bench/*.cpp')

# Formatting, thread-safety annotations (src/util/thread_annotations.h) and clang-tidy; needs only
# a configured build folder (for compile_commands.json), not a build. Fails on any finding.
lint: setup-test
	BUILD=$(BUILD) JOBS=$(JOBS) scripts/lint.sh

clean:
	rm -rf $(BUILD) build-asan build-tsan
