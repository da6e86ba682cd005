// The simulated root chain (plasma-rootchain --dev) driven over its HTTP API:
// calls signed as envelopes (docs/rootchain-calls.md) with ethers' RLP and
// SigningKey, mined on demand, with the development controls for time and
// token balances (docs/rootchain-api.md).
'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { ethers } = require('ethers');
const { JsonClient } = require('./rpc');
const { readPortFile, startDaemon } = require('./proc');
const { DEV_KEYS, DEV_ADDRS } = require('./anvil');

const CHAIN_ID = 31337n;
const CONTRACT = '0x5fbdb2315678afecb367f032d93f642f64180aa3';
const GAS_LIMIT = 10_000_000n;
const SIGNING_PREFIX = ethers.concat(['0x19', ethers.toUtf8Bytes('PlasmaRootchainCall')]);

// Call kinds and how each encodes its arguments (in §9's order, bond last).
const KINDS = {
  transfer: 1,
  deposit: 2,
  submitBlock: 3,
  startStandardExit: 4,
  challengeStandardExit: 5,
  processExits: 6,
  startInFlightExit: 7,
  piggybackInFlightExitOnInput: 8,
  piggybackInFlightExitOnOutput: 9,
  challengeInFlightExitNotCanonical: 10,
  respondToNonCanonicalChallenge: 11,
  challengeInFlightExitInputSpent: 12,
  challengeInFlightExitOutputSpent: 13,
  deleteNonPiggybackedInFlightExit: 14,
  withdraw: 15,
};

const uint = (n) => ethers.toBeArray(BigInt(n));

function encodeArgs(kind, a, value) {
  switch (kind) {
    case 'deposit':
      return [a[0], uint(a[1])];
    case 'submitBlock':
      return [a[0]];
    case 'startStandardExit':
      return [uint(a[0]), a[1], a[2], uint(value)];
    case 'challengeStandardExit':
      return [uint(a[0]), a[1], uint(a[2])];
    case 'processExits':
      return [a[0], uint(a[1])];
    case 'startInFlightExit':
      return [a[0], [...a[1]], a[2].map(uint), [...a[3]], uint(value)];
    case 'piggybackInFlightExitOnInput':
    case 'piggybackInFlightExitOnOutput':
      return [a[0], uint(a[1]), uint(value)];
    case 'challengeInFlightExitNotCanonical':
      return [a[0], uint(a[1]), a[2], uint(a[3]), uint(a[4]), a[5]];
    case 'respondToNonCanonicalChallenge':
      return [a[0], uint(a[1]), a[2]];
    case 'challengeInFlightExitInputSpent':
      return [a[0], uint(a[1]), a[2], uint(a[3])];
    case 'challengeInFlightExitOutputSpent':
      return [a[0], uint(a[1]), a[2], a[3], uint(a[4])];
    case 'deleteNonPiggybackedInFlightExit':
      return [uint(a[0])];
    case 'withdraw':
      return [a[0]];
    default:
      throw new Error(`no envelope for ${kind}`);
  }
}

// snake_case error code → the contract's CamelCase custom error.
const camel = (code) => code.split('_').map((w) => w[0].toUpperCase() + w.slice(1)).join('');

