// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Merkle} from "../src/lib/Merkle.sol";
import {PaymentTx} from "../src/lib/PaymentTx.sol";

/// @title The gas of the contract's library routines, one at a time
/// @notice For fitting the simulated chain's gas meter (contracts/test/gasfit.js): each function
/// runs one routine of PaymentTx or Merkle on its arguments and returns the gas it used, measured
/// with gasleft() around it. The routines compile into this contract as they do into
/// PlasmaRootChain; the memory they find allocated differs a little.
contract GasProbe {
    /// @notice The gas of PaymentTx.decodeSigned(b), and a digest of the result so that none of
    /// its work is optimized away.
    function decodeSigned(bytes calldata b) external view returns (uint256 used, bool ok, uint256 seen) {
        uint256 g = gasleft();
        PaymentTx.Transaction memory t;
        (ok, t) = PaymentTx.decodeSigned(b);
        used = g - gasleft();
        seen = shape(t);
    }

    /// @notice The gas of PaymentTx.decodeUnsigned(b).
    function decodeUnsigned(bytes calldata b) external view returns (uint256 used, bool ok, uint256 seen) {
        uint256 g = gasleft();
        PaymentTx.Transaction memory t;
        (ok, t) = PaymentTx.decodeUnsigned(b);
        used = g - gasleft();
        seen = shape(t);
    }

    /// @notice The gas of the EIP-712 digest of the signed tx b (decoded first, not counted).
    function digest(bytes calldata b, bytes32 domainSeparator) external view returns (uint256 used, bytes32 d) {
        (, PaymentTx.Transaction memory t) = PaymentTx.decodeSigned(b);
        uint256 g = gasleft();
        d = PaymentTx.digest(t, domainSeparator);
        used = g - gasleft();
    }

    /// @notice The gas of recovering signature i of the signed tx b over digest d (ecrecover
    /// included).
    function signer(bytes calldata b, bytes32 d, uint256 i) external view returns (uint256 used, address who) {
        (, PaymentTx.Transaction memory t) = PaymentTx.decodeSigned(b);
        uint256 g = gasleft();
        who = PaymentTx.signer(t, d, i);
        used = g - gasleft();
    }

    /// @notice The gas of checking an inclusion proof.
    function verify(bytes32 root, bytes calldata utx, uint256 index, bytes calldata proof)
        external
        view
        returns (uint256 used, bool ok)
    {
        uint256 g = gasleft();
        ok = Merkle.verify(root, utx, index, proof);
        used = g - gasleft();
    }

    /// @notice The gas of an output id of the unsigned tx b (decoded first, not counted).
    function outputId(bytes calldata b, uint256 index, uint256 pos) external view returns (uint256 used, bytes32 id) {
        (, PaymentTx.Transaction memory t) = PaymentTx.decodeUnsigned(b);
        uint256 g = gasleft();
        id = PaymentTx.outputId(t, index, pos);
        used = g - gasleft();
    }

    function shape(PaymentTx.Transaction memory t) private pure returns (uint256) {
        return t.inputs.length + 8 * t.outputs.length + 64 * t.sigs.length + 512 * t.unsignedBytes.length;
    }
}
