#!/usr/bin/env node
// Writes abi-encoding.json: vectors for the C eth library made by an
// independent encoder (ethers, as pinned in contracts/package-lock.json).
//   node tests/vectors/gen-abi-encoding.js [OUT]   (default: next to this file)
// Node 18 or newer, CommonJS. The output is deterministic: running it again
// must give the committed file byte for byte (a test checks that).
'use strict';

const path = require('node:path');
const fs = require('node:fs');

const root = path.resolve(__dirname, '..', '..');
const ethers = require(path.join(root, 'contracts', 'node_modules', 'ethers'));
const { AbiCoder, Interface, Transaction, Wallet, getCreateAddress, hexlify } = ethers;

const coder = AbiCoder.defaultAbiCoder();
const MAX = (1n << 256n) - 1n;

// Deterministic filler bytes: byte i of a string seeded by `seed`.
function bytes(len, seed) {
  const out = new Uint8Array(len);
  for (let i = 0; i < len; i++) out[i] = (seed * 31 + i * 7 + 1) & 0xff;
  return hexlify(out);
}

// §9 with the views of docs/inflight.md, indexed parameters as §9 fixes them.
const ABI = [
  'function deposit(address token, uint256 amount) payable',
  'function submitBlock(bytes32 root)',
  'function startStandardExit(uint256 utxoPos, bytes tx, bytes proof) payable',
  'function challengeStandardExit(uint256 exitId, bytes challengeTx, uint256 inputIndex)',
  'function startInFlightExit(bytes tx, bytes[] inputTxs, uint256[] inputUtxoPos, bytes[] inputProofs) payable',
  'function piggybackInFlightExitOnInput(bytes tx, uint256 inputIndex) payable',
  'function piggybackInFlightExitOnOutput(bytes tx, uint256 outputIndex) payable',
  'function challengeInFlightExitNotCanonical(bytes tx, uint256 inputIndex, bytes competingTx, uint256 competingInputIndex, uint256 competitorPos, bytes competitorProof)',
  'function respondToNonCanonicalChallenge(bytes tx, uint256 txPos, bytes proof)',
  'function challengeInFlightExitInputSpent(bytes tx, uint256 inputIndex, bytes spendingTx, uint256 spendingInputIndex)',
  'function challengeInFlightExitOutputSpent(bytes tx, uint256 outputUtxoPos, bytes proof, bytes spendingTx, uint256 spendingInputIndex)',
  'function deleteNonPiggybackedInFlightExit(uint256 ifeId)',
  'function processExits(address token, uint256 maxExits)',
  'function withdraw(address token)',
  'function operator() view returns (address)',
  'function minExitPeriod() view returns (uint256)',
  'function exitBond() view returns (uint256)',
  'function ifeBond() view returns (uint256)',
  'function piggybackBond() view returns (uint256)',
  'function nextChildBlock() view returns (uint256)',
  'function nextDepositBlock() view returns (uint256)',
  'function blocks(uint256) view returns (bytes32 root, uint256 timestamp)',
  'function exits(uint256 exitId) view returns (address owner, address token, uint256 amount, uint256 exitableAt, bytes32 outputId, uint8 state, bool queued)',
  'function inFlightExits(uint256 ifeId) view returns (uint256 exitableAt, uint256 start, uint256 youngest, uint256 oldestCompetitor, address bondOwner, bool canonical, uint8 inputsPiggybacked, uint8 outputsPiggybacked, uint8 nInputs, uint8 nOutputs, uint8 pendingTokens, uint8 exitPath)',
  'function finalized(bytes32 outputId) view returns (uint256)',
  'function queueLength(address token) view returns (uint256)',
  'function queueHead(address token) view returns (uint256 exitableAt, uint256 exitId)',
  'function withdrawable(address owner, address token) view returns (uint256)',
  'function domainSeparator() view returns (bytes32)',
  'function inFlightExitInput(uint256 ifeId, uint256 index) view returns (bytes32 outputId, address owner, address token, uint256 amount)',
  'function inFlightExitOutput(uint256 ifeId, uint256 index) view returns (bytes32 outputId, address owner, address token, uint256 amount)',
  'event DepositCreated(address indexed depositor, uint256 indexed blknum, address indexed token, uint256 amount)',
  'event BlockSubmitted(uint256 indexed blknum, bytes32 root, uint256 timestamp)',
  'event ExitStarted(address indexed owner, uint256 indexed exitId, address token, uint256 amount)',
  'event ExitChallenged(uint256 indexed exitId, address challenger)',
  'event ExitFinalized(uint256 indexed exitId)',
  'event InFlightExitStarted(address indexed initiator, uint256 indexed ifeId, bytes32 txhash)',
  'event InFlightExitInputPiggybacked(address indexed owner, uint256 indexed ifeId, uint256 index)',
  'event InFlightExitOutputPiggybacked(address indexed owner, uint256 indexed ifeId, uint256 index)',
  'event InFlightExitChallenged(address indexed challenger, uint256 indexed ifeId, uint256 position)',
  'event InFlightExitChallengeResponded(address indexed responder, uint256 indexed ifeId, uint256 txPos)',
  'event InFlightExitInputBlocked(address indexed challenger, uint256 indexed ifeId, uint256 index)',
  'event InFlightExitOutputBlocked(address indexed challenger, uint256 indexed ifeId, uint256 index)',
  'event InFlightExitInputWithdrawn(uint256 indexed ifeId, uint256 index)',
  'event InFlightExitOutputWithdrawn(uint256 indexed ifeId, uint256 index)',
  'event InFlightExitFinalized(uint256 indexed ifeId)',
  'event InFlightExitDeleted(uint256 indexed ifeId)',
  'event PaymentDeferred(address indexed owner, address indexed token, uint256 amount)',
  'event Withdrawal(address indexed owner, address indexed token, uint256 amount)',
  'error BadBond()',
  'error ExitExists()',
  'error NotOperator()',
  'error OutputFinalized()',
  'error AmountsDoNotAddUp()',
];
const iface = new Interface(ABI);

