// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Rlp} from "./Rlp.sol";

/// @title The transactions of PROTOCOL §3: strict decoding, ids and EIP-712 hashing
/// @notice Accepts exactly what core/src/tx.c accepts. A decoder returns ok = false for any
/// violation (RLP form, field counts and sizes, types, positions, duplicate inputs, zero owners or
/// amounts, a per-token sum past 2^256 − 1, signature count or encoding), never reverting.
library PaymentTx {
    uint256 internal constant TX_PAYMENT = 1;
    uint256 internal constant TX_FEE = 3;
    uint256 internal constant OUTPUT_TYPE_PAYMENT = 1;
    uint256 internal constant MAX_INPUTS = 4;
    uint256 internal constant MAX_OUTPUTS = 4;

    uint256 internal constant BLOCK_OFFSET = 1_000_000_000;
    uint256 internal constant TX_OFFSET = 10_000;
    uint256 internal constant MAX_TXS_PER_BLOCK = 65_536;
    /// @dev The largest block number whose every position still fits in 64 bits.
    uint256 internal constant MAX_BLKNUM = type(uint64).max / BLOCK_OFFSET - 1;

    /// @dev secp256k1's order halved: a signature's s must not exceed it (§1).
    uint256 private constant HALF_N = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0;
    uint256 private constant N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141;

    bytes32 private constant INPUT_TYPEHASH = keccak256("Input(uint256 blknum,uint256 txindex,uint256 oindex)");
    bytes32 private constant OUTPUT_TYPEHASH =
        keccak256("Output(uint256 outputType,address owner,address token,uint256 amount)");
    bytes32 private constant TX_TYPEHASH = keccak256(
        "Transaction(uint256 txType,Input[] inputs,Output[] outputs,bytes32 metadata)"
        "Input(uint256 blknum,uint256 txindex,uint256 oindex)"
        "Output(uint256 outputType,address owner,address token,uint256 amount)"
    );

    struct Output {
        address owner;
        address token;
        uint256 amount;
    }

    struct Sig {
        bytes32 r;
        bytes32 s;
        uint8 v;
    }

    struct Transaction {
        uint256 txType;
        uint256[] inputs;
        Output[] outputs;
        bytes32 metadata;
        Sig[] sigs;
        /// @dev rlp(UnsignedTx): the argument itself, or rebuilt from a SignedTx's body.
        bytes unsignedBytes;
    }

    // ---- positions ----

    function blknum(uint256 pos) internal pure returns (uint256) {
        return pos / BLOCK_OFFSET;
    }

    function txindex(uint256 pos) internal pure returns (uint256) {
        return (pos % BLOCK_OFFSET) / TX_OFFSET;
    }

    function oindex(uint256 pos) internal pure returns (uint256) {
        return pos % TX_OFFSET;
    }

    /// @dev An input position a transaction may carry (core's plasma_utxo_pos_valid).
    function validInputPos(uint256 pos) internal pure returns (bool) {
        uint256 b = blknum(pos);
        return b >= 1 && b <= MAX_BLKNUM && txindex(pos) < MAX_TXS_PER_BLOCK && oindex(pos) < MAX_INPUTS;
    }

    // ---- decoding ----

    /// @dev A SignedTx: a payment with 1–4 inputs and one valid signature encoding per input.
    function decodeSigned(bytes calldata b) internal pure returns (bool ok, Transaction memory t) {
        uint256 p;
        uint256 end;
        (ok, p, end) = Rlp.list(b, 0, b.length);
        if (!ok || end != b.length) return (false, t);
        uint256 sigsStart;
        uint256 bodyStart;
        (ok, sigsStart, bodyStart) = Rlp.list(b, p, end);
        if (!ok || !decodeBody(b, bodyStart, end, t) || !decodeSigs(b, sigsStart, bodyStart, t)) return (false, t);
        t.unsignedBytes = bytes.concat(Rlp.listHeader(end - bodyStart), b[bodyStart:end]);
        return (check(t, true), t);
    }

    /// @dev An UnsignedTx: a payment with inputs, a deposit or a fee transaction.
    function decodeUnsigned(bytes calldata b) internal pure returns (bool ok, Transaction memory t) {
        uint256 p;
        uint256 end;
        (ok, p, end) = Rlp.list(b, 0, b.length);
        if (!ok || end != b.length || !decodeBody(b, p, end, t)) return (false, t);
        t.unsignedBytes = b;
        return (check(t, false), t);
    }

    /// @dev The four fields txType, inputs, outputs, metadata, filling b[p:end] exactly.
    function decodeBody(bytes calldata b, uint256 p, uint256 end, Transaction memory t) private pure returns (bool ok) {
        (ok, t.txType, p) = Rlp.uintAt(b, p, end, 8);
        if (!ok || (t.txType != TX_PAYMENT && t.txType != TX_FEE)) return false;
        (ok, p) = decodeInputs(b, p, end, t);
        if (ok) (ok, p) = decodeOutputs(b, p, end, t);
        if (ok) (ok, t.metadata, p) = Rlp.fixedAt(b, p, end, 32);
        return ok && p == end;
    }

    function decodeInputs(bytes calldata b, uint256 p, uint256 end, Transaction memory t)
        private
        pure
        returns (bool ok, uint256 next)
    {
        uint256 q;
        (ok, q, next) = Rlp.list(b, p, end);
        if (!ok) return (false, 0);
        uint256[] memory inputs = new uint256[](MAX_INPUTS);
        uint256 n = 0;
        for (; q < next; n++) {
            if (n == MAX_INPUTS) return (false, 0);
            (ok, inputs[n], q) = Rlp.uintAt(b, q, next, 8);
            if (!ok || !validInputPos(inputs[n])) return (false, 0);
        }
        assembly ("memory-safe") {
            mstore(inputs, n) // the inputs read
        }
        t.inputs = inputs;
        return (true, next);
    }

    function decodeOutputs(bytes calldata b, uint256 p, uint256 end, Transaction memory t)
        private
        pure
        returns (bool ok, uint256 next)
    {
        uint256 q;
        (ok, q, next) = Rlp.list(b, p, end);
        if (!ok) return (false, 0);
        Output[] memory outputs = new Output[](MAX_OUTPUTS);
        uint256 n = 0;
        for (; q < next; n++) {
            if (n == MAX_OUTPUTS) return (false, 0);
            (ok, q) = decodeOutput(b, q, next, outputs[n]);
            if (!ok) return (false, 0);
        }
        assembly ("memory-safe") {
            mstore(outputs, n)
        }
        t.outputs = outputs;
        return (true, next);
    }

    /// @dev [outputType = 1, owner, token, amount].
    function decodeOutput(bytes calldata b, uint256 p, uint256 end, Output memory o)
        private
        pure
        returns (bool ok, uint256 next)
    {
        uint256 q;
        uint256 outputType;
        (ok, q, next) = Rlp.list(b, p, end);
        if (ok) (ok, outputType, q) = Rlp.uintAt(b, q, next, 8);
        if (!ok || outputType != OUTPUT_TYPE_PAYMENT) return (false, 0);
        (ok, o.owner, q) = Rlp.addressAt(b, q, next);
        if (ok) (ok, o.token, q) = Rlp.addressAt(b, q, next);
        if (ok) (ok, o.amount, q) = Rlp.uintAt(b, q, next, 32);
        return (ok && q == next, next);
    }

    /// @dev The signature list b[p:end]: at most 4 strings of 65 bytes.
    function decodeSigs(bytes calldata b, uint256 p, uint256 end, Transaction memory t) private pure returns (bool) {
        Sig[] memory sigs = new Sig[](MAX_INPUTS);
        uint256 n = 0;
        while (p < end) {
            if (n == MAX_INPUTS) return false;
            (bool ok, uint256 start, uint256 len, bool isList) = Rlp.at(b, p, end);
            if (!ok || isList || len != 65) return false;
            Sig memory s = sigs[n++];
            s.r = bytes32(b[start:start + 32]);
            s.s = bytes32(b[start + 32:start + 64]);
            s.v = uint8(b[start + 64]);
            p = start + len;
        }
        assembly ("memory-safe") {
            mstore(sigs, n)
        }
        t.sigs = sigs;
        return true;
    }

    // ---- the stateless rules (core's plasma_tx_check) ----

    function check(Transaction memory t, bool withSigs) private pure returns (bool) {
        return checkKind(t, withSigs) && checkInputs(t) && checkOutputs(t) && (!withSigs || checkSigs(t));
    }

    function checkKind(Transaction memory t, bool withSigs) private pure returns (bool) {
        if (t.outputs.length == 0) return false;
        if (t.inputs.length > 0) return t.txType == TX_PAYMENT;
        // No inputs: a deposit or a fee transaction, which nobody signs.
        if (withSigs || t.outputs.length != 1) return false;
        return t.txType != TX_PAYMENT || t.metadata == bytes32(0);
    }

    function checkInputs(Transaction memory t) private pure returns (bool) {
        for (uint256 i = 0; i < t.inputs.length; i++) {
            for (uint256 j = 0; j < i; j++) {
                if (t.inputs[i] == t.inputs[j]) return false;
            }
        }
        return true;
    }

    function checkOutputs(Transaction memory t) private pure returns (bool) {
        for (uint256 i = 0; i < t.outputs.length; i++) {
            if (t.outputs[i].owner == address(0) || t.outputs[i].amount == 0) return false;
        }
        for (uint256 i = 0; i < t.outputs.length; i++) {
            (bool ok,) = tokenSum(t.outputs, t.outputs[i].token);
            if (!ok) return false;
        }
        return true;
    }

    function checkSigs(Transaction memory t) private pure returns (bool) {
        if (t.sigs.length != t.inputs.length) return false;
        for (uint256 i = 0; i < t.sigs.length; i++) {
            Sig memory s = t.sigs[i];
            if (s.v != 27 && s.v != 28) return false;
            if (s.r == 0 || uint256(s.r) >= N || s.s == 0 || uint256(s.s) > HALF_N) return false;
        }
        return true;
    }

    /// @dev The sum of the outputs of one token; ok = false when it passes 2^256 − 1.
    function tokenSum(Output[] memory outs, address token) internal pure returns (bool ok, uint256 sum) {
        for (uint256 i = 0; i < outs.length; i++) {
            if (outs[i].token != token) continue;
            unchecked {
                uint256 next = sum + outs[i].amount;
                if (next < sum) return (false, 0);
                sum = next;
            }
        }
        return (true, sum);
    }

    // ---- ids ----

    /// @dev keccak256(rlp(UnsignedTx)).
    function txHash(Transaction memory t) internal pure returns (bytes32) {
        return keccak256(t.unsignedBytes);
    }

    /// @dev The output id of §6: a transaction without inputs is told apart by its position.
    function outputId(Transaction memory t, uint256 index, uint256 pos) internal pure returns (bytes32) {
        if (t.inputs.length == 0) return keccak256(abi.encodePacked(t.unsignedBytes, index, pos));
        return keccak256(abi.encodePacked(t.unsignedBytes, index));
    }

    // ---- EIP-712 (§4) ----

    function hashStruct(Transaction memory t) internal pure returns (bytes32) {
        bytes32[] memory h = new bytes32[](t.inputs.length);
        for (uint256 i = 0; i < h.length; i++) {
            uint256 pos = t.inputs[i];
            h[i] = keccak256(abi.encode(INPUT_TYPEHASH, blknum(pos), txindex(pos), oindex(pos)));
        }
        bytes32 inputsHash = keccak256(abi.encodePacked(h));
        h = new bytes32[](t.outputs.length);
        for (uint256 i = 0; i < h.length; i++) {
            Output memory o = t.outputs[i];
            h[i] = keccak256(abi.encode(OUTPUT_TYPEHASH, OUTPUT_TYPE_PAYMENT, o.owner, o.token, o.amount));
        }
        bytes32 outputsHash = keccak256(abi.encodePacked(h));
        return keccak256(abi.encode(TX_TYPEHASH, t.txType, inputsHash, outputsHash, t.metadata));
    }

    /// @dev The EIP-712 digest a signature of the transaction signs.
    function digest(Transaction memory t, bytes32 domainSeparator) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked(hex"1901", domainSeparator, hashStruct(t)));
    }

    /// @dev The signer of signature i over digest; 0 when none recovers. Encodings were checked
    /// at decoding (v ∈ {27, 28}, 0 < r < n, 0 < s ≤ n/2).
    function signer(Transaction memory t, bytes32 txDigest, uint256 i) internal pure returns (address) {
        Sig memory s = t.sigs[i];
        return ecrecover(txDigest, s.v, s.r, s.s);
    }
}
