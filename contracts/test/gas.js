#!/usr/bin/env node
// The gas table: each call kind on representative states, run on both the
// simulated chain (its metered gas) and the contract on anvil (gasUsed), the
// same calls at the same timestamps. In-flight exits run on the contract
// alone (the simulated chain has them; this table does not measure them
// there yet).
//   node test/gas.js            print the tables (markdown)
//   node test/gas.js --json     print the figures as JSON
//   node test/gas.js --write    put the tables into docs/gas.md and docs/contracts.md
//   node test/gas.js --check    fail when those tables differ from a fresh run
// The breakdown of the contract's gas (intrinsic, storage, Keccak, logs,
// calls, the rest) comes from anvil's opcode traces.
// PLASMA_ROOTCHAIN names the plasma-rootchain binary.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { ethers } = require('ethers');
const { Twin } = require('./lib/twin');
const { World } = require('./lib/world');
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

// Standard calls on both chains: [label, call] in order, each on the state the
// ones before it left.
async function standardRows() {
  const twin = await Twin.start(CONFIG);
  const rows = [];
  const token = twin.token;
  const dep = []; // {tx, pos, unsigned, proof}
  const run = async (label, call, row = true) => {
    const out = await twin.apply({ ...call, label });
    if (out.err) throw new Error(`${label}: ${out.err}`);
    const g = twin.gas[twin.gas.length - 1];
    if (row) rows.push({ label, evm: g.evm, sim: g.sim, parts: await breakdown(twin.evm.rpc, g.hash) });
  };
  const deposit = async (label, i, t, amount, row = true) => {
    const blknum = BigInt((await twin.sim.status()).next_deposit_block);
    await run(label, { from: A(i), kind: 'deposit', args: [t, amount], value: t === P.ETH ? amount : 0n }, row);
    const tx = P.depositTx(A(i), t, amount);
    const unsigned = P.encodeUnsigned(tx);
    dep.push({ tx, pos: P.pos(blknum), unsigned, proof: new P.Tree([unsigned]).proof(0), owner: i });
  };
  const exit = (label, i, pos, unsigned, proof, row = true) =>
    run(label, { from: A(i), kind: 'startStandardExit', args: [pos, unsigned, proof], value: CONFIG.exitBond }, row);
  const exitDeposit = (label, d, row = true) => exit(label, d.owner, d.pos, d.unsigned, d.proof, row);
  try {
    await deposit('deposit ETH', 1, P.ETH, ONE);
    await deposit('', 2, P.ETH, 2n * ONE, false);
    await deposit('deposit token, the contract\'s first of it', 3, token, 1000n);
    await deposit('deposit token', 4, token, 2000n);
    for (let i = 0; i < 5; i++) await deposit('', 5 + (i % 3), P.ETH, ONE, false);

    // A block of 3 payments spending deposits.
    const spends = [0, 1, 4].map((k) => P.sign(P.tx({
      inputs: [dep[k].pos],
      outputs: [{ owner: A(6), amount: dep[k].tx.outputs[0].amount / 2n }, { owner: A(dep[k].owner), amount: dep[k].tx.outputs[0].amount / 2n }],
    }), [DEV_KEYS[dep[k].owner]]));
    const tree = new P.Tree(spends.map(P.encodeUnsigned));
    await run('submitBlock after deposits', { from: A(0), kind: 'submitBlock', args: [tree.root] });
    await run('submitBlock, none since', { from: A(0), kind: 'submitBlock', args: [ethers.keccak256('0x01')] });

    await exitDeposit('startStandardExit, token deposit, the queue\'s first', dep[2]);
    await exitDeposit('startStandardExit, ETH deposit, the queue\'s first', dep[1]);
    for (let k = 5; k < 8; k++) await exitDeposit('', dep[k], false);
    await exit('startStandardExit, block output, 4 queued', 6, P.pos(1000, 0, 0), P.encodeUnsigned(spends[0]), tree.proof(0));
    await exit('startStandardExit, block output, 5 queued', 6, P.pos(1000, 2, 0), P.encodeUnsigned(spends[2]), tree.proof(2));

    const challengeTx = P.sign(P.tx({ inputs: [dep[1].pos], outputs: [{ owner: A(7), amount: ONE }] }), [DEV_KEYS[2]]);
    await run('challengeStandardExit', { from: A(8), kind: 'challengeStandardExit', args: [dep[1].pos, P.encodeSigned(challengeTx), 0n] });

    await run('processExits, empty queue', { from: A(8), kind: 'processExits', args: ['0x7777777777777777777777777777777777777777', 10n] });
    await run('processExits, head not yet exitable', { from: A(8), kind: 'processExits', args: [P.ETH, 10n] });
    await twin.advance(Number(3n * CONFIG.minExitPeriod));
    await run('processExits, a token exit', { from: A(8), kind: 'processExits', args: [token, 10n] });
    await run('processExits, 1 challenged exit dropped', { from: A(8), kind: 'processExits', args: [P.ETH, 1n] });
    await run('processExits, 1 ETH exit of 5', { from: A(8), kind: 'processExits', args: [P.ETH, 1n] });
    await run('processExits, 3 ETH exits of 4', { from: A(8), kind: 'processExits', args: [P.ETH, 3n] });
    await run('processExits, the last ETH exit', { from: A(8), kind: 'processExits', args: [P.ETH, 3n] });
  } finally {
    await twin.stop();
  }
  return rows;
}

