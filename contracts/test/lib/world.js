// A deployed PlasmaRootChain on a fresh anvil, with a TestToken, the
// reverting recipient and the false-returning token, and helpers to call it
// as a named development account and read what happened.
'use strict';

const assert = require('node:assert/strict');
const { before, after, beforeEach, afterEach } = require('node:test');
const { ethers } = require('ethers');
const { Anvil, Reverted, DEV_ADDRS, DEV_KEYS, artifact } = require('./anvil');
const plasma = require('./plasma');

const DEFAULTS = {
  minExitPeriod: 3600n,
  exitBond: 23_300_000_000_000_000n,
  ifeBond: 37_000_000_000_000_000n,
  piggybackBond: 28_000_000_000_000_000n,
};
const TOKEN_SUPPLY = 10n ** 30n;
const MAX = ethers.MaxUint256;

class World {
  static async create(config = {}) {
    const cfg = { ...DEFAULTS, ...config };
    const node = await Anvil.start({ steps: Boolean(cfg.steps) });
    const w = new World(node, cfg);
    try {
      await w.deployAll();
    } catch (err) {
      await node.stop();
      throw err;
    }
    return w;
  }

  constructor(node, cfg) {
    this.node = node;
    this.cfg = cfg;
    this.iface = new ethers.Interface(artifact('PlasmaRootChain').abi);
    this.tokenIface = new ethers.Interface(artifact('TestToken').abi);
    this.accounts = DEV_ADDRS;
    this.keys = DEV_KEYS;
  }

  // The contract first (account 0's first transaction), then the helpers.
  async deployAll() {
    const c = this.cfg;
    this.plasma = await this.node.deploy('PlasmaRootChain', [c.minExitPeriod, c.exitBond, c.ifeBond, c.piggybackBond]);
    this.address = this.plasma.target.toLowerCase();
    this.domain = plasma.devDomain(this.address);
    this.token = (await this.node.deploy('TestToken', ['Test', 'TST'])).target.toLowerCase();
    this.recipient = (await this.node.deploy('RevertingRecipient', [])).target.toLowerCase();
    this.falseToken = (await this.node.deploy('FalseToken', [])).target.toLowerCase();
    for (const holder of [...this.accounts.slice(1), this.recipient]) {
      await this.node.send({ from: this.accounts[0], to: this.token, data: this.tokenIface.encodeFunctionData('mint', [holder, TOKEN_SUPPLY]) });
      await this.node.send({ from: this.accounts[0], to: this.falseToken, data: this.tokenIface.encodeFunctionData('mint', [holder, TOKEN_SUPPLY]) });
    }
    for (const a of this.accounts.slice(1)) {
      for (const t of [this.token, this.falseToken]) {
        await this.node.send({ from: a, to: t, data: this.tokenIface.encodeFunctionData('approve', [this.address, MAX]) });
      }
    }
    for (const t of [this.token, this.falseToken]) {
      await this.viaRecipient(t, this.tokenIface.encodeFunctionData('approve', [this.address, MAX]));
    }
  }

  async stop() {
    await this.node.stop();
  }

  async snapshot() {
    return { id: await this.node.rpc.call('evm_snapshot'), time: this.node.time };
  }

  async revert(snap) {
    assert.equal(await this.node.rpc.call('evm_revert', [snap.id]), true);
    this.node.time = snap.time;
  }

  // Moves the next block's time forward.
  advance(seconds) {
    this.node.time += Number(seconds);
  }

  get now() {
    return this.node.time;
  }

  from(who) {
    return typeof who === 'number' ? this.accounts[who] : who.toLowerCase();
  }

  // Calls the contract as who (an account index or address). Resolves to
  // {receipt, gasUsed, events}; a refusal rejects with Reverted naming the
  // custom error. The call is dry-run first, so a refusal mines nothing.
  async call(who, method, args = [], { value = 0n } = {}) {
    const req = { from: this.from(who), to: this.address, data: this.iface.encodeFunctionData(method, args), value };
    const ts = this.node.time + 1;
    try {
      await this.node.dryRun(req, ts);
    } catch (err) {
      throw this.named(err);
    }
    const receipt = await this.node.send(req, ts);
    return { receipt, gasUsed: BigInt(receipt.gasUsed), events: this.events(receipt) };
  }

  // The recipient contract relays a call, so that it is the caller.
  async viaRecipient(to, data, value = 0n) {
    const relay = new ethers.Interface(artifact('RevertingRecipient').abi);
    const req = { from: this.accounts[0], to: this.recipient, data: relay.encodeFunctionData('relay', [to, data]), value };
    try {
      await this.node.dryRun(req);
    } catch (err) {
      throw this.named(err);
    }
    const receipt = await this.node.send(req);
    return { receipt, events: this.events(receipt) };
  }

