// Seeded random sequences of root-chain calls for the differential test: a
// small model of what is on the root chain (blocks, outputs, exits, in-flight
// exits) picks the next call, valid or broken in one of the ways each check
// refuses, and learns from the outcome both chains agreed on.
'use strict';

const { ethers } = require('ethers');
const { DEV_ADDRS, DEV_KEYS } = require('./anvil');
const { rng, weighted, mutate } = require('./random');
const { InFlightModel } = require('./inflightgen');
const P = require('./plasma');

const ONE = 10n ** 18n;
const OPERATOR = 0;
const USERS = [1, 2, 3, 4, 5, 6, 7, 8];
const RESERVE = 9; // deposits a reserve nobody exits, so invalid exits cannot run the contract dry

class Model {
  constructor(seed, { token, minExitPeriod, exitBond, ifeBond, piggybackBond }) {
    this.r = rng(seed);
    this.token = token;
    this.mep = BigInt(minExitPeriod);
    this.exitBond = exitBond;
    this.ife = new InFlightModel(this, { ifeBond, piggybackBond });
    this.followUps = []; // calls that come soon after something happened: () => call
    this.bigOutputs = []; // outputs of thefts larger than the contract holds, not exited yet
    this.nextChild = 1000n;
    this.nextDeposit = 1n;
    this.outputs = []; // {pos, owner, token, amount, tx, unsigned, proof, spent}
    this.exits = new Map(); // exit id → output
    this.active = new Set(); // exit ids in progress
    this.blocks = [];
    this.included = []; // txs with inputs in blocks, which the operator may include again
  }

  addr(i) {
    return DEV_ADDRS[i];
  }

  keyOf(addr) {
    return DEV_KEYS[DEV_ADDRS.indexOf(addr)];
  }

  weighted(choices) {
    return weighted(this.r, choices);
  }

  mutate(hex) {
    return mutate(this.r, hex);
  }

  // The output id (PROTOCOL §6) of output o the model knows.
  outputIdOf(o) {
    if (o.id === undefined) o.id = P.outputId(o.tx, P.oindexOf(o.pos), o.pos);
    return o.id;
  }

  // What the state comparison needs beyond the simulated chain's lists: the
  // exits the model knows, the in-flight exits the last call closed, and the
  // output ids whose finalized flags to compare: those the call named, or
  // (all) every one an exit or in-flight exit named.
  known(all, named = []) {
    const closed = this.ife.closedNow;
    this.ife.closedNow = [];
    return {
      exitIds: [...this.exits.keys()],
      ifeIds: closed,
      outputIds: all ? [...this.ife.outputIds, ...named] : named,
      exitFlags: all,
    };
  }

  // Learns from the events of a call both chains accepted.
  learn(events) {
    for (const e of events) {
      const m = /^ExitFinalized\(exitId=(\d+)\)$/.exec(e);
      if (m) this.active.delete(BigInt(m[1]));
      const d = /^PaymentDeferred\(owner=(0x[0-9a-f]+),token=(0x[0-9a-f]+),amount=\d+\)$/.exec(e);
      // A deferred payment is claimed, sometimes after deposits made the contract whole.
      if (d && this.r.chance(0.8)) {
        if (this.r.chance(0.7)) this.followUps.push(() => this.deposit(d[2], true));
        this.followUps.push(() => ({ from: d[1], kind: 'withdraw', args: [d[2]], label: 'withdraw a claim' }));
      }
    }
    this.ife.learn(events);
  }

  shuffleFollowUps() {
    const f = this.followUps;
    for (let k = f.length - 1; k > 0; k--) {
      const j = this.r.int(k + 1);
      [f[k], f[j]] = [f[j], f[k]];
    }
  }

  // The reserve deposits that come before the random calls.
  reserveCalls() {
    const counted = (call) => Object.assign(call, {
      onOk: () => {
        const blknum = this.nextChild - 1000n + this.nextDeposit;
        this.nextDeposit++;
        return blknum;
      },
    });
    return [
      counted({ from: this.addr(RESERVE), kind: 'deposit', args: [P.ETH, 1000n * ONE], value: 1000n * ONE, label: 'reserve ETH' }),
      counted({ from: this.addr(RESERVE), kind: 'deposit', args: [this.token, 10n ** 22n], label: 'reserve token' }),
    ];
  }

