#!/usr/bin/env bash
# Installs the Debian packages the project builds and tests with, then the
# pinned npm packages of contracts/ (the Solidity compiler, the development
# Ethereum node) into contracts/node_modules. Idempotent: does nothing when
# everything is present. Needs root (or sudo) for apt-get.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)

PACKAGES=(
    build-essential cmake pkg-config git
    libsecp256k1-dev libxxhash-dev libleveldb-dev libmicrohttpd-dev
    libjansson-dev libcurl4-openssl-dev libssl-dev libcmocka-dev
    clang libclang-rt-14-dev curl
)

missing=()
for p in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done

# Node.js and npm: Debian's (18 on Debian 12) unless the machine already has
# a node and an npm of its own (a newer one is fine).
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    for p in nodejs npm; do
        if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
            missing+=("$p")
        fi
    done
fi

if [ ${#missing[@]} -eq 0 ]; then
    echo "setup: all Debian packages present"
else
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null; then SUDO=sudo; else
            echo "setup: missing packages (${missing[*]}) and not root; install them with apt-get" >&2
            exit 1
        fi
    fi
    echo "setup: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    echo "setup: Debian packages done"
fi

# The npm packages, exactly as contracts/package-lock.json pins them. The
# stamp records the lock file they were installed from, so a changed lock
# file reinstalls and an unchanged one costs nothing.
js="$here/contracts"
stamp="$js/node_modules/.plasma-lock-stamp"
if [ -f "$stamp" ] && cmp -s "$stamp" "$js/package-lock.json"; then
    echo "setup: npm packages of contracts/ present"
else
    echo "setup: npm ci in contracts/ (solc, anvil, ethers as pinned)"
    (cd "$js" && npm ci --no-audit --no-fund --loglevel=error --engine-strict=false >/dev/null)
    cp "$js/package-lock.json" "$stamp"
    echo "setup: npm packages done"
fi