  async recipientCall(method, args = [], { value = 0n } = {}) {
    return this.viaRecipient(this.address, this.iface.encodeFunctionData(method, args), value);
  }

  named(err) {
    if (!(err instanceof Reverted)) return err;
    const parsed = this.iface.parseError(err.data);
    return new Reverted(parsed ? parsed.name : null, err.data);
  }

  // The contract's events of a receipt: [{name, args}], args as plain values.
  events(receipt) {
    const out = [];
    for (const log of receipt.logs) {
      if (log.address.toLowerCase() !== this.address) continue;
      const ev = this.iface.parseLog(log);
      out.push({ name: ev.name, args: plain(ev.args) });
    }
    return out;
  }

  async view(method, args = []) {
    const data = this.iface.encodeFunctionData(method, args);
    const ret = await this.node.rpc.call('eth_call', [{ to: this.address, data }, 'latest']);
    const r = this.iface.decodeFunctionResult(method, ret);
    return r.length === 1 ? plain(r[0]) : plain(r);
  }

  async ethBalance(who) {
    return this.node.balance(this.from(who));
  }

  async tokenBalance(token, who) {
    const data = this.tokenIface.encodeFunctionData('balanceOf', [this.from(who)]);
    return BigInt(await this.node.rpc.call('eth_call', [{ to: token, data }, 'latest']));
  }

  // A deposit by who; the deposit's position, transaction and proof come back too.
  async deposit(who, token, amount) {
    const blknum = await this.view('nextDepositBlock');
    const value = token === plasma.ETH ? BigInt(amount) : 0n;
    const r = await this.call(who, 'deposit', [token, amount], { value });
    const t = plasma.depositTx(this.from(who), token, amount);
    const unsigned = plasma.encodeUnsigned(t);
    return { ...r, blknum, pos: plasma.pos(blknum), tx: t, unsigned, proof: new plasma.Tree([unsigned]).proof(0) };
  }

  // The operator submits a block of txs; positions and proofs come back.
  async submitBlock(txs) {
    const blknum = await this.view('nextChildBlock');
    const tree = new plasma.Tree(txs.map(plasma.encodeUnsigned));
    const r = await this.call(0, 'submitBlock', [tree.root]);
    return {
      ...r,
      blknum,
      tree,
      txs,
      pos: (i, o = 0) => plasma.pos(blknum, i, o),
      proof: (i) => tree.proof(i),
      unsigned: (i) => plasma.encodeUnsigned(txs[i]),
    };
  }

  // Standard exit of output o of a deposit or block entry b (tx index i).
  startExit(who, b, i = 0, o = 0) {
    const p = b.blknum % 1000n === 0n ? b.pos(i, o) : b.pos + BigInt(o);
    const u = b.blknum % 1000n === 0n ? b.unsigned(i) : b.unsigned;
    const proof = b.blknum % 1000n === 0n ? b.proof(i) : b.proof;
    return this.call(who, 'startStandardExit', [p, u, proof], { value: this.cfg.exitBond });
  }

  sign(t, signers) {
    return plasma.sign(t, signers.map((i) => this.keys[i]), this.domain);
  }
}

// Hooks for a describe block: one World for the block, every test starting
// from the same snapshot. ready(world) receives it before the first test.
function worldHooks(ready, config = {}) {
  let w;
  let snap;
  before(async () => {
    w = await World.create(config);
    ready(w);
  });
  after(async () => {
    if (w) await w.stop();
  });
  beforeEach(async () => {
    snap = await w.snapshot();
  });
  afterEach(async () => {
    await w.revert(snap);
  });
}

// ethers Result → plain arrays/objects of bigint, string and boolean.
function plain(v) {
  if (v === null || typeof v !== 'object') return typeof v === 'string' ? v.toLowerCase() : v;
  if (typeof v.toObject === 'function' && v.length !== undefined) {
    const keys = Object.keys(v.toObject());
    const named = keys.length > 0 && keys.every((k) => !/^\d+$/.test(k));
    if (named && !keys.some((k) => k.startsWith('_'))) {
      const o = {};
      for (const k of keys) o[k] = plain(v[k]);
      return o;
    }
    return Array.from(v, plain);
  }
  if (Array.isArray(v)) return v.map(plain);
  return v;
}

// Resolves when the promise rejects with the named custom error.
async function refuses(promise, name) {
  await assert.rejects(promise, (err) => {
    assert.ok(err instanceof Reverted, `expected ${name}, got ${err}`);
    assert.equal(err.err, name);
    return true;
  });
}

module.exports = { World, DEFAULTS, refuses, plain, worldHooks, TOKEN_SUPPLY };