// In-flight exits on the contract alone.
async function inFlightRows() {
  const w = await World.create({ minExitPeriod: CONFIG.minExitPeriod, steps: true });
  const rows = [];
  const run = async (label, who, method, args, value = 0n) => {
    const r = await w.call(who, method, args, { value });
    rows.push({ label, evm: r.gasUsed, sim: null, parts: await breakdown(w.node.rpc, r.receipt.transactionHash) });
    return r;
  };
  try {
    const dA = await w.deposit(1, P.ETH, 10n * ONE);
    const dB = await w.deposit(2, w.token, 100n);
    const a0 = w.sign(P.tx({ inputs: [dA.pos], outputs: [{ owner: A(3), amount: 4n * ONE }, { owner: A(1), amount: 6n * ONE }] }), [1]);
    const b1 = await w.submitBlock([a0]);
    // One input, one output; then two inputs in two tokens.
    const T1 = w.sign(P.tx({ inputs: [b1.pos(0, 1)], outputs: [{ owner: A(4), amount: 6n * ONE }] }), [1]);
    await run('startInFlightExit, 1 input', 5, 'startInFlightExit', [P.encodeSigned(T1), [b1.unsigned(0)], [b1.pos(0, 1)], [b1.proof(0)]], w.cfg.ifeBond);
    const T = w.sign(P.tx({
      inputs: [b1.pos(0, 0), dB.pos],
      outputs: [{ owner: A(2), amount: 4n * ONE }, { owner: A(3), token: w.token, amount: 100n }],
    }), [3, 2]);
    const tx = P.encodeSigned(T);
    await run('startInFlightExit, 2 inputs', 4, 'startInFlightExit', [tx, [b1.unsigned(0), dB.unsigned], [b1.pos(0, 0), dB.pos], [b1.proof(0), dB.proof]], w.cfg.ifeBond);
    const pb = w.cfg.piggybackBond;
    await run('piggybackInFlightExitOnInput, a token\'s first', 3, 'piggybackInFlightExitOnInput', [tx, 0], pb);
    await run('piggybackInFlightExitOnOutput, same token', 2, 'piggybackInFlightExitOnOutput', [tx, 0], pb);
    await run('piggybackInFlightExitOnOutput, a token\'s first', 3, 'piggybackInFlightExitOnOutput', [tx, 1], pb);
    await run('piggybackInFlightExitOnInput, same token', 2, 'piggybackInFlightExitOnInput', [tx, 1], pb);
    const c = w.sign(P.tx({ inputs: [b1.pos(0, 0)], outputs: [{ owner: A(5), amount: 4n * ONE }] }), [3]);
    const b2 = await w.submitBlock([T, c]);
    await run('challengeInFlightExitNotCanonical, never included', 6, 'challengeInFlightExitNotCanonical', [tx, 0, P.encodeSigned(c), 0, 0, '0x']);
    await run('challengeInFlightExitNotCanonical, included', 7, 'challengeInFlightExitNotCanonical', [tx, 0, P.encodeSigned(c), 0, b2.pos(1), b2.proof(1)]);
    await run('respondToNonCanonicalChallenge', 8, 'respondToNonCanonicalChallenge', [tx, b2.pos(0), b2.proof(0)]);
    const spendIn = w.sign(P.tx({ inputs: [dB.pos], outputs: [{ owner: A(6), token: w.token, amount: 100n }] }), [2]);
    await run('challengeInFlightExitInputSpent', 6, 'challengeInFlightExitInputSpent', [tx, 1, P.encodeSigned(spendIn), 0]);
    const spendOut = w.sign(P.tx({ inputs: [b2.pos(0, 0)], outputs: [{ owner: A(6), amount: ONE }] }), [2]);
    await run('challengeInFlightExitOutputSpent', 6, 'challengeInFlightExitOutputSpent', [tx, b2.pos(0, 0), b2.proof(0), P.encodeSigned(spendOut), 0]);
    w.advance(CONFIG.minExitPeriod / 2n);
    await run('deleteNonPiggybackedInFlightExit', 9, 'deleteNonPiggybackedInFlightExit', [P.ifeId(T1)]);
    w.advance(3n * CONFIG.minExitPeriod);
    await run('processExits, IFE through outputs: flags 2 inputs, returns 1 bond', 9, 'processExits', [P.ETH, 1]);
    await run('processExits, IFE, its last token: pays 1 output, 2 bonds, deletes it', 9, 'processExits', [w.token, 1]);
    // A payment deferred, then claimed.
    const f = await w.deposit(2, w.falseToken, 77n);
    await w.startExit(2, f);
    w.advance(CONFIG.minExitPeriod);
    await run('processExits, a token payout deferred', 9, 'processExits', [w.falseToken, 1]);
    const falseIface = new ethers.Interface(['function setRefusing(bool)']);
    await w.node.send({ from: A(0), to: w.falseToken, data: falseIface.encodeFunctionData('setRefusing', [false]) });
    await run('withdraw, a token claim', 2, 'withdraw', [w.falseToken]);
  } finally {
    await w.stop();
  }
  return rows;
}

