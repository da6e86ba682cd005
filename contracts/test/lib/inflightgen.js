// The in-flight exit part of the differential test's model: transactions in
// flight (candidates) built from the outputs the model knows, their
// competitors and spends, and the calls of docs/inflight.md on them, valid or
// broken in one of the ways each check refuses. The model learns from the
// outcome and the events both chains agreed on.
'use strict';

const { ethers } = require('ethers');
const { DEV_ADDRS, DEV_KEYS } = require('./anvil');
const { weighted, mutate } = require('./random');
const P = require('./plasma');

const ONE = 10n ** 18n;
const USERS = [1, 2, 3, 4, 5, 6, 7, 8];

// "Name(a=1,b=0x…)" → {name, args}.
function parseEvent(text) {
  const m = /^(\w+)\((.*)\)$/.exec(text);
  const args = {};
  for (const kv of m[2] ? m[2].split(',') : []) {
    const [k, v] = kv.split('=');
    args[k] = v;
  }
  return { name: m[1], args };
}

class InFlightModel {
  // model: the generator's Model (its rng, outputs, blocks and helpers).
  constructor(model, { ifeBond, piggybackBond }) {
    this.m = model;
    this.r = model.r;
    this.ifeBond = ifeBond;
    this.piggybackBond = piggybackBond;
    this.cands = []; // {T, hex, id, inputs: [output], flaw, included: {pos, proof} | null, started}
    this.byId = new Map(); // ife_id → candidate
    this.open = []; // candidates with an open in-flight exit, oldest first
    this.spends = []; // {T, hex, of: candidate, index (its input), at (index in T), included}
    this.claims = new Set(); // "owner|token" with a deferred payment
    this.outputIds = new Set(); // every output id an in-flight exit named
    this.closedNow = []; // ids of the in-flight exits the last call closed
  }

  addr(i) {
    return DEV_ADDRS[i];
  }

  // ---- transactions ----

  // A payment of inputs (model outputs, 1-4 of them), each signed by its
  // owner, paying the inputs' amounts per token to 1-4 users. flaw:
  // 'signer' (input 0 signed by another), 'more' (one output exceeds the
  // inputs), 'missing block' (input 0 in a block that does not exist).
  payment(inputs, flaw = null) {
    const r = this.r;
    const byToken = new Map();
    for (const o of inputs) byToken.set(o.token, (byToken.get(o.token) || 0n) + o.amount);
    const outputs = [];
    for (const [token, total] of byToken) {
      let left = total - (r.chance(0.2) && total > 1n ? 1n : 0n); // sometimes a fee
      const parts = outputs.length < 3 && left > 1n && r.chance(0.5) ? 2 : 1;
      for (let k = 0; k < parts && left > 0n; k++) {
        const amount = k === parts - 1 ? left : left / 2n;
        outputs.push({ owner: this.addr(r.pick(USERS)), token, amount });
        left -= amount;
      }
    }
    if (flaw === 'more') outputs[r.int(outputs.length)].amount += 2n; // past a fee of 1 too
    const positions = inputs.map((o) => o.pos);
    if (flaw === 'missing block') positions[0] = P.pos(this.m.nextChild + 7000n, r.int(3), 0);
    const keys = inputs.map((o) => this.m.keyOf(o.owner));
    if (flaw === 'signer') keys[0] = DEV_KEYS[(DEV_KEYS.indexOf(keys[0]) + 1 + r.int(9)) % 10];
    const metadata = ethers.toBeHex(BigInt(r.int(2 ** 30)) + 1n, 32);
    return P.sign(P.tx({ inputs: positions, outputs: outputs.slice(0, 4), metadata }), keys);
  }

  // A new candidate of 1-4 distinct inputs (fewer when the model knows fewer outputs).
  newCandidate(flaw = null) {
    const r = this.r;
    const outs = this.m.outputs;
    if (outs.length === 0) return null;
    const n = Math.min(outs.length, r.pick([1, 1, 2, 2, 3, 4]));
    const picked = new Set(r.chance(0.3) ? this.twins() : []);
    while (picked.size < n) picked.add(r.pick(outs));
    const inputs = [...picked];
    const T = this.payment(inputs, flaw);
    const c = { T, hex: P.encodeSigned(T), id: P.ifeId(T), inputs, flaw, included: null, started: false };
    this.cands.push(c);
    this.byId.set(c.id, c);
    return c;
  }

