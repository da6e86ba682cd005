#!/usr/bin/env bash
# Installs the client package from a build tree into a scratch prefix, then
# builds the example program against it twice: with the CMake package and with
# plain pkg-config. Asserts the example runs and computes the right answer.
#   tests/install/test-install.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cmake --install "$build" --prefix "$work/prefix" >/dev/null
for f in include/plasma/client.h include/plasma/core.h lib/libplasma_client.a lib/pkgconfig/plasma-client.pc \
         lib/cmake/PlasmaClient/PlasmaClientConfig.cmake bin/plasma; do
    [ -e "$work/prefix/$f" ] || { echo "not installed: $f" >&2; exit 1; }
done

cmake -S "$src/examples" -B "$work/ex" -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/ex" >/dev/null
got=$("$work/ex/plasma-balance" --check-amount 1.5eth)
[ "$got" = "1500000000000000000" ] || { echo "cmake-built example printed '$got'" >&2; exit 1; }

export PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig"
# shellcheck disable=SC2046
cc -std=c17 -o "$work/balance-pc" "$src/examples/balance.c" $(pkg-config --cflags --libs plasma-client)
got=$("$work/balance-pc" --check-amount 20gwei)
[ "$got" = "20000000000" ] || { echo "pkg-config-built example printed '$got'" >&2; exit 1; }

if "$work/balance-pc" not-an-address 2>/dev/null; then
    echo "example accepted a bad address" >&2
    exit 1
fi
echo "install: package installed, example built with CMake and pkg-config, answers correct"
