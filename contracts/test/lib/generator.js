// Seeded random sequences of root-chain calls for the differential test: a
// small model of what is on the root chain (blocks, outputs, exits) picks the
// next call, valid or broken in one of the ways each check refuses, and learns
// from the outcome both chains agreed on.
'use strict';

const { ethers } = require('ethers');
const { DEV_ADDRS, DEV_KEYS } = require('./anvil');
const P = require('./plasma');

const ONE = 10n ** 18n;
const OPERATOR = 0;
const USERS = [1, 2, 3, 4, 5, 6, 7, 8];
const RESERVE = 9; // deposits a reserve nobody exits, so invalid exits cannot run the contract dry

// mulberry32: small, fast, and the same on every platform.
function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    chance: (p) => next() < p,
    pick: (arr) => arr[Math.floor(next() * arr.length)],
    big: (lo, hi) => lo + (BigInt(Math.floor(next() * 2 ** 32)) * (hi - lo + 1n)) / 2n ** 32n,
  };
}

// Picks one of [weight, fn] by weight.
function weighted(r, choices) {
  const total = choices.reduce((s, [w]) => s + w, 0);
  let x = r.next() * total;
  for (const [w, fn] of choices) {
    if ((x -= w) < 0) return fn();
  }
  return choices[choices.length - 1][1]();
}

// A few random edits of an encoding, so that both decoders meet the same
// near-miss bytes: flipped, dropped, inserted or repeated bytes, and
// headers one off.
function mutate(r, hex) {
  const b = Array.from(ethers.getBytes(hex));
  const edits = 1 + r.int(2);
  for (let e = 0; e < edits; e++) {
    const at = r.int(b.length);
    weighted(r, [
      [3, () => { b[at] ^= 1 << r.int(8); }],
      [2, () => { b[at] = r.int(256); }],
      [2, () => { b.splice(at, 1); }],
      [2, () => { b.splice(at, 0, r.int(256)); }],
      [1, () => { b.splice(at, 0, ...b.slice(at, at + 1 + r.int(8))); }],
      [2, () => { b[at] = (b[at] + (r.chance(0.5) ? 1 : 255)) & 0xff; }],
    ]);
  }
  return ethers.hexlify(Uint8Array.from(b));
}

class Model {
  constructor(seed, { token, minExitPeriod, exitBond }) {
    this.r = rng(seed);
    this.token = token;
    this.mep = BigInt(minExitPeriod);
    this.exitBond = exitBond;
    this.nextChild = 1000n;
    this.nextDeposit = 1n;
    this.outputs = []; // {pos, owner, token, amount, tx, unsigned, proof, spent}
    this.exits = new Map(); // exit id → output
    this.active = new Set(); // exit ids in progress
    this.blocks = [];
  }

  addr(i) {
    return DEV_ADDRS[i];
  }

  keyOf(addr) {
    return DEV_KEYS[DEV_ADDRS.indexOf(addr)];
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
    return weighted(r, [
      [20, () => this.deposit()],
      [12, () => this.submitBlock()],
      [28, () => this.startExit()],
      [14, () => this.challenge()],
      [10, () => ({ advance: r.chance(0.5) ? r.int(300) : Number(this.mep) / 2 + r.int(Number(this.mep) * 2) })],
      [16, () => this.processExits()],
    ]);
  }

  // ---- calls ----

  deposit() {
    const r = this.r;
    const from = this.addr(r.pick(USERS));
    const token = r.chance(0.5) ? P.ETH : this.token;
    let amount = token === P.ETH ? r.big(1n, 5000n) * 10n ** 15n : r.big(1n, 10_000n);
    if (r.chance(0.04)) amount = 0n;
    const call = { from, kind: 'deposit', args: [token, amount], value: token === P.ETH ? amount : 0n, label: 'deposit' };
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

  submitBlock() {
    const r = this.r;
    const txs = [];
    const n = r.int(5);
    for (let i = 0; i < n; i++) {
      const tx = weighted(r, [
        [6, () => this.validSpend()],
        [2, () => this.doubleSpend()],
        [2, () => this.fakeTx()],
        [1, () => this.feeTx()],
      ]);
      if (tx) txs.push(tx);
    }
    const tree = new P.Tree(txs.map(P.encodeUnsigned));
    const from = r.chance(0.06) ? this.addr(r.pick(USERS)) : this.addr(OPERATOR);
    const call = { from, kind: 'submitBlock', args: [tree.root], label: from === this.addr(OPERATOR) ? 'submitBlock' : 'submitBlock by a user' };
    call.onOk = () => {
      const blknum = this.nextChild;
      this.nextChild += 1000n;
      this.nextDeposit = 1n;
      this.blocks.push(blknum);
      txs.forEach((tx, i) => {
        for (const s of tx.spends || []) s.spent = true;
        const unsigned = P.encodeUnsigned(tx);
        tx.outputs.forEach((o, k) => {
          this.addOutput({ pos: P.pos(blknum, i, k), owner: o.owner, token: o.token, amount: o.amount, tx, unsigned, proof: tree.proof(i) });
        });
      });
      return blknum;
    };
    return call;
  }

  startExit() {
    const r = this.r;
    if (this.outputs.length === 0) return this.deposit();
    const o = r.pick(this.outputs);
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

  processExits() {
    const r = this.r;
    const token = weighted(r, [
      [45, () => P.ETH],
      [45, () => this.token],
      [10, () => '0x7777777777777777777777777777777777777777'],
    ]);
    const call = { from: this.addr(r.int(10)), kind: 'processExits', args: [token, BigInt(r.int(7))], label: 'processExits' };
    call.onOk = (out) => {
      for (const e of out.events) {
        const m = /^ExitFinalized\(exitId=(\d+)\)$/.exec(e);
        if (m) this.active.delete(BigInt(m[1]));
      }
    };
    return call;
  }

  // ---- child-chain transactions the operator puts in blocks ----

  addOutput(o) {
    this.outputs.push({ ...o, spent: false });
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
    const amount = token === P.ETH ? r.big(1n, 2000n) * 10n ** 15n : r.big(1n, 500n);
    const input = P.pos(500_000n + BigInt(r.int(100_000)), r.int(100), r.int(4));
    return P.sign(P.tx({ inputs: [input], outputs: [{ owner: this.addr(r.pick(USERS)), token, amount }] }), [DEV_KEYS[r.int(10)]]);
  }

  feeTx() {
    const token = this.r.chance(0.5) ? P.ETH : this.token;
    const metadata = ethers.keccak256(ethers.concat([ethers.toBeHex(this.nextChild, 32), token]));
    return P.tx({ txType: 3, outputs: [{ owner: this.addr(OPERATOR), token, amount: 1n + BigInt(this.r.int(1000)) }], metadata });
  }
}

module.exports = { Model, rng };
