'use strict';
// The wire protocol of the Plasma child chain, written from the protocol page
// alone: positions (§2), transactions and their RLP (§3), EIP-712 signing (§4),
// the depth-16 Merkle tree and fee transactions (§5), output ids (§6) and
// in-flight exit ids (§6b). Everything here is computed by ethers' primitives
// (RLP, Keccak-256, EIP-712), so that the operator and the contract can be
// checked against a second implementation byte for byte.

const {
    AbiCoder,
    TypedDataEncoder,
    concat,
    dataLength,
    decodeRlp,
    encodeRlp,
    getAddress,
    getBytes,
    hexlify,
    keccak256,
    toBeHex,
    toBigInt,
    toUtf8Bytes,
    zeroPadValue,
} = require('ethers');

const CHILD_BLOCK_INTERVAL = 1000n;
const BLOCK_OFFSET = 1000000000n;
const TX_OFFSET = 10000n;
const MAX_TXS = 65536;
const MAX_UINT256 = (1n << 256n) - 1n;
const TX_PAYMENT = 1n;
const TX_FEE = 3n;
const OUTPUT_TYPE = 1n;
const ETH = '0x0000000000000000000000000000000000000000';
const ZERO32 = '0x' + '00'.repeat(32);
const DEPTH = 16;

// §2: utxo_pos = blknum · 10^9 + txindex · 10^4 + oindex.
function utxoPos(blknum, txindex, oindex) {
    const b = BigInt(blknum), t = BigInt(txindex), o = BigInt(oindex);
    if (b < 0n || t < 0n || t >= BigInt(MAX_TXS) || o < 0n || o >= 4n)
        throw new RangeError(`no position for (${blknum}, ${txindex}, ${oindex})`);
    return b * BLOCK_OFFSET + t * TX_OFFSET + o;
}

function splitPos(pos) {
    const p = BigInt(pos);
    return {
        blknum: p / BLOCK_OFFSET,
        txindex: (p % BLOCK_OFFSET) / TX_OFFSET,
        oindex: p % TX_OFFSET,
    };
}

// §1: an integer is big-endian with no leading zeros, 0 the empty string.
function rlpUint(value) {
    const v = BigInt(value);
    if (v < 0n || v > MAX_UINT256) throw new RangeError(`${value} is not a uint256`);
    return v === 0n ? '0x' : toBeHex(v);
}

function rlpAddress(addr) {
    return getAddress(addr).toLowerCase();
}

// A transaction is {txType, inputs: [utxo_pos…], outputs: [{owner, token,
// amount}…], metadata}, every integer a bigint.
function unsignedFields(tx) {
    return [
        rlpUint(tx.txType),
        tx.inputs.map(rlpUint),
        tx.outputs.map((o) => [rlpUint(OUTPUT_TYPE), rlpAddress(o.owner), rlpAddress(o.token), rlpUint(o.amount)]),
        hexlify(tx.metadata),
    ];
}

function encodeUnsigned(tx) {
    return encodeRlp(unsignedFields(tx));
}

function encodeSigned(tx, sigs) {
    return encodeRlp([sigs.map(hexlify), ...unsignedFields(tx)]);
}

function payment(inputs, outputs, metadata = ZERO32) {
    return {
        txType: TX_PAYMENT,
        inputs: inputs.map(BigInt),
        outputs: outputs.map((o) => ({ owner: getAddress(o.owner), token: getAddress(o.token), amount: BigInt(o.amount) })),
        metadata,
    };
}

// §3: a deposit has no inputs, one output and zero metadata.
function depositTx(owner, token, amount) {
    return payment([], [{ owner, token, amount }]);
}

// §5: a block's fee transaction for one token.
function feeTx(blknum, token, beneficiary, amount) {
    const metadata = keccak256(concat([toBeHex(BigInt(blknum), 32), rlpAddress(token)]));
    return { ...payment([], [{ owner: beneficiary, token, amount }], metadata), txType: TX_FEE };
}