  // The next step: a call, or {advance: seconds}.
  next() {
    const r = this.r;
    const f = this.ife;
    if (this.followUps.length > 0 && r.chance(0.6)) return this.followUps.shift()();
    return weighted(r, [
      [14, () => this.deposit()],
      [12, () => this.submitBlock()],
      [17, () => this.startExit()],
      [8, () => this.challenge()],
      [9, () => ({ advance: r.chance(0.5) ? r.int(300) : Number(this.mep) / 2 + r.int(Number(this.mep) * 2) })],
      [13, () => this.processExits()],
      [13, () => f.start()],
      [14, () => f.piggyback()],
      [8, () => f.challengeNotCanonical()],
      [4, () => f.respond()],
      [5, () => f.inputSpent()],
      [5, () => f.outputSpent()],
      [4, () => f.delete()],
      [3, () => f.withdraw()],
    ]);
  }

  // ---- calls ----

  // A deposit; big: enough to pay the claims a large theft left (see fakeTx).
  deposit(bigToken = null, big = false) {
    const r = this.r;
    const from = this.addr(r.pick(USERS));
    const token = bigToken || (r.chance(0.5) ? P.ETH : this.token);
    let amount = token === P.ETH ? r.big(1n, 5000n) * 10n ** 15n : r.big(1n, 10_000n);
    if (big) amount = token === P.ETH ? 3000n * ONE : 5n * 10n ** 22n;
    else if (r.chance(0.04)) amount = 0n;
    const call = { from, kind: 'deposit', args: [token, amount], value: token === P.ETH ? amount : 0n, label: big ? 'deposit, a large one' : 'deposit' };
    call.onOk = () => {
      const blknum = this.nextChild - 1000n + this.nextDeposit;
      this.nextDeposit++;
      const tx = P.depositTx(from, token, amount);
      const unsigned = P.encodeUnsigned(tx);
      this.blocks.push(blknum);
      this.addOutput({ pos: P.pos(blknum), owner: from, token, amount, tx, unsigned, proof: new P.Tree([unsigned]).proof(0) });
      return blknum;
    };
    return call;
  }

  // A block; forced: an in-flight candidate it must include.
  submitBlock(forced = null) {
    const r = this.r;
    const txs = [];
    const n = r.int(5);
    for (let i = 0; i < n; i++) {
      const tx = weighted(r, [
        [6, () => this.validSpend()],
        [2, () => this.doubleSpend()],
        [2, () => this.fakeTx()],
        [1, () => this.feeTx()],
        [1, () => this.reincluded()],
      ]);
      if (tx) txs.push(tx);
    }
    const extra = this.ife.blockTxs(forced);
    for (const e of extra) txs.push(e.tx);
    // A tx whose input is its own output 0 at the index it gets here.
    const selfSpend = r.chance(0.08) ? this.selfSpend(P.pos(this.nextChild, txs.length)) : null;
    if (selfSpend) txs.push(selfSpend);
    const tree = new P.Tree(txs.map(P.encodeUnsigned));
    const from = r.chance(0.06) ? this.addr(r.pick(USERS)) : this.addr(OPERATOR);
    const call = { from, kind: 'submitBlock', args: [tree.root], label: from === this.addr(OPERATOR) ? 'submitBlock' : 'submitBlock by a user' };
    call.onOk = () => {
      const blknum = this.nextChild;
      this.nextChild += 1000n;
      this.nextDeposit = 1n;
      this.blocks.push(blknum);
      extra.forEach((e, k) => {
        const i = txs.length - extra.length + k;
        e.onIncluded(P.pos(blknum, i), tree.proof(i));
        for (const o of e.spends || []) o.spent = true;
      });
      txs.forEach((tx, i) => {
        for (const s of tx.spends || []) s.spent = true;
        const unsigned = P.encodeUnsigned(tx);
        tx.outputs.forEach((o, k) => {
          const out = this.addOutput({ pos: P.pos(blknum, i, k), owner: o.owner, token: o.token, amount: o.amount, tx, unsigned, proof: tree.proof(i) });
          if (tx.big) this.bigOutputs.push(out);
          if (tx === selfSpend && k === 0) this.ife.addIncluded(tx, [out], { pos: P.pos(blknum, i), proof: tree.proof(i) });
        });
        if (tx.inputs.length > 0) this.included.push(tx);
      });
      return blknum;
    };
    return call;
  }

