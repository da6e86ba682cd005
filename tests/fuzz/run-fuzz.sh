#!/usr/bin/env bash
# Runs each libFuzzer target for SECONDS on a scratch copy of its committed
# corpus: new inputs found in the run are thrown away, so the corpus in the
# tree only changes when someone adds an input on purpose.
#   tests/fuzz/run-fuzz.sh BUILD_DIR SECONDS
# BUILD_DIR is a clang build configured with -DPLASMA_BUILD_FUZZERS=ON.
# Exit status 1 when a target is missing or finds a crash, leak or timeout;
# the reproducing input is then kept in BUILD_DIR/fuzz-artifacts/<target>/.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [ $# -ne 2 ] || ! [[ $2 =~ ^[0-9]+$ ]]; then
    echo "usage: $0 BUILD_DIR SECONDS" >&2
    exit 2
fi
build=$(cd "$1" && pwd)
seconds=$2
targets=(rlp signedtx call keystore wallet opbody rcbody records scenario)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0

for t in "${targets[@]}"; do
    bin="$build/tests/fuzz_$t"
    if [ ! -x "$bin" ]; then
        echo "run-fuzz: $bin not built (configure with CC=clang -DPLASMA_BUILD_FUZZERS=ON)" >&2
        exit 1
    fi
    mkdir -p "$work/$t/corpus" "$work/$t/artifacts"
    cp "$here/corpus/$t/"* "$work/$t/corpus/"
    log="$work/$t/log"
    echo "== fuzz_$t: ${seconds}s from $(ls "$work/$t/corpus" | wc -l) seed inputs"
    if "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=4096 \
        -print_final_stats=1 -artifact_prefix="$work/$t/artifacts/" "$work/$t/corpus" >"$log" 2>&1; then
        execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
        echo "   ok: ${execs:-?} executions, corpus grew to $(ls "$work/$t/corpus" | wc -l) inputs (discarded)"
    else
        echo "   FAILED: fuzz_$t found a problem" >&2
        tail -n 40 "$log" >&2
        mkdir -p "$build/fuzz-artifacts/$t"
        cp "$work/$t/artifacts/"* "$build/fuzz-artifacts/$t/" 2>/dev/null || true
        echo "   reproducer(s) kept in $build/fuzz-artifacts/$t/" >&2
        status=1
    fi
done
exit $status