  // A tx already in a block as a candidate (its inputs are model outputs).
  addIncluded(T, inputs, included) {
    const c = { T, hex: P.encodeSigned(T), id: P.ifeId(T), inputs, flaw: null, included, started: false };
    this.cands.push(c);
    this.byId.set(c.id, c);
    if (this.r.chance(0.7)) this.m.followUps.push(() => this.start(c));
  }

  // Two outputs at different positions with the same output id (a tx the
  // operator included twice), when the model knows such a pair.
  twins() {
    const seen = new Map();
    const pairs = [];
    for (const o of this.m.outputs) {
      const id = this.m.outputIdOf(o);
      if (seen.has(id)) pairs.push([seen.get(id), o]);
      else seen.set(id, o);
    }
    return pairs.length > 0 ? this.r.pick(pairs) : [];
  }

  // A candidate to act on: an open one (newest more often), else any.
  pickOpen() {
    const r = this.r;
    if (this.open.length > 0 && r.chance(0.85)) {
      return r.chance(0.5) ? this.open[this.open.length - 1] : r.pick(this.open);
    }
    const started = this.cands.filter((c) => c.started);
    if (started.length > 0 && r.chance(0.7)) return r.pick(started);
    return this.cands.length > 0 ? r.pick(this.cands) : this.newCandidate();
  }

  // A spend of input i of c signed by its owner at a random index: a
  // competitor, or a spent-input challenge's spending tx.
  spendOf(c, i, signer = null) {
    const r = this.r;
    const pos = c.T.inputs[i];
    const other = P.pos(600_000n + BigInt(r.int(1000)), r.int(50), r.int(4));
    const inputs = r.chance(0.3) ? [other, pos] : [pos];
    const at = inputs.indexOf(pos);
    const keys = inputs.map((p) => (p === pos ? this.m.keyOf(c.inputs[i].owner) : DEV_KEYS[r.int(10)]));
    if (signer !== null) keys[at] = signer;
    const o = c.inputs[i];
    const metadata = ethers.toBeHex(BigInt(r.int(2 ** 30)) + 1n, 32);
    const T = P.sign(P.tx({ inputs, outputs: [{ owner: this.addr(r.pick(USERS)), token: o.token, amount: o.amount }], metadata }), keys);
    return { T, hex: P.encodeSigned(T), of: c, index: i, at, included: null };
  }

  // An existing spend of input i of c (included ones preferred), or a new one.
  spendFor(c, i) {
    const known = this.spends.filter((s) => s.of === c && s.index === i);
    const included = known.filter((s) => s.included);
    if (included.length > 0 && this.r.chance(0.7)) return this.r.pick(included);
    if (known.length > 0 && this.r.chance(0.6)) return this.r.pick(known);
    const s = this.spendOf(c, i);
    this.spends.push(s);
    return s;
  }

  // Txs of this module the operator puts in a block (the model's submitBlock
  // appends them): a candidate, a competitor of one, or both.
  blockTxs(forced = null) {
    const r = this.r;
    const txs = [];
    const waiting = this.cands.filter((c) => !c.flaw && !c.included);
    if (forced || (waiting.length > 0 && r.chance(0.5))) {
      const c = forced || r.pick(waiting);
      txs.push({ tx: c.T, spends: c.inputs, onIncluded: (pos, proof) => { c.included = { pos, proof }; } });
    }
    const targets = this.cands.filter((c) => !c.flaw);
    if (targets.length > 0 && r.chance(0.35)) {
      const c = r.pick(targets);
      const s = this.spendOf(c, r.int(c.inputs.length));
      this.spends.push(s);
      txs.push({ tx: s.T, onIncluded: (pos, proof) => { s.included = { pos, proof }; } });
    }
    return txs;
  }

  // ---- calls ----