const gwei30 = (gas) => (Number((gas * 30n * 10n ** 9n) / 10n ** 12n) / 1e6).toFixed(4);
const fmt = (n) => (n === null ? '—' : n.toLocaleString('en-US'));
const ratio = (r) => (r.sim === null ? '' : `${((Number(r.evm) / Number(r.sim) - 1) * 100).toFixed(0).replace(/^(?!-)/, '+')} %`);

// The generated tables, each between '<!-- gas.js: NAME -->' and '<!-- gas.js: end -->'.
function tables(rows) {
  const comparison = ['| call | contract (anvil) | simulated chain | contract vs simulated |', '|---|---:|---:|---:|'];
  const costs = ['| call | gas | ETH at 30 gwei |', '|---|---:|---:|'];
  for (const r of rows) {
    comparison.push(`| ${r.label} | ${fmt(r.evm)} | ${fmt(r.sim)} | ${ratio(r)} |`);
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
  const rows = [...(await standardRows()), ...(await inFlightRows())];
  if (mode === '--json') {
    const all = rows.map((r) => ({ call: r.label, contract: Number(r.evm), simulated: r.sim === null ? null : Number(r.sim), contract_parts: r.parts }));
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
  if (stale.length) throw new Error(`the gas tables of ${stale.join(', ')} differ from this run: node test/gas.js --write`);
  console.log(mode === '--write' ? 'gas tables written' : 'gas tables match');
}

main().catch((err) => {
  console.error(`gas: ${err.stack || err.message}`);
  process.exit(1);
});
