#!/bin/sh
# plasma-bench watcher on a small chain: it completes, its catch-up watcher
# stops at --catchup-blocks (2 of 3 blocks of 2,048 transactions), and the
# recover rate it divides by was sampled during the catch-up. (No timing
# is asserted: the figures only have to be there.)
# Usage: bench_watcher_small.sh PLASMA_BENCH
set -u
bench=$1
out=$("$bench" watcher --blocks 3 --block-txs 2048 --catchup-blocks 2 2>/dev/null) || {
    echo "plasma-bench watcher failed" >&2
    exit 1
}
catchup=$(printf '%s\n' "$out" | sed -n '/"catchup"/,$p')
fail() {
    echo "$1" >&2
    printf '%s\n' "$out" >&2
    exit 1
}
printf '%s\n' "$catchup" | grep -q '"blocks": 2,' || fail "the catch-up did not stop at its second block"
printf '%s\n' "$catchup" | grep -q '"txs": 4096,' || fail "the catch-up did not verify 2 blocks' transactions"
printf '%s\n' "$out" | grep -q '"recover_samples": [1-9]' || fail "no recover rate sampled during the catch-up"
printf '%s\n' "$out" | grep -q '"ratio": 0\.0,' && fail "no ratio"
printf '%s\n' "$out" | grep -q '"lag_blocks_p50": ' || fail "no figures of the follower"
exit 0