  startExit() {
    const r = this.r;
    if (this.outputs.length === 0) return this.deposit();
    const o = this.bigOutputs.length > 0 && r.chance(0.3) ? this.bigOutputs.shift() : r.pick(this.outputs);
    let { pos } = o;
    let from = o.owner;
    let tx = o.unsigned;
    let proof = o.proof;
    let value = this.exitBond;
    const label = weighted(r, [
      [60, () => 'exit'],
      [6, () => {
        from = this.addr(r.pick(USERS.filter((u) => this.addr(u) !== o.owner)));
        return 'exit by another';
      }],
      [5, () => {
        value = r.pick([0n, this.exitBond - 1n, this.exitBond + 1n]);
        return 'exit with a wrong bond';
      }],
      [7, () => {
        const at = 2 + 2 * r.int(512);
        const flipped = (parseInt(proof.slice(at, at + 2), 16) ^ (1 + r.int(255))).toString(16).padStart(2, '0');
        proof = proof.slice(0, at) + flipped + proof.slice(at + 2);
        return 'exit with a broken proof';
      }],
      [4, () => {
        pos = r.chance(0.5) ? P.pos(this.nextChild + 1000n * BigInt(r.int(3))) : P.pos(this.nextChild - 1000n + this.nextDeposit + BigInt(r.int(3)));
        return 'exit in a missing block';
      }],
      [4, () => {
        tx = r.pick([`${tx}00`, tx.slice(0, -2), '0xc0', P.encodeSigned({ ...o.tx, sigs: [] })]);
        return 'exit of a malformed tx';
      }],
      [6, () => {
        tx = mutate(r, tx);
        return 'exit of a mutated tx';
      }],
      [3, () => {
        pos = o.pos - P.oindexOf(o.pos) + BigInt(o.tx.outputs.length + r.int(4 - o.tx.outputs.length + 1));
        return 'exit of a missing output';
      }],
      [3, () => {
        if (P.blknumOf(o.pos) % 1000n !== 0n) return 'exit';
        pos = o.pos + 65536n * 10_000n;
        return 'exit past the tree';
      }],
      [3, () => {
        proof = r.pick(this.outputs).proof;
        return 'exit with another proof';
      }],
    ]);
    const call = { from, kind: 'startStandardExit', args: [pos, tx, proof], value, label };
    call.onOk = () => {
      this.exits.set(pos, o);
      this.active.add(pos);
    };
    return call;
  }

  challenge() {
    const r = this.r;
    const ids = [...this.exits.keys()];
    if (ids.length === 0) return this.startExit();
    let id = this.active.size > 0 && r.chance(0.85) ? r.pick([...this.active]) : r.pick(ids);
    const o = this.exits.get(id);
    const other = P.pos(900_000n + BigInt(r.int(1000)), r.int(50), r.int(4));
    const before = r.chance(0.3);
    const inputs = before ? [other, id] : [id];
    const index = inputs.indexOf(id);
    let signers = inputs.map((p) => (p === id ? this.keyOf(o.owner) : DEV_KEYS[r.int(10)]));
    let tx;
    let inputIndex = BigInt(index);
    const label = weighted(r, [
      [60, () => 'challenge'],
      [8, () => {
        signers = signers.map((k, i) => (i === index ? DEV_KEYS[(DEV_KEYS.indexOf(k) + 1 + r.int(9)) % 10] : k));
        return 'challenge signed by another';
      }],
      [8, () => {
        inputIndex = before ? BigInt(1 - index) : BigInt(1 + r.int(3));
        return 'challenge at another input';
      }],
      [5, () => {
        tx = 'unsigned';
        return 'challenge with an unsigned tx';
      }],
      [10, () => {
        tx = 'mutated';
        return 'challenge with a mutated tx';
      }],
      [5, () => {
        id = P.pos(this.nextChild + 5000n, r.int(10));
        return 'challenge of a missing exit';
      }],
    ]);
    const spend = P.sign(P.tx({ inputs, outputs: [{ owner: this.addr(r.pick(USERS)), token: o.token, amount: o.amount }] }), signers);
    let bytes = tx === 'unsigned' ? P.encodeUnsigned(spend) : P.encodeSigned(spend);
    if (tx === 'mutated') bytes = mutate(r, bytes);
    const call = { from: this.addr(r.int(10)), kind: 'challengeStandardExit', args: [id, bytes, inputIndex], label };
    call.onOk = () => this.active.delete(id);
    return call;
  }

