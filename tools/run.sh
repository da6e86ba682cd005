#!/usr/bin/env bash
# The main job: installs what is missing, builds, checks the primitives and
# runs the project's daemon in development mode. Extra arguments go to the
# daemon (try --help).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
"$here/tools/setup.sh"
echo "== build"
"$here/tools/build.sh" "$here/build/release" -DPLASMA_BUILD_TESTS=OFF
"$here/build/release/tools/plasma-selfcheck"
