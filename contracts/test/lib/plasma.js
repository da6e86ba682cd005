// The protocol in JS, from PROTOCOL.md with ethers: transactions (§3), their
// EIP-712 signatures (§4), the depth-16 Merkle tree (§5), positions (§2),
// output ids and in-flight exit ids (§6, §6b). The tests build everything the
// contract and the simulated chain receive with these.
'use strict';

const { ethers } = require('ethers');

const ETH = '0x0000000000000000000000000000000000000000';
const ZERO32 = `0x${'00'.repeat(32)}`;
const CHILD_BLOCK_INTERVAL = 1000n;
const DEPTH = 16;

const pos = (blknum, txindex = 0, oindex = 0) =>
  BigInt(blknum) * 1_000_000_000n + BigInt(txindex) * 10_000n + BigInt(oindex);
const blknumOf = (p) => BigInt(p) / 1_000_000_000n;
const txindexOf = (p) => (BigInt(p) % 1_000_000_000n) / 10_000n;
const oindexOf = (p) => BigInt(p) % 10_000n;

const uint = (n) => ethers.toBeArray(BigInt(n)); // minimal big-endian, 0 is empty

// A transaction: {txType, inputs: [pos], outputs: [{owner, token, amount}], metadata, sigs: [hex65]}.
function tx({ txType = 1, inputs = [], outputs, metadata = ZERO32, sigs = [] }) {
  return {
    txType: BigInt(txType),
    inputs: inputs.map(BigInt),
    outputs: outputs.map((o) => ({ owner: o.owner.toLowerCase(), token: (o.token || ETH).toLowerCase(), amount: BigInt(o.amount) })),
    metadata,
    sigs: [...sigs],
  };
}

const depositTx = (owner, token, amount) => tx({ outputs: [{ owner, token, amount }] });

function bodyItems(t) {
  return [
    uint(t.txType),
    t.inputs.map(uint),
    t.outputs.map((o) => [uint(1), o.owner, o.token, uint(o.amount)]),
    t.metadata,
  ];
}

const encodeUnsigned = (t) => ethers.encodeRlp(bodyItems(t));
const encodeSigned = (t) => ethers.encodeRlp([t.sigs, ...bodyItems(t)]);
const txHash = (t) => ethers.keccak256(encodeUnsigned(t));

// ---- EIP-712 ----

const TYPES = {
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

const devDomain = (verifyingContract = '0x5fbdb2315678afecb367f032d93f642f64180aa3', chainId = 31337) => ({
  name: 'Plasma',
  version: '1',
  chainId,
  verifyingContract,
});

function typedValue(t) {
  return {
    txType: t.txType,
    inputs: t.inputs.map((p) => ({ blknum: blknumOf(p), txindex: txindexOf(p), oindex: oindexOf(p) })),
    outputs: t.outputs.map((o) => ({ outputType: 1n, owner: o.owner, token: o.token, amount: o.amount })),
    metadata: t.metadata,
  };
}

const digest = (t, domain) => ethers.TypedDataEncoder.hash(domain, TYPES, typedValue(t));

// The 65-byte r ‖ s ‖ v (v ∈ {27, 28}, low s) of key over t's digest.
function signature(t, key, domain) {
  const sig = new ethers.SigningKey(key).sign(digest(t, domain));
  return ethers.concat([sig.r, sig.s, ethers.toBeHex(sig.v, 1)]);
}

// t with signature i by keys[i] for every input.
function sign(t, keys, domain = devDomain()) {
  return { ...t, sigs: keys.map((k) => signature(t, k, domain)) };
}

// ---- Merkle tree ----

const leafOf = (unsignedHex) => ethers.keccak256(ethers.concat(['0x00', unsignedHex]));
const nodeOf = (l, r) => ethers.keccak256(ethers.concat(['0x01', l, r]));
const EMPTY = [leafOf(ZERO32)];
for (let i = 1; i <= DEPTH; i++) EMPTY.push(nodeOf(EMPTY[i - 1], EMPTY[i - 1]));

// A block's tree over rlp(UnsignedTx) of each transaction: its root and proofs.
class Tree {
  constructor(unsignedTxs) {
    this.levels = [unsignedTxs.map(leafOf)];
    for (let d = 0; d < DEPTH; d++) {
      const below = this.levels[d];
      const up = [];
      for (let i = 0; i < below.length; i += 2) {
        up.push(nodeOf(below[i], i + 1 < below.length ? below[i + 1] : EMPTY[d]));
      }
      this.levels.push(up);
    }
    this.root = this.levels[DEPTH].length ? this.levels[DEPTH][0] : EMPTY[DEPTH];
  }

  proof(index) {
    const sibs = [];
    for (let d = 0; d < DEPTH; d++) {
      const i = index >> d;
      const s = this.levels[d][i ^ 1];
      sibs.push(s === undefined ? EMPTY[d] : s);
    }
    return ethers.concat(sibs);
  }
}

// ---- ids ----

const word = (n) => ethers.toBeHex(BigInt(n), 32);

function outputId(t, oindex, utxoPos) {
  const u = encodeUnsigned(t);
  if (t.inputs.length === 0) return ethers.keccak256(ethers.concat([u, word(oindex), word(utxoPos)]));
  return ethers.keccak256(ethers.concat([u, word(oindex)]));
}

const ifeId = (t) => BigInt(txHash(t)) | (1n << 255n);

module.exports = {
  ETH, ZERO32, CHILD_BLOCK_INTERVAL, DEPTH, EMPTY,
  pos, blknumOf, txindexOf, oindexOf,
  tx, depositTx, encodeUnsigned, encodeSigned, txHash,
  TYPES, devDomain, digest, signature, sign,
  Tree, leafOf, nodeOf,
  outputId, ifeId,
};