const A1 = '0x70997970c51812dc3a010c7d01b50e0d17dc79c8';
const A2 = '0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc';
const ZERO = '0x0000000000000000000000000000000000000000';
const FF = '0xffffffffffffffffffffffffffffffffffffffff';
const IFE_ID = (1n << 255n) | 0x1234n;
const H = (s) => bytes(32, s);

// Calls: every function and view at least once, with edge values: empty
// bytes, lengths that are and are not multiples of 32, empty and 4-item
// arrays, 0 and 2^256 - 1.
const CALLS = [
  ['deposit', [ZERO, 1000000000000000000n]],
  ['deposit', [FF, MAX]],
  ['submitBlock', [H(1)]],
  ['startStandardExit', [1000000000000n, bytes(148, 2), bytes(512, 3)]],
  ['startStandardExit', [0n, '0x', '0x']],
  ['startStandardExit', [MAX, bytes(32, 4), bytes(64, 5)]],
  ['challengeStandardExit', [2000000010001n, bytes(1, 6), 3n]],
  ['startInFlightExit', [bytes(200, 7), [], [], []]],
  ['startInFlightExit', [
    bytes(333, 8),
    [bytes(100, 9), '0x', bytes(32, 10), bytes(65, 11)],
    [1000000000000n, 0n, MAX, 3000000020003n],
    [bytes(512, 12), bytes(512, 13), '0x', bytes(31, 14)],
  ]],
  ['startInFlightExit', [bytes(64, 15), [bytes(3, 16)], [1n, 2n], []]],
  ['piggybackInFlightExitOnInput', [bytes(120, 17), 0n]],
  ['piggybackInFlightExitOnOutput', [bytes(96, 18), 3n]],
  ['challengeInFlightExitNotCanonical', [bytes(150, 19), 1n, bytes(151, 20), 2n, 0n, '0x']],
  ['challengeInFlightExitNotCanonical', [bytes(64, 21), 0n, bytes(64, 22), 3n, 5000000000000n, bytes(512, 23)]],
  ['respondToNonCanonicalChallenge', [bytes(140, 24), 4000000000000n, bytes(512, 25)]],
  ['challengeInFlightExitInputSpent', [bytes(130, 26), 2n, bytes(131, 27), 0n]],
  ['challengeInFlightExitOutputSpent', [bytes(129, 28), 6000000000001n, bytes(512, 29), bytes(127, 30), 1n]],
  ['deleteNonPiggybackedInFlightExit', [IFE_ID]],
  ['deleteNonPiggybackedInFlightExit', [MAX]],
  ['processExits', [ZERO, 10n]],
  ['processExits', [A1, MAX]],
  ['withdraw', [A2]],
  ['operator', []],
  ['minExitPeriod', []],
  ['exitBond', []],
  ['ifeBond', []],
  ['piggybackBond', []],
  ['nextChildBlock', []],
  ['nextDepositBlock', []],
  ['blocks', [1000n]],
  ['exits', [1000000000000n]],
  ['inFlightExits', [IFE_ID]],
  ['finalized', [H(31)]],
  ['queueLength', [ZERO]],
  ['queueHead', [A1]],
  ['withdrawable', [A1, A2]],
  ['domainSeparator', []],
  ['inFlightExitInput', [IFE_ID, 3n]],
  ['inFlightExitOutput', [MAX, 0n]],
];

