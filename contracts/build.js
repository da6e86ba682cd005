#!/usr/bin/env node
// Compiles the contracts with the pinned solc-js and writes each one's ABI and
// bytecode to out/<Name>.json.
//   node build.js           compile and write out/
//   node build.js --check   compile and fail if out/ differs from the fresh result
// The settings below are the whole configuration: the same sources give the
// same bytes on any machine (docs/contracts.md explains the choices).
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const solc = require('solc');

const ROOT = __dirname;
const OUT = path.join(ROOT, 'out');
const SOURCE_DIRS = ['src', 'src/lib', 'test'];
// Contracts written to out/ (libraries are internal and compiled into them).
const CONTRACTS = {
  'src/PlasmaRootChain.sol': 'PlasmaRootChain',
  'src/TestToken.sol': 'TestToken',
  'test/RevertingRecipient.sol': 'RevertingRecipient',
  'test/FalseToken.sol': 'FalseToken',
  'test/GasProbe.sol': 'GasProbe',
};
const SETTINGS = {
  optimizer: { enabled: true, runs: 200 },
  viaIR: true,
  evmVersion: 'cancun',
  metadata: { bytecodeHash: 'ipfs' },
  outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] } },
};
const EIP170_LIMIT = 24576; // the largest runtime code a chain accepts

function readSources() {
  const sources = {};
  for (const dir of SOURCE_DIRS) {
    for (const file of fs.readdirSync(path.join(ROOT, dir)).sort()) {
      if (!file.endsWith('.sol')) continue;
      const rel = `${dir}/${file}`;
      sources[rel] = { content: fs.readFileSync(path.join(ROOT, rel), 'utf8') };
    }
  }
  return sources;
}

function compile() {
  const input = { language: 'Solidity', sources: readSources(), settings: SETTINGS };
  const output = JSON.parse(solc.compile(JSON.stringify(input)));
  const problems = (output.errors || []).filter((e) => e.severity !== 'info');
  if (problems.length > 0) {
    for (const e of problems) console.error(e.formattedMessage);
    throw new Error(`solc reported ${problems.length} error(s) or warning(s)`);
  }
  const artifacts = {};
  for (const [source, name] of Object.entries(CONTRACTS)) {
    const c = output.contracts[source][name];
    const runtime = c.evm.deployedBytecode.object;
    if (runtime.length / 2 > EIP170_LIMIT) {
      throw new Error(`${name}: runtime code is ${runtime.length / 2} bytes, over the ${EIP170_LIMIT}-byte limit`);
    }
    artifacts[name] = {
      contractName: name,
      sourceName: source,
      compiler: { version: solc.version(), settings: { ...SETTINGS, outputSelection: undefined } },
      abi: c.abi,
      bytecode: `0x${c.evm.bytecode.object}`,
      deployedBytecode: `0x${runtime}`,
    };
  }
  return artifacts;
}

function serialize(artifact) {
  return `${JSON.stringify(artifact, null, 1)}\n`;
}

function main() {
  const check = process.argv.includes('--check');
  const artifacts = compile();
  const stale = [];
  for (const [name, artifact] of Object.entries(artifacts)) {
    const file = path.join(OUT, `${name}.json`);
    const text = serialize(artifact);
    const runtimeBytes = (artifact.deployedBytecode.length - 2) / 2;
    if (check) {
      const committed = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null;
      if (committed !== text) stale.push(path.relative(ROOT, file));
    } else {
      fs.mkdirSync(OUT, { recursive: true });
      fs.writeFileSync(file, text);
      console.log(`${name}: ${runtimeBytes} bytes of runtime code -> ${path.relative(ROOT, file)}`);
    }
  }
  if (stale.length > 0) {
    console.error(`out of date (run node build.js): ${stale.join(', ')}`);
    process.exit(1);
  }
  if (check) console.log(`out/ matches a fresh compile with solc ${solc.version()}`);
}

try {
  main();
} catch (err) {
  console.error(`build: ${err.message}`);
  process.exit(1);
}
