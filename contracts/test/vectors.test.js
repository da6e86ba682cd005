// The shared vectors against the contract: §9's selectors, topics and
// development address (abi.json), the protocol's domain, deposit root,
// transactions and Merkle proofs (protocol.json), output ids and in-flight
// exit ids (inflight.json).
'use strict';

const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { ethers } = require('ethers');
const { worldHooks, refuses } = require('./lib/world');
const { artifact } = require('./lib/anvil');
const P = require('./lib/plasma');

const VECTORS = path.join(__dirname, '..', '..', 'tests', 'vectors');
const abiVectors = require(path.join(VECTORS, 'abi.json'));
const protocol = require(path.join(VECTORS, 'protocol.json'));
const inflight = require(path.join(VECTORS, 'inflight.json'));

describe('vectors', () => {
  const iface = new ethers.Interface(artifact('PlasmaRootChain').abi);

  it('abi.json: every function and event of §9 with its selector and topic', () => {
    for (const f of abiVectors.functions) {
      const fn = iface.getFunction(f.signature);
      assert.ok(fn, `missing ${f.signature}`);
      assert.equal(fn.selector, f.selector, f.signature);
    }
    for (const e of abiVectors.events) {
      const ev = iface.getEvent(e.signature);
      assert.ok(ev, `missing ${e.signature}`);
      assert.equal(ev.topicHash, e.topic0, e.signature);
    }
    const ex = abiVectors.example_calldata;
    assert.equal(iface.encodeFunctionData(ex.signature, [ex.args.utxoPos, ex.args.tx, ex.args.proof]), ex.calldata);
  });

  it('protocol.json: the JS helpers the tests build with', () => {
    for (const v of protocol.transactions) {
      const t = P.tx({
        txType: v.tx.tx_type,
        inputs: v.tx.inputs.map((i) => i.utxo_pos),
        outputs: v.tx.outputs.map((o) => ({ owner: o.owner, token: o.token, amount: o.amount })),
        metadata: v.tx.metadata,
        sigs: v.sigs,
      });
      assert.equal(P.encodeUnsigned(t), v.unsigned_rlp);
      assert.equal(P.encodeSigned(t), v.signed_rlp);
      assert.equal(P.digest(t, P.devDomain()), v.eip712_digest);
      assert.equal(P.leafOf(v.unsigned_rlp), v.merkle_leaf);
    }
    const m = protocol.merkle.blocks[0];
    const tree = new P.Tree(protocol.transactions.map((v) => v.unsigned_rlp));
    assert.equal(tree.root, m.root);
    for (const p of m.proofs) assert.equal(tree.proof(p.index), p.proof);
    assert.equal(new P.Tree([]).root, protocol.merkle.empty_tree_root);
  });

  describe('on the contract', () => {
    let w;
    worldHooks((world) => {
      w = world;
    });

    it('lives at the development address with the domain of §4', async () => {
      assert.equal(w.address, abiVectors.deploy.address);
      assert.equal(w.from(0), abiVectors.deploy.deployer);
      assert.equal(await w.view('domainSeparator'), protocol.domain.separator);
      assert.equal(await w.view('operator'), w.from(0));
    });

    it('stores the deposit block root of the vector', async () => {
      const v = protocol.deposit;
      const who = w.accounts.indexOf(v.owner);
      await w.deposit(who, v.token, BigInt(v.amount));
      assert.equal((await w.view('blocks', [1])).root, v.block_root);
    });

    it('decodes every valid signed tx and refuses every invalid one (MalformedTx)', async () => {
      const start = (tx) => w.call(1, 'startInFlightExit', [tx, [], [], []], { value: w.cfg.ifeBond });
      // transactions[7] pays 2^256 - 1 and more in ETH: a per-token sum that
      // overflows, which §1 and the invalid vector "sum of outputs overflows
      // 2^256" make invalid (the C decoder refuses it too).
      let overflowing = 0;
      for (const v of protocol.transactions) {
        const sums = new Map();
        for (const o of v.tx.outputs) sums.set(o.token, (sums.get(o.token) || 0n) + BigInt(o.amount));
        const overflows = [...sums.values()].some((x) => x >= 2n ** 256n);
        overflowing += overflows ? 1 : 0;
        await refuses(start(v.signed_rlp), overflows ? 'MalformedTx' : 'BadInputs'); // BadInputs: it decoded
      }
      assert.equal(overflowing, 1);
      for (const v of protocol.invalid_signed_txs) {
        await refuses(start(v.signed_rlp), 'MalformedTx').catch((err) => {
          throw new Error(`${v.reason}: ${err.message}`);
        });
      }
    });

    it('verifies the Merkle proofs of the vector block', async () => {
      const m = protocol.merkle.blocks[0];
      await w.call(0, 'submitBlock', [m.root]);
      const exit = (p, index) => {
        const v = protocol.transactions[p.index];
        const who = w.accounts.indexOf(v.tx.outputs[0].owner);
        assert.ok(who >= 0);
        return w.call(who, 'startStandardExit', [P.pos(1000, index, 0), v.unsigned_rlp, p.proof], { value: w.cfg.exitBond });
      };
      // A proof at another index does not verify.
      for (const p of m.proofs) await refuses(exit(p, p.index ^ 2), 'BadProof');
      for (const p of m.proofs) {
        await exit(p, p.index);
        assert.equal((await w.view('exits', [P.pos(1000, p.index, 0)])).state, 1n);
      }
    });

    it('computes the output ids of deposit outputs (inflight.json)', async () => {
      for (const v of inflight.cases.filter((c) => c.kind === 'deposit_output')) {
        const s = await w.snapshot();
        const blknum = P.blknumOf(v.utxo_pos);
        for (let b = 1000n; b <= blknum; b += 1000n) await w.call(0, 'submitBlock', [P.ZERO32]);
        const d = await w.deposit(1, P.ETH, 10n ** 18n);
        assert.equal(d.unsigned, v.unsigned_tx);
        assert.equal(d.pos, BigInt(v.utxo_pos));
        await w.startExit(1, d);
        assert.equal((await w.view('exits', [d.pos])).outputId, v.output_id);
        await w.revert(s);
      }
    });

    it('computes the IFE id, tx hash and output ids of the payment (inflight.json)', async () => {
      const v = inflight.cases.find((c) => c.kind === 'payment');
      // Recreate the inputs the vector spends, owned by its signer.
      const body = ethers.decodeRlp(v.signed_tx);
      const t = P.tx({
        inputs: body[2].map((x) => BigInt(x)),
        outputs: body[3].map((o) => ({ owner: o[1], token: o[2], amount: BigInt(o[3]) })),
        sigs: body[0],
      });
      assert.equal(P.encodeSigned(t), v.signed_tx);
      const signer = ethers.recoverAddress(P.digest(t, P.devDomain()), t.sigs[0]).toLowerCase();
      const [p0, p1] = t.inputs; // 1000/3/1 and the deposit block 2
      const who = w.accounts.indexOf(signer);
      assert.ok(who > 0);
      await w.deposit(9, P.ETH, 1n);
      const d = await w.deposit(who, P.ETH, 10n ** 18n);
      assert.equal(d.pos, p1);
      const filler = P.depositTx(w.from(9), P.ETH, 1n);
      const src = P.tx({ inputs: [P.pos(1)], outputs: [{ owner: w.from(9), amount: 1n }, { owner: signer, amount: 10n ** 18n }] });
      const b = await w.submitBlock([filler, filler, filler, src]);
      assert.equal(b.pos(3, 1), p0);
      const r = await w.call(3, 'startInFlightExit', [v.signed_tx, [b.unsigned(3), d.unsigned], [p0, p1], [b.proof(3), d.proof]], { value: w.cfg.ifeBond });
      assert.deepEqual(r.events[0].args, { initiator: w.from(3), ifeId: BigInt(v.ife_id), txhash: v.txhash });
      for (let i = 0; i < v.output_ids.length; i++) {
        const owner = t.outputs[i].owner;
        await w.call(w.accounts.indexOf(owner), 'piggybackInFlightExitOnOutput', [v.signed_tx, i], { value: w.cfg.piggybackBond });
        assert.equal((await w.view('inFlightExitOutput', [BigInt(v.ife_id), i])).outputId, v.output_ids[i]);
      }
    });
  });
});
