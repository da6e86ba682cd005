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
        assembly ("memory-safe") {
            // 0x01 ‖ left ‖ right at each level, written past the free memory pointer and not kept.
            let p := mload(0x40)
            for { let i := 0 } lt(i, DEPTH) { i := add(i, 1) } {
                let sibling := calldataload(add(proof.offset, shl(5, i)))
                switch and(shr(i, index), 1)
                case 0 {
                    mstore(add(p, 1), h)
                    mstore(add(p, 33), sibling)
                }
                default {
                    mstore(add(p, 1), sibling)
                    mstore(add(p, 33), h)
                }
                mstore8(p, 0x01)
                h := keccak256(p, 65)
            }
        }
        return h == root;
    }

    /// @dev The root of an empty subtree of each height 0..15: keccak256(0x00 ‖ 32 zero bytes),
    /// then keccak256(0x01 ‖ z ‖ z) level by level.
    bytes private constant EMPTY_SUBTREES =
        hex"f39a869f62e75cf5f0bf914688a6b289caf2049435d8e68c5c5e6d05e44913f3"
        hex"4ed5c02d6d48c8932486c99d3ad999e5d8949dc3be3b3058cc2979690c3e3a62"
        hex"1c792b14bf66f82af36f00f5fba7014fa0c1e2ff3c7c273bfe523c1acf67dc3f"
        hex"5fa080a686a5a0d05c3d4822fd54d632dc9cc04b1616046eba2ce499eb9af79f"
        hex"5eb949690a0404abf4cebafc7cfffa382191b7dd9e7df778581e6fb78efab35f"
        hex"d364c9d5dadad4569b6dd47f7feabafa3571f842434425548335ac6e690dd071"
        hex"68d8bc5b77979c1a6702334f529f5783f79e942fd2cd03f6e55ac2cf496e849f"
        hex"de9c446fab46a8d27db1e3100f275a777d385b44e3cbc045cabac9da36cae040"
        hex"ad516082324c96127cf29f4535eb5b7ebacfe2a1d6d3aab8ec0483d32079a859"
        hex"ff70f9215970a8beebb1c164c474e82438174c8eeb6fbc8cb4594b88c9448f1d"
        hex"40b09beaecac5b45db6e41434a122b695c5a85862d8eae40b3268f6f37e41433"
        hex"7be38eba7ab5bbf303d01f4b7ae07fd73edc2f3be05e43948a34418a3272509c"
        hex"43c2811a821e5c982ba51874ac7dc9dd79a80cc2f05f6f664c9dbb2e45443513"
        hex"7da06ce44de45532a56a3a7007a2d0c6b435f726f95104bfa6e707046fc154ba"
        hex"e91898d03a1a0ac6f9b45e471646e2555ac79e3fe87eb1781e26f20500240c37"
        hex"9274fe91096e60d1545a8045571fdab9b530d0d6e7e8746e78bf9f20f4e86f06";

    /// @dev The root of a tree whose only leaf, at index 0, is txBytes' (a deposit block).
    function singleLeafRoot(bytes memory txBytes) internal pure returns (bytes32 h) {
        h = leaf(txBytes);
        bytes memory empty = EMPTY_SUBTREES;
        for (uint256 i = 0; i < DEPTH; i++) {
            bytes32 sibling;
            assembly ("memory-safe") {
                sibling := mload(add(add(empty, 32), shl(5, i)))
            }
            h = node(h, sibling);
        }
    }
}