  start(given = null) {
    const r = this.r;
    let c = given || (this.cands.length > 0 && r.chance(0.3) ? r.pick(this.cands) : null);
    const flaw = given ? null : r.chance(0.15) ? r.pick(['signer', 'more', 'missing block']) : null;
    if (!c || flaw) c = this.newCandidate(flaw);
    if (!c) return this.m.deposit();
    let hex = c.hex;
    let txs = c.inputs.map((o) => o.unsigned);
    let poss = c.T.inputs.map((p) => p);
    let proofs = c.inputs.map((o) => o.proof);
    let value = this.ifeBond;
    const flawLabel = { signer: 'ife start signed by another', more: 'ife start spending more than its inputs', 'missing block': 'ife start of an input in a missing block' };
    const label = c.flaw ? flawLabel[c.flaw] : given ? 'ife start of an included tx' : weighted(r, [
      [60, () => 'ife start'],
      [5, () => {
        value = r.pick([0n, this.ifeBond - 1n, this.m.exitBond]);
        return 'ife start with a wrong bond';
      }],
      [4, () => {
        hex = P.encodeUnsigned(c.T);
        return 'ife start of an unsigned tx';
      }],
      [6, () => {
        hex = mutate(r, hex);
        return 'ife start of a mutated tx';
      }],
      [6, () => {
        const k = r.int(3);
        // The envelope carries at most 4 items per list (more is bad_call there).
        if (k === 0 || (k === 1 && proofs.length === 4)) txs = txs.slice(1);
        else if (k === 1) proofs = [...proofs, proofs[0]];
        else if (poss.length > 1) poss = [poss[1], poss[0], ...poss.slice(2)];
        else poss = [poss[0] + 1n];
        return 'ife start with mismatched inputs';
      }],
      [6, () => {
        const i = r.int(txs.length);
        txs = txs.map((t, k) => (k === i ? r.pick([r.pick(this.m.outputs).unsigned, '0xc0', mutate(r, t)]) : t));
        return 'ife start with a wrong input tx';
      }],
      [6, () => {
        const i = r.int(proofs.length);
        const at = 2 + 2 * r.int(512);
        const p = proofs[i];
        const flipped = (parseInt(p.slice(at, at + 2), 16) ^ (1 + r.int(255))).toString(16).padStart(2, '0');
        proofs = proofs.map((q, k) => (k === i ? p.slice(0, at) + flipped + p.slice(at + 2) : q));
        return 'ife start with a broken proof';
      }],
    ]);
    const call = { from: this.addr(r.int(10)), kind: 'startInFlightExit', args: [hex, txs, poss, proofs], value, label };
    call.outputIds = () => (c.flaw ? [] : c.inputs.map((o) => this.m.outputIdOf(o)));
    return call;
  }

  // A piggyback; of a given candidate's input or output when c is given.
  piggyback(c = this.pickOpen(), onInput = this.r.chance(0.5), at = null) {
    const r = this.r;
    if (!c) return this.start();
    const n = onInput ? c.inputs.length : c.T.outputs.length;
    let index = at === null ? r.int(n) : at;
    const owner = () => (onInput ? c.inputs[index].owner : c.T.outputs[index].owner);
    let from = owner();
    let value = this.piggybackBond;
    let hex = c.hex;
    const what = onInput ? 'piggyback input' : 'piggyback output';
    const label = weighted(r, [
      [70, () => what],
      [5, () => {
        value = r.pick([0n, this.ifeBond, this.piggybackBond + 1n]);
        return `${what} with a wrong bond`;
      }],
      [7, () => {
        from = this.addr(r.pick(USERS.filter((u) => this.addr(u) !== from)));
        return `${what} by another`;
      }],
      [5, () => {
        index = n + r.int(4 - n + 1);
        from = this.addr(r.pick(USERS));
        return `${what} past the last`;
      }],
      [4, () => {
        hex = P.encodeUnsigned(c.T);
        return `${what} of an unsigned tx`;
      }],
    ]);
    const kind = onInput ? 'piggybackInFlightExitOnInput' : 'piggybackInFlightExitOnOutput';
    const call = { from, kind, args: [hex, BigInt(index)], value, label };
    call.outputIds = () => (!onInput && index < n ? [P.outputId(c.T, index, 0)] : []);
    return call;
  }