// Decodes the RLP of a SignedTx (5 items) or an UnsignedTx (4 items). ethers'
// RLP reader is lenient (it takes 0x8100 for 0x00), so the bytes must be the
// canonical encoding of what was read: encoding it again gives them back.
function decodeTx(data) {
    const hex = hexlify(data);
    const items = decodeRlp(hex);
    if (!Array.isArray(items) || (items.length !== 4 && items.length !== 5)) throw new Error('not a transaction');
    const signed = items.length === 5;
    const [txType, inputs, outputs, metadata] = signed ? items.slice(1) : items;
    const sigs = signed ? items[0] : [];
    const asUint = (x) => {
        if (typeof x !== 'string' || dataLength(x) > 32) throw new Error('not an integer');
        return toBigInt(getBytes(x));
    };
    if (!Array.isArray(sigs) || !Array.isArray(inputs) || !Array.isArray(outputs)) throw new Error('not a transaction');
    const tx = {
        txType: asUint(txType),
        inputs: inputs.map(asUint),
        outputs: outputs.map((o) => {
            if (!Array.isArray(o) || o.length !== 4 || asUint(o[0]) !== OUTPUT_TYPE) throw new Error('not an output');
            if (dataLength(o[1]) !== 20 || dataLength(o[2]) !== 20) throw new Error('not an address');
            return { owner: getAddress(o[1]), token: getAddress(o[2]), amount: asUint(o[3]) };
        }),
        metadata,
    };
    if (typeof metadata !== 'string' || dataLength(metadata) !== 32) throw new Error('metadata is not 32 bytes');
    const again = signed ? encodeSigned(tx, sigs) : encodeUnsigned(tx);
    if (again !== hex.toLowerCase()) throw new Error('not the canonical encoding');
    return { tx, sigs, signed };
}

function txHash(tx) {
    return keccak256(encodeUnsigned(tx));
}

// §4: EIP-712 typed data.
const EIP712_TYPES = {
    Transaction: [
        { name: 'txType', type: 'uint256' },
        { name: 'inputs', type: 'Input[]' },
        { name: 'outputs', type: 'Output[]' },
        { name: 'metadata', type: 'bytes32' },
    ],
    Input: [
        { name: 'blknum', type: 'uint256' },
        { name: 'txindex', type: 'uint256' },
        { name: 'oindex', type: 'uint256' },
    ],
    Output: [
        { name: 'outputType', type: 'uint256' },
        { name: 'owner', type: 'address' },
        { name: 'token', type: 'address' },
        { name: 'amount', type: 'uint256' },
    ],
};

// The domain a wallet signs for, from the operator's GET /v1/status.
function domainFromStatus(status) {
    return {
        name: 'Plasma',
        version: '1',
        chainId: BigInt(status.chain_id),
        verifyingContract: getAddress(status.verifying_contract),
    };
}

function typedMessage(tx) {
    return {
        txType: tx.txType,
        inputs: tx.inputs.map(splitPos),
        outputs: tx.outputs.map((o) => ({ outputType: OUTPUT_TYPE, owner: o.owner, token: o.token, amount: o.amount })),
        metadata: tx.metadata,
    };
}

function eip712Digest(domain, tx) {
    return TypedDataEncoder.hash(domain, EIP712_TYPES, typedMessage(tx));
}

function domainSeparator(domain) {
    return TypedDataEncoder.hashDomain(domain);
}

// The same digest from §4's type strings by hand, without ethers' typed-data
// encoder: a check that the encoder reads §4 the way the page means it.
const coder = AbiCoder.defaultAbiCoder();
const typeHash = (s) => keccak256(toUtf8Bytes(s));
const INPUT_TYPE = 'Input(uint256 blknum,uint256 txindex,uint256 oindex)';
const OUTPUT_TYPE_STR = 'Output(uint256 outputType,address owner,address token,uint256 amount)';
const TX_TYPE = 'Transaction(uint256 txType,Input[] inputs,Output[] outputs,bytes32 metadata)' + INPUT_TYPE + OUTPUT_TYPE_STR;
const DOMAIN_TYPE = 'EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)';

function digestByHand(domain, tx) {
    const sep = keccak256(coder.encode(
        ['bytes32', 'bytes32', 'bytes32', 'uint256', 'address'],
        [typeHash(DOMAIN_TYPE), typeHash(domain.name), typeHash(domain.version), domain.chainId, domain.verifyingContract]));
    const inputs = tx.inputs.map((p) => {
        const { blknum, txindex, oindex } = splitPos(p);
        return keccak256(coder.encode(['bytes32', 'uint256', 'uint256', 'uint256'], [typeHash(INPUT_TYPE), blknum, txindex, oindex]));
    });
    const outputs = tx.outputs.map((o) => keccak256(coder.encode(
        ['bytes32', 'uint256', 'address', 'address', 'uint256'], [typeHash(OUTPUT_TYPE_STR), OUTPUT_TYPE, o.owner, o.token, o.amount])));
    const struct = keccak256(coder.encode(
        ['bytes32', 'uint256', 'bytes32', 'bytes32', 'bytes32'],
        [typeHash(TX_TYPE), tx.txType, keccak256(concat(inputs)), keccak256(concat(outputs)), tx.metadata]));
    return { separator: sep, typeHash: typeHash(TX_TYPE), digest: keccak256(concat(['0x1901', sep, struct])) };
}

// Signs with any ethers signer (a Wallet here; a hardware wallet the same way).
async function signTx(signer, domain, tx) {
    return signer.signTypedData(domain, EIP712_TYPES, typedMessage(tx));
}

