// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title A token's exit queue: a binary min-heap of (exitableAt, pos, id)
/// @notice Entries are ordered lexicographically, smallest first (docs/inflight.md). A standard exit
/// is (exitableAt, utxoPos, utxoPos), an in-flight exit (exitableAt, youngest, ifeId). One slot
/// per entry holds exitableAt ‖ pos ‖ a flag set for an in-flight exit; an in-flight exit's id
/// takes a second slot, read only to break a tie between two in-flight exits. Since every standard
/// exit id is below 2^64 and every in-flight exit id at least 2^255, ordering the flag before the
/// id gives the order of the ids.
library ExitQueue {
    struct Queue {
        uint256 size;
        mapping(uint256 => uint256) keys; // 1-based heap positions
        mapping(uint256 => uint256) ifeIds; // meaningful where the key's flag is set
    }

    struct Entry {
        uint256 key;
        uint256 id;
    }

    uint256 private constant IFE_FLAG = 1;
    uint256 private constant POS_SHIFT = 64;
    uint256 private constant TIME_SHIFT = 128;

    /// @dev time (exitable_at) and pos must each fit in 64 bits.
    function entry(uint256 time, uint256 pos, uint256 id, bool inFlight) internal pure returns (Entry memory) {
        uint256 key = (time << TIME_SHIFT) | (pos << POS_SHIFT) | (inFlight ? IFE_FLAG : 0);
        return Entry(key, id);
    }

    function exitableAt(Entry memory e) internal pure returns (uint256) {
        return e.key >> TIME_SHIFT;
    }

    function isInFlight(Entry memory e) internal pure returns (bool) {
        return e.key & IFE_FLAG != 0;
    }

    function push(Queue storage q, Entry memory e) internal {
        uint256 i = ++q.size;
        while (i > 1) {
            uint256 parent = i >> 1;
            Entry memory p = load(q, parent);
            if (!less(e, p)) break;
            store(q, i, p);
            i = parent;
        }
        store(q, i, e);
    }

    /// @dev The smallest entry; the queue must not be empty.
    function head(Queue storage q) internal view returns (Entry memory) {
        return load(q, 1);
    }

    /// @dev Removes the smallest entry; the queue must not be empty.
    function pop(Queue storage q) internal returns (Entry memory top) {
        uint256 n = q.size;
        top = load(q, 1);
        Entry memory last = load(q, n);
        delete q.keys[n];
        if (isInFlight(last)) delete q.ifeIds[n];
        q.size = --n;
        if (n == 0) return top;
        uint256 i = 1;
        for (uint256 c = 2; c <= n; c = 2 * i) {
            Entry memory child = load(q, c);
            if (c < n) {
                Entry memory right = load(q, c + 1);
                if (less(right, child)) (c, child) = (c + 1, right);
            }
            if (!less(child, last)) break;
            store(q, i, child);
            i = c;
        }
        store(q, i, last);
    }

    function load(Queue storage q, uint256 i) private view returns (Entry memory e) {
        e.key = q.keys[i];
        e.id = isInFlight(e) ? q.ifeIds[i] : (e.key >> POS_SHIFT) & type(uint64).max;
    }

    function store(Queue storage q, uint256 i, Entry memory e) private {
        q.keys[i] = e.key;
        if (isInFlight(e)) q.ifeIds[i] = e.id;
    }

    function less(Entry memory a, Entry memory b) private pure returns (bool) {
        return a.key < b.key || (a.key == b.key && a.id < b.id);
    }
}
