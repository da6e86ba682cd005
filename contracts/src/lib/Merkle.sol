// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title The depth-16 Merkle tree of PROTOCOL §5
/// @notice leaf = keccak256(0x00 ‖ rlp(UnsignedTx)), node = keccak256(0x01 ‖ left ‖ right); an
/// empty leaf is keccak256(0x00 ‖ 32 zero bytes). A proof is the 16 siblings from the leaf level
/// up (512 bytes) and is valid only for an index below 65,536.
library Merkle {
    uint256 internal constant DEPTH = 16;
    uint256 internal constant LEAVES = 1 << DEPTH;
    uint256 internal constant PROOF_LEN = 32 * DEPTH;

    function leaf(bytes memory txBytes) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked(bytes1(0x00), txBytes));
    }

    function node(bytes32 left, bytes32 right) internal pure returns (bytes32 h) {
        assembly ("memory-safe") {
            // 0x01 ‖ left ‖ right, written past the free memory pointer and not kept.
            let p := mload(0x40)
            mstore8(p, 0x01)
            mstore(add(p, 1), left)
            mstore(add(p, 33), right)
            h := keccak256(p, 65)
        }
    }

    /// @dev Whether proof leads from txBytes' leaf at index to root.
    function verify(bytes32 root, bytes memory txBytes, uint256 index, bytes calldata proof)
        internal
        pure
        returns (bool)
    {
        if (index >= LEAVES || proof.length != PROOF_LEN) return false;
        bytes32 h = leaf(txBytes);
        for (uint256 i = 0; i < DEPTH; i++) {
            bytes32 sibling = bytes32(proof[32 * i:32 * i + 32]);
            h = (index >> i) & 1 == 0 ? node(h, sibling) : node(sibling, h);
        }
        return h == root;
    }

    /// @dev The root of a tree whose only leaf, at index 0, is txBytes' (a deposit block).
    function singleLeafRoot(bytes memory txBytes) internal pure returns (bytes32 h) {
        h = leaf(txBytes);
        bytes32 empty = keccak256(abi.encodePacked(bytes1(0x00), bytes32(0)));
        for (uint256 i = 0; i < DEPTH; i++) {
            h = node(h, empty);
            empty = node(empty, empty);
        }
    }
}
