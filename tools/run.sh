#!/usr/bin/env bash
# The main job: installs what is missing, builds, checks the primitives and
# runs the operator in development mode with its embedded root chain
# (API on http://127.0.0.1:7434, the root chain's under /rootchain/).
# Extra arguments go to plasma-operator (try --help).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
"$here/tools/setup.sh"
echo "== build"
"$here/tools/build.sh" "$here/build/release" -DPLASMA_BUILD_TESTS=OFF
"$here/build/release/tools/plasma-selfcheck"
echo "== the wallet CLI is $here/build/release/client/plasma; in another terminal:"
echo "   export PATH=\"$here/build/release/client:\$PATH\"   (then: plasma --help)"
echo "== plasma-operator --dev (Ctrl-C stops it; data in $here/data/operator)"
exec "$here/build/release/operator/plasma-operator" --dev --data-dir "$here/data/operator" "$@"
