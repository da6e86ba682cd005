// Where a transaction's gas went on the EVM, from anvil's opcode trace:
// intrinsic (21,000 + calldata), storage reads and writes, Keccak, logs,
// calls out (ETH and token transfers, ecrecover, with what the callee spent),
// and the rest (computation and memory), less the storage refund.
'use strict';

const { ethers } = require('ethers');

const CALLS = new Set(['CALL', 'STATICCALL', 'DELEGATECALL', 'CALLCODE']);

function category(op) {
  if (op === 'SLOAD') return 'sload';
  if (op === 'SSTORE') return 'sstore';
  if (op === 'KECCAK256') return 'keccak';
  if (op.startsWith('LOG')) return 'log';
  return 'other';
}

async function breakdown(rpc, hash) {
  const [tx, receipt, trace] = await rpc.all([
    ['eth_getTransactionByHash', [hash]],
    ['eth_getTransactionReceipt', [hash]],
    ['debug_traceTransaction', [hash, { disableStack: true, disableStorage: true, enableMemory: false }]],
  ]);
  const data = ethers.getBytes(tx.input);
  const zeros = data.filter((b) => b === 0).length;
  const out = { base: 21000, calldata: 4 * zeros + 16 * (data.length - zeros), sload: 0, sstore: 0, keccak: 0, log: 0, calls: 0, other: 0 };
  const logs = trace.structLogs;
  const reads = { cold: 0, warm: 0 };
  for (let i = 0; i < logs.length; i++) {
    const l = logs[i];
    if (l.depth !== 1) continue; // a callee's steps count with its call
    if (CALLS.has(l.op)) {
      let j = i + 1;
      while (j < logs.length && logs[j].depth !== 1) j++;
      out.calls += j < logs.length ? l.gas - logs[j].gas : l.gasCost;
      continue;
    }
    out[category(l.op)] += l.gasCost;
    if (l.op === 'SLOAD') reads[l.gasCost > 100 ? 'cold' : 'warm']++;
  }
  const used = Number(BigInt(receipt.gasUsed));
  const spent = Object.values(out).reduce((a, b) => a + b, 0);
  out.refund = used - spent; // negative: storage cleared
  out.total = used;
  out.reads = reads;
  return out;
}

module.exports = { breakdown };
