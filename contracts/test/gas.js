#!/usr/bin/env node
// The gas table: every call kind on representative states (first exit of a
// token and not, queue depths, 1-4 inputs, both exit paths of an in-flight
// exit, deferred payments and their claims), run on both the simulated chain
// (its metered gas) and the contract on anvil (gasUsed), the same calls at the
// same timestamps. The simulated chain's meter is calibrated against the EVM:
// every row must agree within ±10 %.
//   node test/gas.js            print the tables (markdown)
//   node test/gas.js --json     print the figures as JSON
//   node test/gas.js --write    put the tables into docs/gas.md and docs/contracts.md
//   node test/gas.js --check    fail when those tables differ from a fresh run, or
//                               a row's simulated gas is off the EVM's by more than 10 %
// The breakdown of the contract's gas (intrinsic, storage, Keccak, logs,
// calls, the rest) comes from anvil's opcode traces.
// PLASMA_ROOTCHAIN names the plasma-rootchain binary.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { ethers } = require('ethers');
const { Twin } = require('./lib/twin');
const { DEV_ADDRS, DEV_KEYS } = require('./lib/anvil');
const { breakdown } = require('./lib/breakdown');
const P = require('./lib/plasma');

const ROOT_DOCS = path.join(__dirname, '..', '..', 'docs');
const CONFIG = {
  bin: process.env.PLASMA_ROOTCHAIN,
  minExitPeriod: 604800n,
  exitBond: 23_300_000_000_000_000n,
  ifeBond: 37_000_000_000_000_000n,
  piggybackBond: 28_000_000_000_000_000n,
  steps: true, // opcode traces for the breakdown
};
const ONE = 10n ** 18n;
const A = (i) => DEV_ADDRS[i];

// Every call kind on both chains, each row on the state the rows before it
// left: [label, call]. A row whose label is '' is a step, not measured.
class Scenario {
  constructor(twin) {
    this.twin = twin;
    this.rows = [];
    this.token = twin.token;
  }

  async run(label, call) {
    const out = await this.twin.apply({ ...call, label: label || call.kind });
    if (out.err) throw new Error(`${label || call.kind}: ${out.err}`);
    const g = this.twin.gas[this.twin.gas.length - 1];
    if (label) this.rows.push({ label, evm: g.evm, sim: g.sim, hash: g.hash });
    return out;
  }

  // A deposit: its position, tx, unsigned bytes and proof.
  async deposit(label, who, token, amount) {
    const blknum = BigInt((await this.twin.sim.status()).next_deposit_block);
    await this.run(label, { from: A(who), kind: 'deposit', args: [token, amount], value: token === P.ETH ? amount : 0n });
    const tx = P.depositTx(A(who), token, amount);
    const unsigned = P.encodeUnsigned(tx);
    return { tx, pos: P.pos(blknum), unsigned, proof: new P.Tree([unsigned]).proof(0), owner: who };
  }

  // A child block of txs: positions, proofs and unsigned bytes by index.
  async block(label, txs) {
    const blknum = BigInt((await this.twin.sim.status()).next_child_block);
    const tree = new P.Tree(txs.map(P.encodeUnsigned));
    await this.run(label, { from: A(0), kind: 'submitBlock', args: [tree.root] });
    return { blknum, pos: (i, o = 0) => P.pos(blknum, i, o), proof: (i) => tree.proof(i), unsigned: (i) => P.encodeUnsigned(txs[i]) };
  }

  exit(label, who, pos, unsigned, proof) {
    return this.run(label, { from: A(who), kind: 'startStandardExit', args: [pos, unsigned, proof], value: CONFIG.exitBond });
  }

  process(label, token, max) {
    return this.run(label, { from: A(8), kind: 'processExits', args: [token, BigInt(max)] });
  }