// JSON form of a value of a type: uints as decimal strings, bytes and
// addresses as lowercase hex, arrays as arrays, bools as true/false.
function jsonValue(type, v) {
  if (type.endsWith('[]')) return v.map((x) => jsonValue(type.slice(0, -2), x));
  if (type.startsWith('uint')) return BigInt(v).toString();
  if (type === 'bool') return Boolean(v);
  return String(v).toLowerCase();
}

function calls() {
  return CALLS.map(([name, args]) => {
    const f = iface.getFunction(name);
    return {
      signature: f.format('sighash'),
      args: f.inputs.map((p, i) => jsonValue(p.type, args[i])),
      calldata: iface.encodeFunctionData(f, args),
    };
  });
}

const RETURNS = [
  ['operator', [A1]],
  ['minExitPeriod', [604800n]],
  ['exitBond', [23300000000000000n]],
  ['ifeBond', [37000000000000000n]],
  ['piggybackBond', [28000000000000000n]],
  ['nextChildBlock', [3000n]],
  ['nextDepositBlock', [2001n]],
  ['blocks', [H(40), 1700000000n]],
  ['blocks', ['0x' + '00'.repeat(32), 0n]],
  ['exits', [A1, ZERO, 1000000000000000000n, 1700604800n, H(41), 1n, true]],
  ['exits', [FF, FF, MAX, (1n << 64n) - 1n, H(42), 4n, false]],
  ['inFlightExits', [1701209600n, 1700000000n, 2000000010002n, MAX, A2, false, 5n, 10n, 3n, 4n, 2n, 1n]],
  ['inFlightExits', [0n, 0n, 0n, 0n, ZERO, false, 0n, 0n, 0n, 0n, 0n, 0n]],
  ['finalized', [IFE_ID]],
  ['queueLength', [7n]],
  ['queueHead', [1700604800n, IFE_ID]],
  ['withdrawable', [MAX]],
  ['domainSeparator', [H(43)]],
  ['inFlightExitInput', [H(44), A1, ZERO, 5n]],
  ['inFlightExitOutput', [H(45), A2, FF, MAX]],
];

function returns() {
  return RETURNS.map(([name, values]) => {
    const f = iface.getFunction(name);
    const types = f.outputs.map((p) => p.type);
    return {
      signature: f.format('sighash'),
      types: types.join(','),
      values: types.map((t, i) => jsonValue(t, values[i])),
      data: iface.encodeFunctionResult(f, values),
    };
  });
}

const EVENTS = [
  ['DepositCreated', [A1, 2001n, ZERO, 1000000000000000000n]],
  ['DepositCreated', [FF, (1n << 64n) - 1n, A2, MAX]],
  ['BlockSubmitted', [1000n, H(50), 1700000000n]],
  ['ExitStarted', [A1, 1000000000000n, ZERO, 25n]],
  ['ExitChallenged', [2000000000000n, A2]],
  ['ExitFinalized', [MAX]],
  ['InFlightExitStarted', [A2, IFE_ID, H(51)]],
  ['InFlightExitInputPiggybacked', [A1, IFE_ID, 0n]],
  ['InFlightExitOutputPiggybacked', [A2, IFE_ID, 3n]],
  ['InFlightExitChallenged', [A1, IFE_ID, MAX]],
  ['InFlightExitChallengeResponded', [A2, IFE_ID, 4000000000000n]],
  ['InFlightExitInputBlocked', [A1, IFE_ID, 1n]],
  ['InFlightExitOutputBlocked', [A2, IFE_ID, 2n]],
  ['InFlightExitInputWithdrawn', [IFE_ID, 3n]],
  ['InFlightExitOutputWithdrawn', [IFE_ID, 0n]],
  ['InFlightExitFinalized', [IFE_ID]],
  ['InFlightExitDeleted', [IFE_ID]],
  ['PaymentDeferred', [A1, ZERO, 7n]],
  ['Withdrawal', [A2, FF, MAX]],
];

