#!/usr/bin/env node
// Compiles EthProbe.sol with the pinned solc (contracts/node_modules) and
// writes its creation bytecode as hex to EthProbe.bin, or, with --check,
// exits 1 unless the committed EthProbe.bin is what the source compiles to.
// Node 18 or newer, CommonJS.
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..', '..', '..');
const solc = require(path.join(root, 'contracts', 'node_modules', 'solc'));

function compile() {
  const input = {
    language: 'Solidity',
    sources: { 'EthProbe.sol': { content: fs.readFileSync(path.join(__dirname, 'EthProbe.sol'), 'utf8') } },
    settings: {
      optimizer: { enabled: false },
      evmVersion: 'cancun',
      // No metadata hash in the bytecode: the same source gives the same bytes anywhere.
      metadata: { bytecodeHash: 'none', appendCBOR: false },
      outputSelection: { 'EthProbe.sol': { EthProbe: ['evm.bytecode.object'] } },
    },
  };
  const out = JSON.parse(solc.compile(JSON.stringify(input)));
  const errors = (out.errors || []).filter((e) => e.severity === 'error');
  if (errors.length) {
    for (const e of errors) process.stderr.write(e.formattedMessage + '\n');
    process.exit(2);
  }
  return '0x' + out.contracts['EthProbe.sol'].EthProbe.evm.bytecode.object + '\n';
}

const bin = path.join(__dirname, 'EthProbe.bin');
const hex = compile();
if (process.argv[2] === '--check') {
  const committed = fs.readFileSync(bin, 'utf8');
  if (committed !== hex) {
    process.stderr.write('EthProbe.bin is not what EthProbe.sol compiles to: run node ' +
      path.relative(root, __filename) + '\n');
    process.exit(1);
  }
  process.stdout.write('EthProbe.bin matches EthProbe.sol (solc ' + solc.version() + ')\n');
} else {
  fs.writeFileSync(bin, hex);
}