  // startInFlightExit of T, whose inputs are ins ({unsigned, proof}) in order.
  startIfe(label, who, T, ins) {
    const args = [P.encodeSigned(T), ins.map((d) => d.unsigned), T.inputs, ins.map((d) => d.proof)];
    return this.run(label, { from: A(who), kind: 'startInFlightExit', args, value: CONFIG.ifeBond });
  }

  piggyback(label, who, T, onInput, index) {
    const kind = onInput ? 'piggybackInFlightExitOnInput' : 'piggybackInFlightExitOnOutput';
    return this.run(label, { from: A(who), kind, args: [P.encodeSigned(T), BigInt(index)], value: CONFIG.piggybackBond });
  }
}

const sign = (t, signers) => P.sign(t, signers.map((i) => DEV_KEYS[i]));

// Deposits, blocks, standard exits, challenges and their processing.
async function standardRows(s) {
  const token = s.token;
  const dep = [];
  dep.push(await s.deposit('deposit ETH', 1, P.ETH, ONE));
  dep.push(await s.deposit('', 2, P.ETH, 2n * ONE));
  dep.push(await s.deposit('deposit token, the contract\'s first of it', 3, token, 1000n));
  dep.push(await s.deposit('deposit token', 4, token, 2000n));
  for (let i = 0; i < 5; i++) dep.push(await s.deposit('', 5 + (i % 3), P.ETH, ONE));

  // A block of 3 payments spending deposits.
  const spends = [0, 1, 4].map((k) => sign(P.tx({
    inputs: [dep[k].pos],
    outputs: [{ owner: A(6), amount: dep[k].tx.outputs[0].amount / 2n }, { owner: A(dep[k].owner), amount: dep[k].tx.outputs[0].amount / 2n }],
  }), [dep[k].owner]));
  const b = await s.block('submitBlock after deposits', spends);
  await s.block('submitBlock, none since', []);

  const exitDeposit = (label, d) => s.exit(label, d.owner, d.pos, d.unsigned, d.proof);
  await exitDeposit('startStandardExit, token deposit, the queue\'s first', dep[2]);
  await exitDeposit('startStandardExit, ETH deposit, the queue\'s first', dep[1]);
  for (let k = 5; k < 8; k++) await exitDeposit('', dep[k]);
  await s.exit('startStandardExit, block output, 4 queued', 6, b.pos(0, 0), b.unsigned(0), b.proof(0));
  await s.exit('startStandardExit, block output, 5 queued', 6, b.pos(2, 0), b.unsigned(2), b.proof(2));

  const challengeTx = sign(P.tx({ inputs: [dep[1].pos], outputs: [{ owner: A(7), amount: ONE }] }), [2]);
  await s.run('challengeStandardExit', { from: A(8), kind: 'challengeStandardExit', args: [dep[1].pos, P.encodeSigned(challengeTx), 0n] });

  await s.process('processExits, empty queue', '0x7777777777777777777777777777777777777777', 10);
  await s.process('processExits, head not yet exitable', P.ETH, 10);
  await s.twin.advance(Number(3n * CONFIG.minExitPeriod));
  await s.process('processExits, a token exit', token, 10);
  await s.process('processExits, 1 challenged exit dropped', P.ETH, 1);
  await s.process('processExits, 1 ETH exit of 5', P.ETH, 1);
  await s.process('processExits, 3 ETH exits of 4', P.ETH, 3);
  await s.process('processExits, the last ETH exit', P.ETH, 3);
}

// A deeper queue: 40 exits of one token, then a batch of them processed.
async function deepQueueRows(s) {
  const outs = [];
  for (let i = 0; i < 40; i++) outs.push(await s.deposit('', 1 + (i % 8), P.ETH, ONE / 100n));
  for (let i = 0; i < outs.length; i++) {
    const d = outs[i];
    const label = i === outs.length - 1 ? 'startStandardExit, 39 queued' : '';
    await s.exit(label, d.owner, d.pos, d.unsigned, d.proof);
  }
  await s.twin.advance(Number(CONFIG.minExitPeriod));
  await s.process('processExits, 1 ETH exit of 40', P.ETH, 1);
  await s.process('processExits, 10 ETH exits of 39', P.ETH, 10);
  await s.process('', P.ETH, 100);
}

