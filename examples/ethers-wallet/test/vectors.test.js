'use strict';
// The wallet's protocol code against the vectors of the protocol page
// (tests/vectors, or PLASMA_VECTORS): every byte string it builds and every
// hash and id it computes must be the vectors' own.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { Interface, Wallet, getCreateAddress, keccak256 } = require('ethers');
const P = require('../lib/protocol');
const { PLASMA_ABI } = require('../lib/abi');

const dir = process.env.PLASMA_VECTORS || path.resolve(__dirname, '..', '..', '..', 'tests', 'vectors');
const load = (name) => JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8'));
const protocol = load('protocol.json');
const inflight = load('inflight.json');
const abi = load('abi.json');

const domain = P.domainFromStatus(protocol.domain);
const txOf = (v) => ({ ...P.payment(v.inputs.map((i) => i.utxo_pos), v.outputs, v.metadata), txType: BigInt(v.tx_type) });

test('keccak256 and development addresses', () => {
    for (const v of protocol.keccak256) assert.equal(keccak256(v.input_hex), v.hash);
    for (const v of protocol.addresses) assert.equal(new Wallet(v.private_key).address.toLowerCase(), v.address);
});

test('utxo positions', () => {
    for (const v of protocol.utxo_pos) {
        assert.equal(P.utxoPos(v.blknum, v.txindex, v.oindex).toString(), v.utxo_pos);
        assert.deepEqual(P.splitPos(v.utxo_pos), { blknum: BigInt(v.blknum), txindex: BigInt(v.txindex), oindex: BigInt(v.oindex) });
    }
});

test('EIP-712 domain and type hash', () => {
    assert.equal(P.domainSeparator(domain), protocol.domain.separator);
    const byHand = P.digestByHand(domain, P.payment([1n], []));
    assert.equal(byHand.separator, protocol.domain.separator);
    assert.equal(byHand.typeHash, protocol.domain.type_hash_transaction);
});

test('transactions: RLP, txhash, digest, signatures, leaf', async () => {
    assert.equal(protocol.transactions.length, 12);
    for (const v of protocol.transactions) {
        const tx = txOf(v.tx);
        assert.equal(P.encodeUnsigned(tx), v.unsigned_rlp);
        assert.equal(P.txHash(tx), v.txhash);
        assert.equal(P.eip712Digest(domain, tx), v.eip712_digest);
        assert.equal(P.digestByHand(domain, tx).digest, v.eip712_digest);
        const sigs = [];
        for (const k of v.signer_private_keys) sigs.push(await P.signTx(new Wallet(k), domain, tx));
        assert.deepEqual(sigs, v.sigs, 'ethers signTypedData gives the vectors signatures');
        assert.equal(P.encodeSigned(tx, sigs), v.signed_rlp);
        assert.equal(P.leafOf(v.unsigned_rlp), v.merkle_leaf);
        const back = P.decodeTx(v.signed_rlp);
        assert.deepEqual(back, { tx, sigs: v.sigs, signed: true });
        assert.equal(P.decodeTx(v.unsigned_rlp).signed, false);
    }
});

test('non-canonical RLP is not read', () => {
    const v = protocol.transactions[0];
    // The same list with its one-byte txType wrapped as a string (0x8101).
    const items = v.unsigned_rlp.slice(6);
    const wrapped = '0xf862' + '8101' + items.slice(2);
    assert.throws(() => P.decodeTx(wrapped), /canonical/);
    assert.throws(() => P.decodeTx(v.unsigned_rlp + '00'));
});

test('Merkle tree: roots and proofs', () => {
    assert.equal(P.EMPTY_LEAF, protocol.merkle.empty_leaf);
    assert.equal(P.EMPTY_ROOT, protocol.merkle.empty_tree_root);
    assert.equal(P.merkleRoot([]), protocol.merkle.empty_tree_root);
    for (const b of protocol.merkle.blocks) {
        const rlps = b.unsigned_rlps || protocol.transactions.map((t) => t.unsigned_rlp);
        const leaves = rlps.map(P.leafOf);
        assert.equal(P.merkleRoot(leaves), b.root, b.name);
        for (const { index, proof } of b.proofs) {
            assert.equal(P.merkleProof(leaves, index), proof, `${b.name}: proof of ${index}`);
            assert.ok(P.verifyProof(leaves[index], index, proof, b.root));
            assert.ok(!P.verifyProof(leaves[index], index ^ 1, proof, b.root), 'a proof is for its index only');
        }
    }
});

test('deposit and fee transactions', () => {
    const d = protocol.deposit;
    const dep = P.depositTx(d.owner, d.token, d.amount);
    assert.equal(P.encodeUnsigned(dep), d.unsigned_rlp);
    assert.equal(P.txHash(dep), d.txhash);
    assert.equal(P.merkleRoot([P.leafOf(d.unsigned_rlp)]), d.block_root);
    const f = protocol.fee;
    const fee = P.feeTx(f.blknum, f.token, f.beneficiary, f.amount);
    assert.equal(fee.metadata, f.metadata);
    assert.equal(P.encodeUnsigned(fee), f.unsigned_rlp);
    assert.equal(P.txHash(fee), f.txhash);
});

test('output ids and in-flight exit ids', () => {
    assert.equal(inflight.cases.length, 3);
    for (const c of inflight.cases) {
        if (c.kind === 'deposit_output') {
            assert.equal(P.outputId(c.unsigned_tx, c.oindex, c.utxo_pos), c.output_id);
        } else {
            assert.equal(P.txHash(P.decodeTx(c.signed_tx).tx), c.txhash);
            assert.equal(P.encodeUnsigned(P.decodeTx(c.signed_tx).tx), c.unsigned_tx);
            assert.equal('0x' + P.ifeId(c.unsigned_tx).toString(16), c.ife_id);
            assert.deepEqual(c.output_ids.map((_, i) => P.outputId(c.unsigned_tx, i)), c.output_ids);
        }
    }
});

test('the contract interface: selectors, topics, calldata, address', () => {
    const iface = new Interface(PLASMA_ABI);
    assert.equal(abi.functions.length, 29);
    for (const f of abi.functions) assert.equal(iface.getFunction(f.signature).selector, f.selector, f.signature);
    assert.equal(abi.events.length, 18);
    for (const e of abi.events) assert.equal(iface.getEvent(e.signature).topicHash, e.topic0, e.signature);
    const x = abi.example_calldata;
    assert.equal(iface.encodeFunctionData(x.signature, [x.args.utxoPos, x.args.tx, x.args.proof]), x.calldata);
    assert.equal(getCreateAddress({ from: abi.deploy.deployer, nonce: abi.deploy.nonce }).toLowerCase(), abi.deploy.address);
    assert.equal(abi.deploy.address, protocol.domain.verifying_contract);
});