// §6: output ids; a tx without inputs (deposit, fee) adds the position.
function outputId(unsignedRlp, oindex, pos) {
    const { tx } = decodeTx(unsignedRlp);
    const parts = [unsignedRlp, toBeHex(BigInt(oindex), 32)];
    if (tx.inputs.length === 0) parts.push(toBeHex(BigInt(pos), 32));
    return keccak256(concat(parts));
}

// §6b: the in-flight exit id is the txhash with the top bit set.
function ifeId(unsignedRlp) {
    return toBigInt(keccak256(unsignedRlp)) | (1n << 255n);
}

// §5: the Merkle tree.
function leafOf(unsignedRlp) {
    return keccak256(concat(['0x00', unsignedRlp]));
}

const node = (left, right) => keccak256(concat(['0x01', left, right]));
const EMPTY_LEAF = keccak256(concat(['0x00', ZERO32]));
const EMPTY = [EMPTY_LEAF];
for (let d = 1; d <= DEPTH; d++) EMPTY.push(node(EMPTY[d - 1], EMPTY[d - 1]));

// The levels of a block's tree, leaves first; subtrees past the last leaf
// are the empty subtrees of their height.
function levels(leaves) {
    if (leaves.length > MAX_TXS) throw new RangeError('more leaves than the tree holds');
    const all = [leaves.slice()];
    for (let d = 0; d < DEPTH; d++) {
        const below = all[d];
        const up = [];
        for (let i = 0; i < below.length; i += 2) up.push(node(below[i], i + 1 < below.length ? below[i + 1] : EMPTY[d]));
        all.push(up);
    }
    return all;
}

function merkleRoot(leaves) {
    const top = levels(leaves)[DEPTH];
    return top.length ? top[0] : EMPTY[DEPTH];
}

function merkleProof(leaves, index) {
    const all = levels(leaves);
    const siblings = [];
    for (let d = 0, i = index; d < DEPTH; d++, i >>= 1) {
        const s = i ^ 1;
        siblings.push(s < all[d].length ? all[d][s] : EMPTY[d]);
    }
    return concat(siblings);
}

function verifyProof(leaf, index, proof, root) {
    if (index < 0 || index >= MAX_TXS || dataLength(proof) !== 32 * DEPTH) return false;
    const bytes = getBytes(proof);
    let h = leaf;
    for (let d = 0; d < DEPTH; d++) {
        const sib = hexlify(bytes.subarray(32 * d, 32 * d + 32));
        h = (index >> d) & 1 ? node(sib, h) : node(h, sib);
    }
    return h === root.toLowerCase();
}

// A block's leaves from the operator's JSON form: each tx is a SignedTx
// whose unsigned part makes the leaf; a dropped tx (null) is the empty leaf.
function blockLeaves(txs) {
    return txs.map((t) => (t === null ? EMPTY_LEAF : leafOf(encodeUnsigned(decodeTx(t).tx))));
}

// A block's binary form (docs/api.md): rlp([blknum, root, timestamp,
// [SignedTx…]]), a dropped tx being the empty string. Returned in the shape of
// the JSON form, each tx as the RLP bytes of its list.
function decodeBinaryBlock(data) {
    const hex = hexlify(data);
    const items = decodeRlp(hex);
    if (!Array.isArray(items) || items.length !== 4 || !Array.isArray(items[3])) throw new Error('not a block');
    const [blknum, root, timestamp, txs] = items;
    if (encodeRlp(items) !== hex) throw new Error('not the canonical encoding');
    if (typeof root !== 'string' || dataLength(root) !== 32) throw new Error('root is not 32 bytes');
    const uint = (x) => {
        if (typeof x !== 'string' || dataLength(x) > 32) throw new Error('not an integer');
        return toBigInt(getBytes(x));
    };
    return {
        blknum: uint(blknum),
        root,
        timestamp: uint(timestamp),
        txs: txs.map((t) => {
            if (t === '0x') return null;
            if (!Array.isArray(t)) throw new Error('a tx that is neither a list nor the empty string');
            return encodeRlp(t);
        }),
    };
}

module.exports = {
    CHILD_BLOCK_INTERVAL,
    EIP712_TYPES,
    EMPTY_LEAF,
    EMPTY_ROOT: EMPTY[DEPTH],
    ETH,
    MAX_UINT256,
    TX_FEE,
    TX_PAYMENT,
    ZERO32,
    blockLeaves,
    decodeBinaryBlock,
    decodeTx,
    depositTx,
    digestByHand,
    domainFromStatus,
    domainSeparator,
    eip712Digest,
    encodeSigned,
    encodeUnsigned,
    feeTx,
    ifeId,
    leafOf,
    merkleProof,
    merkleRoot,
    outputId,
    payment,
    rlpUint,
    signTx,
    splitPos,
    txHash,
    utxoPos,
    verifyProof,
};
