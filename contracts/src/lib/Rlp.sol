// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Strict RLP reading over calldata
/// @notice Reads items of Ethereum RLP in place, without copying or allocating. Every rule of
/// PROTOCOL §1 is enforced, as core/src/rlp.c does: a length must lie within its enclosing item,
/// lengths are canonical (the long form only for 56 bytes or more, no leading zero byte), a single
/// byte below 0x80 is never wrapped as a string, integers carry no leading zero byte. A reader
/// returns ok = false instead of reverting, so that each caller refuses the input with the error
/// of its own check. Positions are offsets into b; an item's encoding ends where its payload does.
library Rlp {
    uint256 private constant STRING_SHORT = 0x80;
    uint256 private constant LIST_SHORT = 0xc0;
    uint256 private constant SHORT_MAX = 55;

    /// @dev The byte at b[p]; p must lie within b.
    function byteAt(bytes calldata b, uint256 p) private pure returns (uint256 v) {
        assembly ("memory-safe") {
            v := shr(248, calldataload(add(b.offset, p)))
        }
    }

    /// @dev The n-byte (1..32) big-endian number at b[p:p+n]; the bytes must lie within b.
    function numberAt(bytes calldata b, uint256 p, uint256 n) private pure returns (uint256 v) {
        assembly ("memory-safe") {
            v := shr(sub(256, shl(3, n)), calldataload(add(b.offset, p)))
        }
    }

    /// @dev The item whose header is at b[p], within b[:end] (end ≤ b.length): its payload is
    /// b[start:start + len].
    function at(bytes calldata b, uint256 p, uint256 end)
        internal
        pure
        returns (bool ok, uint256 start, uint256 len, bool isList)
    {
        if (p >= end) return (false, 0, 0, false);
        uint256 h = byteAt(b, p);
        if (h < STRING_SHORT) return (true, p, 1, false);
        isList = h >= LIST_SHORT;
        uint256 base = isList ? LIST_SHORT : STRING_SHORT;
        if (h <= base + SHORT_MAX) {
            start = p + 1;
            len = h - base;
        } else {
            uint256 n = h - base - SHORT_MAX; // 1..8 length bytes
            if (n > end - p - 1 || byteAt(b, p + 1) == 0) return (false, 0, 0, false);
            len = numberAt(b, p + 1, n);
            if (len <= SHORT_MAX) return (false, 0, 0, false);
            start = p + 1 + n;
        }
        if (len > end - start) return (false, 0, 0, false);
        if (!isList && len == 1 && byteAt(b, start) < STRING_SHORT) return (false, 0, 0, false);
        return (true, start, len, isList);
    }

    /// @dev A list item at b[p]: its payload b[start:next], next being where the item ends.
    function list(bytes calldata b, uint256 p, uint256 end) internal pure returns (bool ok, uint256 start, uint256 next) {
        uint256 len;
        bool isList;
        (ok, start, len, isList) = at(b, p, end);
        return (ok && isList, start, start + len);
    }

    /// @dev An unsigned integer of at most maxBytes (≤ 32) bytes, without a leading zero byte.
    function uintAt(bytes calldata b, uint256 p, uint256 end, uint256 maxBytes)
        internal
        pure
        returns (bool ok, uint256 v, uint256 next)
    {
        (bool found, uint256 start, uint256 len, bool isList) = at(b, p, end);
        if (!found || isList || len > maxBytes) return (false, 0, 0);
        if (len == 0) return (true, 0, start);
        if (byteAt(b, start) == 0) return (false, 0, 0);
        return (true, numberAt(b, start, len), start + len);
    }

    /// @dev A string of exactly n (1..32) bytes, left-aligned in w.
    function fixedAt(bytes calldata b, uint256 p, uint256 end, uint256 n)
        internal
        pure
        returns (bool ok, bytes32 w, uint256 next)
    {
        (bool found, uint256 start, uint256 len, bool isList) = at(b, p, end);
        if (!found || isList || len != n) return (false, 0, 0);
        assembly ("memory-safe") {
            w := and(calldataload(add(b.offset, start)), not(sub(shl(sub(256, shl(3, n)), 1), 1)))
        }
        return (true, w, start + n);
    }

    /// @dev A string of exactly 20 bytes as an address.
    function addressAt(bytes calldata b, uint256 p, uint256 end)
        internal
        pure
        returns (bool ok, address a, uint256 next)
    {
        bytes32 w;
        (ok, w, next) = fixedAt(b, p, end, 20);
        a = address(bytes20(w));
    }

    /// @dev The header of a list whose payload is len bytes.
    function listHeader(uint256 len) internal pure returns (bytes memory) {
        if (len <= SHORT_MAX) return abi.encodePacked(uint8(LIST_SHORT + len));
        return lengthPrefixed(LIST_SHORT + SHORT_MAX, len);
    }

    /// @dev The encoding of an unsigned integer: minimal big-endian bytes as a string.
    function encodeUint(uint256 v) internal pure returns (bytes memory) {
        if (v == 0) return hex"80";
        if (v < STRING_SHORT) return abi.encodePacked(uint8(v));
        return lengthPrefixed(STRING_SHORT, v); // at most 32 bytes: a short string
    }

    /// @dev base + n followed by v's n minimal big-endian bytes.
    function lengthPrefixed(uint256 base, uint256 v) private pure returns (bytes memory out) {
        uint256 n = 0;
        for (uint256 x = v; x != 0; x >>= 8) {
            n++;
        }
        out = new bytes(1 + n);
        out[0] = bytes1(uint8(base + n));
        for (uint256 i = 0; i < n; i++) {
            out[n - i] = bytes1(uint8(v >> (8 * i)));
        }
    }
}
