# Disco/FLASH - the two commands of the README, plus bench and a few helpers.
#   make demo   install what is missing, build, run the main job locally
#   make test   install what is missing, build, run every test (+ ASan/UBSan pass)
#   make bench  run the benchmarks in bench/ and print their figures
JOBS  ?= $(shell nproc)
MAKEFLAGS += --no-print-directory
BUILD ?= build
ASAN_BUILD ?= build-asan

.PHONY: all deps build demo test test-fast test-asan bench format clean

all: build

deps:
	@bash deploy/install-deps.sh --quiet

$(BUILD)/Makefile: CMakeLists.txt
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: deps $(BUILD)/Makefile
	@cmake --build $(BUILD) -j$(JOBS)

demo: build
	@bash deploy/demo.sh $(BUILD)

test: build
	ctest --test-dir $(BUILD) --output-on-failure -j$(JOBS)
	$(MAKE) --no-print-directory test-asan

# The unit tests, and the tests labelled "sanitize" (VMs under the monitor),
# again under AddressSanitizer and UndefinedBehaviorSanitizer.
test-asan: deps
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DDISCO_SANITIZE=ON >/dev/null
	cmake --build $(ASAN_BUILD) -j$(JOBS)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --test-dir $(ASAN_BUILD) --output-on-failure -j$(JOBS) -L 'unit|sanitize'

bench: build
	@bash bench/run.sh $(BUILD)

format:
	@git ls-files '*.c' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