// In-flight exits of 1 to 4 inputs, every call, and their processing on
// both exit paths and in two tokens.
async function inFlightRows(s) {
  const token = s.token;
  const dA = await s.deposit('', 1, P.ETH, 10n * ONE);
  const dB = await s.deposit('', 2, token, 100n);
  const small = [];
  for (let i = 0; i < 4; i++) small.push(await s.deposit('', 7, P.ETH, ONE));
  const a0 = sign(P.tx({ inputs: [dA.pos], outputs: [{ owner: A(3), amount: 4n * ONE }, { owner: A(1), amount: 6n * ONE }] }), [1]);
  const b1 = await s.block('', [a0]);
  const at = (b, i, o) => ({ unsigned: b.unsigned(i), proof: b.proof(i), pos: b.pos(i, o) });

  const T1 = sign(P.tx({ inputs: [b1.pos(0, 1)], outputs: [{ owner: A(4), amount: 6n * ONE }] }), [1]);
  await s.startIfe('startInFlightExit, 1 input', 5, T1, [at(b1, 0, 1)]);
  const T = sign(P.tx({
    inputs: [b1.pos(0, 0), dB.pos],
    outputs: [{ owner: A(2), amount: 4n * ONE }, { owner: A(3), token, amount: 100n }],
  }), [3, 2]);
  await s.startIfe('startInFlightExit, 2 inputs', 4, T, [at(b1, 0, 0), dB]);
  const T3 = sign(P.tx({ inputs: small.slice(0, 3).map((d) => d.pos), outputs: [{ owner: A(6), amount: 3n * ONE }] }), [7, 7, 7]);
  await s.startIfe('startInFlightExit, 3 inputs', 6, T3, small.slice(0, 3));
  const T4 = sign(P.tx({
    inputs: [small[3].pos, small[0].pos, small[1].pos, small[2].pos],
    outputs: [{ owner: A(5), amount: 2n * ONE }, { owner: A(6), amount: 2n * ONE }],
  }), [7, 7, 7, 7]);
  await s.startIfe('startInFlightExit, 4 inputs', 6, T4, [small[3], small[0], small[1], small[2]]);

  await s.piggyback('piggybackInFlightExitOnInput, a token\'s first', 3, T, true, 0);
  await s.piggyback('piggybackInFlightExitOnOutput, same token', 2, T, false, 0);
  await s.piggyback('piggybackInFlightExitOnOutput, a token\'s first', 3, T, false, 1);
  await s.piggyback('piggybackInFlightExitOnInput, same token', 2, T, true, 1);
  await s.piggyback('', 7, T3, true, 0);
  await s.piggyback('piggybackInFlightExitOnInput, a second input', 7, T3, true, 1);

  const c = sign(P.tx({ inputs: [b1.pos(0, 0)], outputs: [{ owner: A(5), amount: 4n * ONE }] }), [3]);
  const b2 = await s.block('', [T, c]);
  const challenge = (label, who, tx, i, comp, pos, proof) => s.run(label, {
    from: A(who), kind: 'challengeInFlightExitNotCanonical', args: [P.encodeSigned(tx), BigInt(i), P.encodeSigned(comp), 0n, pos, proof],
  });
  await challenge('challengeInFlightExitNotCanonical, never included', 6, T, 0, c, 0n, '0x');
  await challenge('challengeInFlightExitNotCanonical, included', 7, T, 0, c, b2.pos(1), b2.proof(1));
  await s.run('respondToNonCanonicalChallenge', { from: A(8), kind: 'respondToNonCanonicalChallenge', args: [P.encodeSigned(T), b2.pos(0), b2.proof(0)] });
  const c3 = sign(P.tx({ inputs: [small[1].pos], outputs: [{ owner: A(5), amount: ONE }] }), [7]);
  await challenge('', 6, T3, 1, c3, 0n, '0x');
  const spendIn = sign(P.tx({ inputs: [dB.pos], outputs: [{ owner: A(6), token, amount: 100n }] }), [2]);
  await s.run('challengeInFlightExitInputSpent', { from: A(6), kind: 'challengeInFlightExitInputSpent', args: [P.encodeSigned(T), 1n, P.encodeSigned(spendIn), 0n] });
  const spendOut = sign(P.tx({ inputs: [b2.pos(0, 0)], outputs: [{ owner: A(6), amount: ONE }] }), [2]);
  await s.run('challengeInFlightExitOutputSpent', {
    from: A(6), kind: 'challengeInFlightExitOutputSpent', args: [P.encodeSigned(T), b2.pos(0, 0), b2.proof(0), P.encodeSigned(spendOut), 0n],
  });
  await s.twin.advance(Number(CONFIG.minExitPeriod / 2n));
  await s.run('deleteNonPiggybackedInFlightExit, 1 input', { from: A(9), kind: 'deleteNonPiggybackedInFlightExit', args: [P.ifeId(T1)] });
  await s.run('deleteNonPiggybackedInFlightExit, 4 inputs', { from: A(9), kind: 'deleteNonPiggybackedInFlightExit', args: [P.ifeId(T4)] });
  await s.twin.advance(Number(3n * CONFIG.minExitPeriod));
  // T3's youngest input is older than T's: it comes first in the ETH queue.
  await s.process('processExits, IFE through inputs: pays 2 inputs, 3 bonds, deletes it', P.ETH, 1);
  await s.process('processExits, IFE through outputs: flags 2 inputs, returns 1 bond', P.ETH, 1);
  await s.process('processExits, IFE, its last token: pays 1 output, 2 bonds, deletes it', token, 1);
}

