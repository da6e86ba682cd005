#!/usr/bin/env bash
# The whole test suite: installs what is missing, then builds and runs
#   1. every ctest test with -Werror (gcc),
#   2. the same suite under AddressSanitizer + UndefinedBehaviorSanitizer
#      (but the tests labelled "once"),
#   3. a short libFuzzer run of each fuzz target (clang), on a copy of the corpus.
# Set PLASMA_FUZZ_SECONDS (default 10) to change the per-target fuzz time.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
"$here/tools/setup.sh"

jobs=$(nproc)
passed=0
failed=0

run_ctest() { # label build_dir [ctest args...]
    local label=$1 dir=$2 log
    shift 2
    log=$(mktemp)
    echo "== $label: ctest in $dir"
    if (cd "$dir" && ctest --output-on-failure -j"$jobs" "$@") 2>&1 | tee "$log"; then :; fi
    local line
    line=$(grep -E '[0-9]+% tests passed, [0-9]+ tests failed out of [0-9]+' "$log" | tail -n1 || true)
    rm -f "$log"
    if [ -z "$line" ]; then
        echo "== $label: ctest printed no summary" >&2
        failed=$((failed + 1))
        return
    fi
    local f total
    f=$(sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\1/' <<<"$line")
    total=$(sed -E 's/.* out of ([0-9]+).*/\1/' <<<"$line")
    passed=$((passed + total - f))
    failed=$((failed + f))
}

echo "== build (gcc, -Werror)"
"$here/tools/build.sh" "$here/build/test" -DPLASMA_WERROR=ON -DPLASMA_BUILD_TESTS=ON
run_ctest "gcc" "$here/build/test"

echo "== build (ASan + UBSan)"
"$here/tools/build.sh" "$here/build/asan" -DPLASMA_WERROR=ON -DPLASMA_BUILD_TESTS=ON -DPLASMA_SANITIZE=ON
# Tests labelled "once" (checks that run no C code of the project, or tests
# too slow to run twice) ran in the first pass and are not run again.
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    run_ctest "asan+ubsan" "$here/build/asan" -LE once

echo "== build fuzzers (clang, libFuzzer)"
CC=clang CXX=clang++ "$here/tools/build.sh" "$here/build/fuzz" -DPLASMA_BUILD_FUZZERS=ON -DPLASMA_BUILD_TESTS=ON
if "$here/tests/fuzz/run-fuzz.sh" "$here/build/fuzz" "${PLASMA_FUZZ_SECONDS:-10}"; then
    passed=$((passed + 1))
else
    failed=$((failed + 1))
fi

echo
echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