  processExits(given = null) {
    const r = this.r;
    const token = given || weighted(r, [
      [45, () => P.ETH],
      [45, () => this.token],
      [10, () => '0x7777777777777777777777777777777777777777'],
    ]);
    return { from: this.addr(r.int(10)), kind: 'processExits', args: [token, BigInt(r.int(7))], label: 'processExits' };
  }

  // ---- child-chain transactions the operator puts in blocks ----

  addOutput(o) {
    const out = { ...o, spent: false };
    this.outputs.push(out);
    return out;
  }

  spendOf(o) {
    const r = this.r;
    const owners = [this.addr(r.pick(USERS)), this.addr(r.pick(USERS))];
    const outs = r.chance(0.5) && o.amount > 1n
      ? [{ owner: owners[0], token: o.token, amount: o.amount / 2n }, { owner: owners[1], token: o.token, amount: o.amount - o.amount / 2n }]
      : [{ owner: owners[0], token: o.token, amount: o.amount }];
    // Random metadata keeps two spends of one output apart.
    const metadata = ethers.toBeHex(BigInt(r.int(2 ** 30)) + 1n, 32);
    return P.sign(P.tx({ inputs: [o.pos], outputs: outs, metadata }), [this.keyOf(o.owner)]);
  }

  validSpend() {
    const unspent = this.outputs.filter((o) => !o.spent);
    if (unspent.length === 0) return null;
    const o = this.r.pick(unspent);
    const tx = this.spendOf(o);
    tx.spends = [o];
    return tx;
  }

  doubleSpend() {
    const spent = this.outputs.filter((o) => o.spent);
    return spent.length ? this.spendOf(this.r.pick(spent)) : null;
  }

  // An operator's theft: outputs from nothing, signed by anyone.
  fakeTx() {
    const r = this.r;
    const token = r.chance(0.5) ? P.ETH : this.token;
    let amount = token === P.ETH ? r.big(1n, 2000n) * 10n ** 15n : r.big(1n, 500n);
    // Now and then more than the contract holds: its payout is deferred.
    const big = r.chance(0.2);
    if (big) amount = token === P.ETH ? 2000n * ONE : 2n * 10n ** 22n;
    const input = P.pos(500_000n + BigInt(r.int(100_000)), r.int(100), r.int(4));
    const tx = P.sign(P.tx({ inputs: [input], outputs: [{ owner: this.addr(r.pick(USERS)), token, amount }] }), [DEV_KEYS[r.int(10)]]);
    tx.big = big;
    return tx;
  }

  // A tx the operator includes once more: its outputs at the new position
  // have the ids of those at the first (PROTOCOL §6), a second way to exit them.
  reincluded() {
    return this.included.length > 0 ? this.r.pick(this.included) : null;
  }

  // A tx spending its own output 0 at pos, signed by that output's owner:
  // its input and its output 0 have the same output id.
  selfSpend(pos) {
    const r = this.r;
    const owner = this.addr(r.pick(USERS));
    const metadata = ethers.toBeHex(BigInt(r.int(2 ** 30)) + 1n, 32);
    const amount = 1n + BigInt(r.int(1000)) * 10n ** 15n;
    return P.sign(P.tx({ inputs: [pos], outputs: [{ owner, amount }], metadata }), [this.keyOf(owner)]);
  }

  feeTx() {
    const token = this.r.chance(0.5) ? P.ETH : this.token;
    const metadata = ethers.keccak256(ethers.concat([ethers.toBeHex(this.nextChild, 32), token]));
    return P.tx({ txType: 3, outputs: [{ owner: this.addr(OPERATOR), token, amount: 1n + BigInt(this.r.int(1000)) }], metadata });
  }
}

module.exports = { Model, rng };
