// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Strict RLP reading over calldata
/// @notice Reads items of Ethereum RLP in place, without copying. Every rule of PROTOCOL §1 is
/// enforced, as core/src/rlp.c does: a length must lie within the input, lengths are canonical
/// (the long form only for 56 bytes or more, no leading zero byte), a single byte below 0x80 is
/// never wrapped as a string, integers carry no leading zero byte. A reader returns ok = false
/// instead of reverting, so that each caller refuses the input with the error of its own check.
library Rlp {
    /// @dev An item of the input: its payload lies at [start, start + len), its encoding ends there.
    struct Item {
        uint256 start;
        uint256 len;
        bool isList;
    }

    uint256 private constant STRING_SHORT = 0x80;
    uint256 private constant LIST_SHORT = 0xc0;
    uint256 private constant SHORT_MAX = 55;

    /// @dev The item whose header is at b[p], within b[:end].
    function at(bytes calldata b, uint256 p, uint256 end) internal pure returns (bool ok, Item memory it) {
        if (p >= end) return (false, it);
        uint256 h = uint8(b[p]);
        if (h < STRING_SHORT) return (true, Item(p, 1, false));
        it.isList = h >= LIST_SHORT;
        uint256 base = it.isList ? LIST_SHORT : STRING_SHORT;
        if (h <= base + SHORT_MAX) {
            it.start = p + 1;
            it.len = h - base;
        } else {
            uint256 n = h - base - SHORT_MAX; // 1..8 length bytes
            if (n > end - p - 1 || uint8(b[p + 1]) == 0) return (false, it);
            for (uint256 i = 0; i < n; i++) {
                it.len = (it.len << 8) | uint8(b[p + 1 + i]);
            }
            if (it.len <= SHORT_MAX) return (false, it);
            it.start = p + 1 + n;
        }
        if (it.len > end - it.start) return (false, it);
        if (!it.isList && it.len == 1 && uint8(b[it.start]) < STRING_SHORT) return (false, it);
        return (true, it);
    }

    /// @dev The whole of b as one item: trailing bytes are an error.
    function top(bytes calldata b) internal pure returns (bool ok, Item memory it) {
        (ok, it) = at(b, 0, b.length);
        ok = ok && it.start + it.len == b.length;
    }

    /// @dev The elements of a list item, at most max of them.
    function elements(bytes calldata b, Item memory list, uint256 max)
        internal
        pure
        returns (bool ok, Item[] memory items)
    {
        if (!list.isList) return (false, items);
        uint256 end = list.start + list.len;
        uint256 n = 0;
        Item[] memory found = new Item[](max);
        for (uint256 p = list.start; p < end; n++) {
            if (n == max) return (false, items);
            (ok, found[n]) = at(b, p, end);
            if (!ok) return (false, items);
            p = found[n].start + found[n].len;
        }
        items = found;
        assembly {
            mstore(items, n) // shortens the array to the elements read
        }
        return (true, items);
    }

    /// @dev An unsigned integer of at most maxBytes bytes, without a leading zero byte.
    function toUint(bytes calldata b, Item memory it, uint256 maxBytes) internal pure returns (bool ok, uint256 v) {
        if (it.isList || it.len > maxBytes || it.len > 32) return (false, 0);
        if (it.len == 0) return (true, 0);
        if (uint8(b[it.start]) == 0) return (false, 0);
        v = uint256(bytes32(b[it.start:it.start + it.len])) >> (8 * (32 - it.len));
        return (true, v);
    }

    /// @dev A string of exactly 20 bytes.
    function toAddress(bytes calldata b, Item memory it) internal pure returns (bool ok, address a) {
        if (it.isList || it.len != 20) return (false, address(0));
        return (true, address(bytes20(b[it.start:it.start + 20])));
    }

    /// @dev A string of exactly 32 bytes.
    function toBytes32(bytes calldata b, Item memory it) internal pure returns (bool ok, bytes32 w) {
        if (it.isList || it.len != 32) return (false, bytes32(0));
        return (true, bytes32(b[it.start:it.start + 32]));
    }

    /// @dev The header of a list whose payload is len bytes.
    function listHeader(uint256 len) internal pure returns (bytes memory) {
        if (len <= SHORT_MAX) return abi.encodePacked(uint8(LIST_SHORT + len));
        uint256 n = 0;
        for (uint256 v = len; v != 0; v >>= 8) {
            n++;
        }
        bytes memory h = new bytes(1 + n);
        h[0] = bytes1(uint8(LIST_SHORT + SHORT_MAX + n));
        for (uint256 i = 0; i < n; i++) {
            h[n - i] = bytes1(uint8(len >> (8 * i)));
        }
        return h;
    }

    /// @dev The encoding of an unsigned integer: minimal big-endian bytes as a string.
    function encodeUint(uint256 v) internal pure returns (bytes memory) {
        if (v == 0) return hex"80";
        if (v < STRING_SHORT) return abi.encodePacked(uint8(v));
        uint256 n = 0;
        for (uint256 x = v; x != 0; x >>= 8) {
            n++;
        }
        bytes memory out = new bytes(1 + n);
        out[0] = bytes1(uint8(STRING_SHORT + n));
        for (uint256 i = 0; i < n; i++) {
            out[n - i] = bytes1(uint8(v >> (8 * i)));
        }
        return out;
    }
}