// A payout the contract cannot make (an operator's theft of more tokens
// than it holds), deferred, then claimed once deposits made it whole.
async function claimRows(s) {
  const token = s.token;
  const fake = sign(P.tx({ inputs: [P.pos(777_000, 1)], outputs: [{ owner: A(5), token, amount: 10n ** 23n }] }), [0]);
  const fakeEth = sign(P.tx({ inputs: [P.pos(777_000, 2)], outputs: [{ owner: A(6), amount: 5000n * ONE }] }), [0]);
  const b = await s.block('', [fake, fakeEth]);
  await s.exit('', 5, b.pos(0), b.unsigned(0), b.proof(0));
  await s.exit('', 6, b.pos(1), b.unsigned(1), b.proof(1));
  await s.twin.advance(Number(3n * CONFIG.minExitPeriod));
  await s.process('processExits, a token payout deferred', token, 1);
  await s.process('processExits, an ETH payout deferred', P.ETH, 1);
  await s.deposit('', 4, token, 2n * 10n ** 23n);
  await s.deposit('', 4, P.ETH, 6000n * ONE);
  await s.run('withdraw, a token claim', { from: A(5), kind: 'withdraw', args: [token] });
  await s.run('withdraw, an ETH claim', { from: A(6), kind: 'withdraw', args: [P.ETH] });
}

// Every row, on one pair of chains; with traces, each row's breakdown.
async function measure() {
  const twin = await Twin.start(CONFIG);
  const s = new Scenario(twin);
  try {
    await standardRows(s);
    await deepQueueRows(s);
    await inFlightRows(s);
    await claimRows(s);
    for (const r of s.rows) r.parts = await breakdown(twin.evm.rpc, r.hash);
  } finally {
    await twin.stop();
  }
  return s.rows;
}