  challengeNotCanonical(c = this.pickOpen()) {
    const r = this.r;
    if (!c) return this.start();
    let i = r.int(c.inputs.length);
    let s = this.spendFor(c, i);
    let compHex = s.hex;
    let at = BigInt(s.at);
    let pos = s.included ? s.included.pos : 0n;
    let proof = s.included ? s.included.proof : '0x';
    const label = weighted(r, [
      [60, () => (s.included ? 'challenge ife, included competitor' : 'challenge ife, competitor never included')],
      [4, () => {
        compHex = c.hex;
        return 'challenge ife with itself';
      }],
      [4, () => {
        at = BigInt(s.T.inputs.length - 1 - s.at + (s.T.inputs.length === 1 ? 1 + r.int(3) : 0));
        return 'challenge ife at another competitor input';
      }],
      [5, () => {
        const t = this.spendOf(c, i, DEV_KEYS[(DEV_KEYS.indexOf(this.m.keyOf(c.inputs[i].owner)) + 1 + r.int(9)) % 10]);
        compHex = t.hex;
        at = BigInt(t.at);
        return 'challenge ife signed by another';
      }],
      [4, () => {
        pos = 0n;
        proof = r.pick(this.m.outputs).proof;
        return 'challenge ife never included, with a proof';
      }],
      [5, () => {
        const o = r.pick(this.m.outputs);
        pos = r.chance(0.5) ? o.pos - P.oindexOf(o.pos) : P.pos(this.m.nextChild + 3000n);
        proof = o.proof;
        return 'challenge ife at a wrong position';
      }],
      [4, () => {
        i = c.inputs.length + r.int(2);
        return 'challenge ife past the last input';
      }],
      [4, () => {
        compHex = mutate(r, compHex);
        return 'challenge ife with a mutated competitor';
      }],
    ]);
    return {
      from: this.addr(r.int(10)),
      kind: 'challengeInFlightExitNotCanonical',
      args: [c.hex, BigInt(i), compHex, at, pos, proof],
      label,
    };
  }

  respond(given = null) {
    const r = this.r;
    const included = this.cands.filter((c) => c.started && c.included);
    const c = given || (included.length > 0 && r.chance(0.8) ? r.pick(included) : this.pickOpen());
    if (!c) return this.start();
    let pos = c.included ? c.included.pos : P.pos(this.m.nextChild - 1000n, r.int(3));
    let proof = c.included ? c.included.proof : r.pick(this.m.outputs).proof;
    const label = weighted(r, [
      [70, () => (c.included ? 'respond' : 'respond, tx not included')],
      [8, () => {
        proof = r.pick(this.m.outputs).proof;
        return 'respond with another proof';
      }],
      [6, () => {
        pos += BigInt(1 + r.int(3));
        return 'respond at an output position';
      }],
    ]);
    return { from: this.addr(r.int(10)), kind: 'respondToNonCanonicalChallenge', args: [c.hex, pos, proof], label };
  }

  inputSpent() {
    const r = this.r;
    const c = this.pickOpen();
    if (!c) return this.start();
    let i = r.int(c.inputs.length);
    const s = this.spendFor(c, i);
    let spendHex = s.hex;
    let at = BigInt(s.at);
    const label = weighted(r, [
      [65, () => 'input spent'],
      [5, () => {
        spendHex = c.hex;
        at = BigInt(i);
        return 'input spent by itself';
      }],
      [5, () => {
        at = BigInt(s.at + 1);
        return 'input spent at another input';
      }],
      [6, () => {
        const t = this.spendOf(c, i, DEV_KEYS[(DEV_KEYS.indexOf(this.m.keyOf(c.inputs[i].owner)) + 1 + r.int(9)) % 10]);
        spendHex = t.hex;
        at = BigInt(t.at);
        return 'input spent, signed by another';
      }],
      [4, () => {
        i = c.inputs.length + r.int(2);
        return 'input spent past the last input';
      }],
    ]);
    return { from: this.addr(r.int(10)), kind: 'challengeInFlightExitInputSpent', args: [c.hex, BigInt(i), spendHex, at], label };
  }

