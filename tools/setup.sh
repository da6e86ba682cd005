#!/usr/bin/env bash
# Installs the Debian packages the project builds and tests with. Idempotent:
# does nothing when every package is present. Needs root (or sudo) for apt-get.
set -euo pipefail

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

if [ ${#missing[@]} -eq 0 ]; then
    echo "setup: all ${#PACKAGES[@]} Debian packages present"
    exit 0
fi

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
echo "setup: done"