const gwei30 = (gas) => (Number((gas * 30n * 10n ** 9n) / 10n ** 12n) / 1e6).toFixed(4);
const fmt = (n) => (n === null ? '—' : n.toLocaleString('en-US'));
const TOLERANCE = 0.1;
const diff = (r) => Number(r.sim) / Number(r.evm) - 1;
const pct = (r) => `${(diff(r) * 100).toFixed(1).replace(/^(?!-)/, '+').replace(/^-0\.0$/, '+0.0')} %`;

// The generated tables, each between '<!-- gas.js: NAME -->' and '<!-- gas.js: end -->'.
function tables(rows) {
  const comparison = ['| call | EVM (anvil) | simulated chain | difference |', '|---|---:|---:|---:|'];
  const costs = ['| call | gas | ETH at 30 gwei |', '|---|---:|---:|'];
  for (const r of rows) {
    comparison.push(`| ${r.label} | ${fmt(r.evm)} | ${fmt(r.sim)} | ${pct(r)} |`);
    costs.push(`| ${r.label} | ${fmt(r.evm)} | ${gwei30(r.evm)} |`);
  }
  const keys = ['base', 'calldata', 'sload', 'sstore', 'keccak', 'log', 'calls', 'other', 'refund'];
  const breakdown = [`| call | ${keys.join(' | ')} |`, `|---|${keys.map(() => '---:').join('|')}|`];
  for (const r of rows) breakdown.push(`| ${r.label} | ${keys.map((k) => r.parts[k].toLocaleString('en-US')).join(' | ')} |`);
  return { comparison: comparison.join('\n'), breakdown: breakdown.join('\n'), costs: costs.join('\n') };
}

const DOCS = {
  [path.join(ROOT_DOCS, 'gas.md')]: ['comparison', 'breakdown'],
  [path.join(ROOT_DOCS, 'contracts.md')]: ['costs'],
};
const END_MARK = '<!-- gas.js: end -->';

// The document with its generated tables replaced by t's.
function regenerate(file, names, t) {
  let doc = fs.readFileSync(file, 'utf8');
  for (const name of names) {
    const begin = `<!-- gas.js: ${name} -->`;
    const a = doc.indexOf(begin);
    const b = doc.indexOf(END_MARK, a);
    if (a < 0 || b < 0) throw new Error(`${file} has no "${begin}" ... "${END_MARK}" markers`);
    doc = `${doc.slice(0, a + begin.length)}\n${t[name]}\n${doc.slice(b)}`;
  }
  return doc;
}

async function main() {
  const mode = process.argv[2];
  const rows = await measure();
  if (mode === '--json') {
    const all = rows.map((r) => ({ call: r.label, contract: Number(r.evm), simulated: Number(r.sim), contract_parts: r.parts }));
    console.log(JSON.stringify(all, null, 1));
    return;
  }
  const t = tables(rows);
  if (mode !== '--write' && mode !== '--check') {
    console.log(`${t.comparison}\n\n${t.breakdown}\n\n${t.costs}`);
    return;
  }
  const stale = [];
  for (const [file, names] of Object.entries(DOCS)) {
    const fresh = regenerate(file, names, t);
    if (fresh === fs.readFileSync(file, 'utf8')) continue;
    if (mode === '--write') fs.writeFileSync(file, fresh);
    else stale.push(path.basename(file));
  }
  const off = rows.filter((r) => Math.abs(diff(r)) > TOLERANCE).map((r) => `${r.label} (${pct(r)})`);
  if (off.length) throw new Error(`simulated gas more than 10 % off the EVM's: ${off.join(', ')}`);
  if (stale.length) throw new Error(`the gas tables of ${stale.join(', ')} differ from this run: node test/gas.js --write`);
  console.log(mode === '--write' ? 'gas tables written' : 'gas tables match');
}

if (require.main === module) {
  main().catch((err) => {
    console.error(`gas: ${err.stack || err.message}`);
    process.exit(1);
  });
}

module.exports = { measure };
