#!/usr/bin/env bash
# The main job: installs what is missing, builds, checks the primitives and
# runs the operator in development mode with its embedded root chain
# (API on http://127.0.0.1:7434, the root chain's under /rootchain/).
#   tools/run.sh [OPERATOR FLAGS...]
#   tools/run.sh --eth [OPERATOR FLAGS...]
# With --eth the root chain is a real Ethereum node instead: anvil on
# http://127.0.0.1:8545 (its chain kept in data/anvil), PlasmaRootChain
# deployed there by development account 0 (once per chain), and the
# operator against it on http://127.0.0.1:7435 (data in data/operator-eth).
# Ctrl-C stops the operator, and anvil with it. Extra arguments go to
# plasma-operator (try --help).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
eth=false
if [ "${1:-}" = "--eth" ]; then
    eth=true
    shift
fi
"$here/tools/setup.sh"
echo "== build"
"$here/tools/build.sh" "$here/build/release" -DPLASMA_BUILD_TESTS=OFF
"$here/build/release/tools/plasma-selfcheck"
echo "== the wallet CLI is $here/build/release/client/plasma; in another terminal:"
echo "   export PATH=\"$here/build/release/client:\$PATH\"   (then: plasma --help)"
if ! $eth; then
    echo "== plasma-operator --dev (Ctrl-C stops it; data in $here/data/operator)"
    exec "$here/build/release/operator/plasma-operator" --dev --data-dir "$here/data/operator" "$@"
fi

rpc=http://127.0.0.1:8545
chain="$here/data/anvil"
mkdir -p "$chain"
echo "== anvil on $rpc (its chain in $chain/state.json, its log in $chain/anvil.log)"
"$here/contracts/node_modules/.bin/anvil" --host 127.0.0.1 --port 8545 --chain-id 31337 \
    --state "$chain/state.json" --state-interval 5 >>"$chain/anvil.log" 2>&1 &
anvil_pid=$!
trap 'kill "$anvil_pid" 2>/dev/null; wait "$anvil_pid" 2>/dev/null || true' EXIT

# A chain kept from an earlier run holds the contract: its deployment is
# reused. A new chain gets a new contract, and the operator a new ledger.
deployment="$chain/deployment.json"
if [ ! -s "$deployment" ] || [ ! -s "$chain/state.json" ]; then
    echo "== plasma-deploy --dev"
    "$here/build/release/tools/plasma-deploy" --rpc "$rpc" --dev --json >"$deployment.new"
    mv "$deployment.new" "$deployment"
    rm -rf "$here/data/operator-eth"
fi
contract=$(sed -E 's/.*"contract":"(0x[0-9a-f]{40})".*/\1/' "$deployment")
block=$(sed -E 's/.*"block":([0-9]+).*/\1/' "$deployment")
echo "== plasma-operator --dev --rootchain eth --contract $contract (Ctrl-C stops it; data in $here/data/operator-eth)"
"$here/build/release/operator/plasma-operator" --dev --rootchain eth --rpc "$rpc" --contract "$contract" \
    --deploy-block "$block" --port 7435 --data-dir "$here/data/operator-eth" "$@"