  outputSpent() {
    const r = this.r;
    const included = this.cands.filter((c) => c.started && c.included);
    const c = included.length > 0 && r.chance(0.85) ? r.pick(included) : this.pickOpen();
    if (!c) return this.start();
    const n = c.T.outputs.length;
    let o = r.int(n);
    const txPos = c.included ? c.included.pos : P.pos(this.m.nextChild - 1000n, r.int(3));
    let proof = c.included ? c.included.proof : r.pick(this.m.outputs).proof;
    let spent = txPos + BigInt(o);
    let key = this.m.keyOf(c.T.outputs[o].owner);
    const label = weighted(r, [
      [65, () => (c.included ? 'output spent' : 'output spent, tx not included')],
      [6, () => {
        proof = r.pick(this.m.outputs).proof;
        return 'output spent with another proof';
      }],
      [6, () => {
        key = DEV_KEYS[(DEV_KEYS.indexOf(key) + 1 + r.int(9)) % 10];
        return 'output spent, signed by another';
      }],
      [5, () => {
        o = n + r.int(4 - n + 1);
        return 'output spent past the last output';
      }],
    ]);
    const outputPos = txPos + BigInt(o);
    if (label === 'output spent past the last output') spent = outputPos;
    const T = P.sign(P.tx({ inputs: [spent], outputs: [{ owner: this.addr(r.pick(USERS)), amount: 1n }] }), [key]);
    return {
      from: this.addr(r.int(10)),
      kind: 'challengeInFlightExitOutputSpent',
      args: [c.hex, outputPos, proof, P.encodeSigned(T), 0n],
      label,
    };
  }

  delete() {
    const r = this.r;
    const c = this.pickOpen();
    const known = c && r.chance(0.9);
    const id = known ? c.id : BigInt(ethers.keccak256(ethers.toBeHex(r.int(2 ** 30), 32))) | (1n << 255n);
    return { from: this.addr(r.int(10)), kind: 'deleteNonPiggybackedInFlightExit', args: [id], label: known ? 'delete ife' : 'delete an unknown ife' };
  }

  withdraw() {
    const r = this.r;
    let from = this.addr(r.int(10));
    let token = r.chance(0.5) ? P.ETH : this.m.token;
    if (this.claims.size > 0 && r.chance(0.7)) [from, token] = r.pick([...this.claims]).split('|');
    return { from, kind: 'withdraw', args: [token], label: 'withdraw' };
  }

  // ---- learning from what both chains did ----

  learn(events) {
    for (const text of events) {
      const { name, args } = parseEvent(text);
      const id = args.ifeId !== undefined ? BigInt(args.ifeId) : null;
      if (name === 'InFlightExitStarted') {
        const c = this.byId.get(id);
        c.started = true;
        this.open.push(c);
        for (const o of c.inputs) this.outputIds.add(this.m.outputIdOf(o));
        this.planFollowUps(c);
      } else if (name === 'InFlightExitFinalized' || name === 'InFlightExitDeleted') {
        this.open = this.open.filter((c) => c.id !== id);
        this.closedNow.push(id);
      } else if (name === 'InFlightExitChallenged') {
        // Someone holding the tx's inclusion answers; the operator may include it first.
        const c = this.byId.get(id);
        if (!c.included && !c.flaw && this.r.chance(0.5)) this.m.followUps.push(() => this.m.submitBlock(c));
        if (this.r.chance(0.7)) this.m.followUps.push(() => this.respond(c));
      } else if (name === 'InFlightExitOutputPiggybacked') {
        this.outputIds.add(P.outputId(this.byId.get(id).T, Number(args.index), 0));
      } else if (name === 'PaymentDeferred') {
        this.claims.add(`${args.owner}|${args.token}`);
      } else if (name === 'Withdrawal') {
        this.claims.delete(`${args.owner}|${args.token}`);
      }
    }
  }

  // What honest owners do after a start (PROTOCOL §6b): piggyback their
  // inputs and outputs, most of them, in the first phase; sometimes someone
  // shows a competitor.
  planFollowUps(c) {
    const r = this.r;
    c.inputs.forEach((_, i) => {
      if (r.chance(0.6)) this.m.followUps.push(() => this.piggyback(c, true, i));
    });
    c.T.outputs.forEach((_, o) => {
      if (r.chance(0.6)) this.m.followUps.push(() => this.piggyback(c, false, o));
    });
    if (r.chance(0.3)) this.m.followUps.push(() => this.challengeNotCanonical(c));
    this.m.shuffleFollowUps();
    // Then, often, its processing in each of its tokens.
    if (r.chance(0.4)) {
      this.m.followUps.push(() => ({ advance: 2 * Number(this.m.mep) + r.int(100) }));
      const tokens = new Set([...c.inputs.map((o) => o.token), ...c.T.outputs.map((o) => o.token)]);
      for (const t of tokens) this.m.followUps.push(() => this.m.processExits(t));
    }
  }

  knownIfeIds() {
    return this.cands.filter((c) => c.started).map((c) => c.id);
  }
}

module.exports = { InFlightModel, parseEvent, ONE };