function events() {
  return EVENTS.map(([name, values]) => {
    const ev = iface.getEvent(name);
    const log = iface.encodeEventLog(ev, values);
    return {
      signature: ev.format('sighash'),
      fields: ev.inputs.map((p, i) => ({ name: p.name, type: p.type, value: jsonValue(p.type, values[i]) })),
      topics: log.topics,
      data: log.data,
    };
  });
}

function reverts() {
  const out = ['BadBond', 'ExitExists', 'NotOperator', 'OutputFinalized', 'AmountsDoNotAddUp'].map((name) => ({
    name,
    reason: '',
    data: iface.encodeErrorResult(name, []),
  }));
  out.push({ name: 'Error', reason: 'plain reason', data: iface.encodeErrorResult('Error', ['plain reason']) });
  out.push({ name: 'Error', reason: '', data: iface.encodeErrorResult('Error', ['']) });
  out.push({ name: 'Panic', reason: '0x11 arithmetic overflow', data: iface.encodeErrorResult('Panic', [0x11]) });
  out.push({ name: 'Panic', reason: '0x12 division by zero', data: iface.encodeErrorResult('Panic', [0x12]) });
  return out;
}

// PROTOCOL §8 development keys 0 and 1.
const KEYS = [
  '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
  '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
];

const TXS = [
  { key: 0, chainId: 31337n, nonce: 0, maxPriorityFeePerGas: 1000000000n, maxFeePerGas: 3000000000n,
    gasLimit: 21000n, to: A1, value: 1000000000000000000n, data: '0x' },
  { key: 1, chainId: 1n, nonce: 1234567, maxPriorityFeePerGas: 0n, maxFeePerGas: 1n,
    gasLimit: 30000000n, to: '0x5fbdb2315678afecb367f032d93f642f64180aa3', value: 23300000000000000n,
    data: iface.encodeFunctionData('startStandardExit', [1000000000000n, bytes(148, 2), bytes(512, 3)]) },
  { key: 0, chainId: 31337n, nonce: 0, maxPriorityFeePerGas: 2000000000n, maxFeePerGas: 100000000000n,
    gasLimit: 5000000n, to: null, value: 0n, data: bytes(300, 60) },
  { key: 1, chainId: 31337n, nonce: 127, maxPriorityFeePerGas: MAX, maxFeePerGas: MAX,
    gasLimit: (1n << 64n) - 1n, to: ZERO, value: MAX, data: '0x00' },
];

function transactions() {
  return TXS.map((t) => {
    const wallet = new Wallet(KEYS[t.key]);
    const tx = Transaction.from({
      type: 2, chainId: t.chainId, nonce: t.nonce, maxPriorityFeePerGas: t.maxPriorityFeePerGas,
      maxFeePerGas: t.maxFeePerGas, gasLimit: t.gasLimit, to: t.to, value: t.value, data: t.data, accessList: [],
    });
    tx.signature = wallet.signingKey.sign(tx.unsignedHash);
    return {
      key: KEYS[t.key],
      from: wallet.address.toLowerCase(),
      chain_id: t.chainId.toString(),
      nonce: String(t.nonce),
      max_priority_fee: t.maxPriorityFeePerGas.toString(),
      max_fee: t.maxFeePerGas.toString(),
      gas_limit: t.gasLimit.toString(),
      to: t.to === null ? null : t.to.toLowerCase(),
      value: t.value.toString(),
      data: t.data,
      signing_hash: tx.unsignedHash,
      raw: tx.serialized,
      hash: tx.hash,
    };
  });
}

function createAddresses() {
  const from = '0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266';
  return [0, 1, 127, 128, 255, 256, 65535, 65536, 4294967296].map((nonce) => ({
    from,
    nonce: String(nonce),
    address: getCreateAddress({ from, nonce }).toLowerCase(),
  }));
}

const out = {
  about: 'ABI encodings, revert data, EIP-1559 transactions and contract addresses for eth/, ' +
    'from ethers ' + ethers.version + ' (tests/vectors/gen-abi-encoding.js). Integers are decimal strings.',
  calls: calls(),
  returns: returns(),
  events: events(),
  reverts: reverts(),
  transactions: transactions(),
  create_addresses: createAddresses(),
};
const file = process.argv[2] || path.join(__dirname, 'abi-encoding.json');
fs.writeFileSync(file, JSON.stringify(out, null, 1) + '\n');