class Sim {
  static async start({ bin, minExitPeriod, exitBond, ifeBond, piggybackBond, blockTime = 12 }) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plasma-diff-'));
    const portFile = path.join(dir, 'port');
    const http = new JsonClient('');
    const args = ['--dev', '--port-file', portFile, '--bind', '127.0.0.1', '--data-dir', path.join(dir, 'chain'),
      '--mine-interval-ms', '0', '--min-exit-period', String(minExitPeriod), '--exit-bond', String(exitBond),
      '--block-time', String(blockTime), '--log-level', 'warn',
      '--rate-per-ip', '1000000']; // a comparison asks a few dozen things per call
    if (ifeBond !== undefined) args.push('--ife-bond', String(ifeBond));
    if (piggybackBond !== undefined) args.push('--piggyback-bond', String(piggybackBond));
    // The daemon reports the port it bound in portFile: port 0 at first; a
    // restart asks for the same port, and takes another only if it is gone.
    const startOn = (port) => {
      fs.rmSync(portFile, { force: true });
      return startDaemon('plasma-rootchain', bin, ['--port', String(port), ...args], async () => {
        const bound = readPortFile(portFile);
        if (!bound) return false;
        http.base = `http://127.0.0.1:${bound}`;
        return (await http.get('/v1/status')).status === 200;
      });
    };
    const start = async () => {
      const port = http.base ? Number(new URL(http.base).port) : 0;
      try {
        return await startOn(port);
      } catch (err) {
        if (port === 0 || !/cannot listen/.test(err.message)) throw err;
        return startOn(0);
      }
    };
    let daemon;
    try {
      daemon = await start();
    } catch (err) {
      fs.rmSync(dir, { recursive: true, force: true });
      throw err;
    }
    const sim = new Sim(http, daemon, dir, blockTime, start);
    await sim.refreshHead();
    return sim;
  }

  constructor(http, daemon, dir, blockTime, start) {
    this.http = http;
    this.daemon = daemon;
    this.dir = dir; // the daemon's port file and its data directory, chain/
    this.blockTime = blockTime;
    this.nonces = new Map();
    this.start = start;
  }

  // Stops the daemon and starts it again on its data directory.
  async restart() {
    await this.daemon.stop();
    this.daemon = await this.start();
    await this.refreshHead();
  }

  // The digest of the chain's whole state (docs/rootchain-calls.md, "Storage").
  async stateDigest() {
    return (await this.status()).state_digest;
  }

  async stop() {
    this.http.close();
    await this.daemon.stop();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  async ok(res, what) {
    if (res.status !== 200) throw new Error(`${what}: status ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  async refreshHead() {
    const s = await this.ok(await this.http.get('/v1/status'), 'status');
    this.head = { number: s.head.number, timestamp: s.head.timestamp };
    this.offset = 0;
    return s;
  }

  // The timestamp the next mined block will have.
  get nextTimestamp() {
    return this.head.timestamp + this.blockTime + this.offset;
  }

  signedCall(from, kind, args, value = 0n) {
    const nonce = this.nonces.get(from) || 0n;
    const envelope = [uint(CHAIN_ID), CONTRACT, uint(nonce), uint(0), uint(GAS_LIMIT), uint(KINDS[kind]),
      ...encodeArgs(kind, args, value)];
    const hash = ethers.keccak256(ethers.concat([SIGNING_PREFIX, ethers.encodeRlp(envelope)]));
    const sig = new ethers.SigningKey(DEV_KEYS[DEV_ADDRS.indexOf(from)]).sign(hash);
    return ethers.encodeRlp([envelope, ethers.concat([sig.r, sig.s, ethers.toBeHex(sig.v, 1)])]);
  }

  // Submits the call and, when the dry run accepts it, mines it in a block of
  // its own. Returns {err: null, gas, events, block} or {err: CamelCaseName}.
  async apply(from, kind, args, value = 0n) {
    const res = await this.http.post('/v1/calls', { call: this.signedCall(from, kind, args, value) });
    if (res.status !== 200) {
      if (!res.body || !res.body.error) throw new Error(`submit ${kind}: status ${res.status}`);
      return { err: camel(res.body.error.code) };
    }
    this.nonces.set(from, (this.nonces.get(from) || 0n) + 1n);
    const mined = await this.mine();
    const receipt = await this.ok(await this.http.get(`/v1/calls/${res.body.call_hash}`), 'receipt');
    if (receipt.status !== 'mined' || receipt.block !== mined.head) {
      throw new Error(`${kind}: not mined in block ${mined.head}: ${JSON.stringify(receipt)}`);
    }
    if (receipt.error !== null) return { err: camel(receipt.error), mined: true, gas: BigInt(receipt.gas_used) };
    const events = await this.ok(await this.http.get(`/v1/events?from_block=${mined.head}&to_block=${mined.head}`), 'events');
    return { err: null, gas: BigInt(receipt.gas_used), events: events.events, block: mined.head };
  }

  async mine() {
    const m = await this.ok(await this.http.post('/v1/dev/mine', { blocks: 1 }), 'mine');
    this.head = { number: m.head, timestamp: m.timestamp };
    this.offset = m.time_offset;
    return m;
  }

  async advance(seconds) {
    const r = await this.ok(await this.http.post('/v1/dev/advance-time', { seconds }), 'advance-time');
    this.offset = r.time_offset;
  }

  async mint(address, token, amount) {
    await this.ok(await this.http.post('/v1/dev/mint', { address, token, amount: String(amount) }), 'mint');
  }

  async status() {
    return this.ok(await this.http.get('/v1/status'), 'status');
  }

  async account(address, token) {
    const a = await this.ok(await this.http.get(`/v1/accounts/${address}?tokens=${token}`), 'account');
    return { eth: BigInt(a.balance), token: BigInt(a.tokens[token]) };
  }

  // owner's deferred payment in token (docs/inflight.md), 0 when none.
  async withdrawable(owner, token) {
    const r = await this.ok(await this.http.get(`/v1/withdrawable/${owner}`), 'withdrawable');
    return BigInt(r.withdrawable[token.toLowerCase()] || 0);
  }

  // Every claim: owner → token → amount (tokens without a claim absent).
  async claims(owners) {
    const answers = await Promise.all(owners.map(async (owner) => this.ok(await this.http.get(`/v1/withdrawable/${owner}`), 'withdrawable')));
    return new Map(answers.map((r, i) => [owners[i], new Map(Object.entries(r.withdrawable).map(([t, a]) => [t.toLowerCase(), BigInt(a)]))]));
  }

  // The open in-flight exits, by ife_id as a bigint.
  async inFlightExits() {
    const r = await this.ok(await this.http.get('/v1/in-flight-exits?limit=10000'), 'in-flight exits');
    return new Map(r.in_flight_exits.map((f) => [BigInt(f.ife_id), f]));
  }

  // finalized[outputId]: the id of the exit that finalized it, 0n when none.
  async finalized(outputId) {
    const r = await this.ok(await this.http.get(`/v1/finalized/${outputId}`), 'finalized');
    if (!r.finalized) return 0n;
    return BigInt(r.ife_id !== undefined ? r.ife_id : r.exit_id);
  }

  async exits() {
    const r = await this.ok(await this.http.get('/v1/exits?limit=10000'), 'exits');
    return r.exits;
  }

  async queue(token) {
    return this.ok(await this.http.get(`/v1/queues/${token}`), 'queue');
  }

  async block(blknum) {
    const r = await this.http.get(`/v1/plasma/blocks/${blknum}`);
    return r.status === 200 ? r.body : null;
  }
}

module.exports = { Sim, KINDS, camel, CONTRACT };
