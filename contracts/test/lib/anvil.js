// anvil, the development EVM, for the contract tests: a fresh chain per use on
// a loopback port it picks itself (--port 0, read back from its "Listening
// on" line), chain id 31337, base fee and gas price 0 (balances
// compare exactly), a fixed genesis time and explicit block timestamps.
'use strict';

const path = require('node:path');
const { ethers } = require('ethers');
const { Rpc, RpcError } = require('./rpc');
const { startDaemon, sleep } = require('./proc');

const ANVIL = path.join(__dirname, '..', '..', 'node_modules', '.bin', 'anvil');
const OUT = path.join(__dirname, '..', '..', 'out');
const HARDFORK = 'prague';
const GAS = 16_000_000; // every transaction's gas limit (under prague's per-tx cap)

function artifact(name) {
  return require(path.join(OUT, `${name}.json`));
}

// The ten development accounts of PROTOCOL §8 (anvil's default mnemonic).
const DEV_KEYS = [
  '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
  '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
  '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a',
  '0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6',
  '0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a',
  '0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba',
  '0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e',
  '0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356',
  '0xdbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97',
  '0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6',
];
const DEV_ADDRS = DEV_KEYS.map((k) => new ethers.Wallet(k).address.toLowerCase());

const hex = (n) => ethers.toQuantity(n);

// A revert refused the call: err names the custom error (null when the data is
// not one of the contract's errors), data is the raw revert data.
class Reverted extends Error {
  constructor(err, data) {
    super(`reverted: ${err || data}`);
    this.err = err;
    this.data = data;
  }
}

class Anvil {
  constructor(rpc, stop, genesis) {
    this.rpc = rpc;
    this.stopDaemon = stop;
    this.time = genesis; // timestamp of the latest block
  }

  // steps: record opcode steps, for debug_traceTransaction (slower).
  static async start({ genesis = 1_700_000_000, steps = false } = {}) {
    const args = ['--port', '0', '--host', '127.0.0.1', '--chain-id', '31337', '--base-fee', '0',
      '--gas-price', '0', '--timestamp', String(genesis), '--hardfork', HARDFORK, '--accounts', '10'];
    if (steps) args.push('--steps-tracing');
    // The port comes from this anvil's own output: a port chosen beforehand
    // could be taken by another process (another test's anvil, which would
    // answer the probe as well) before anvil binds it.
    let rpc = null;
    const ready = async (log) => {
      if (!rpc) {
        const m = /Listening on 127\.0\.0\.1:(\d+)/.exec(log);
        if (!m) return false;
        rpc = new Rpc(`http://127.0.0.1:${m[1]}`);
      }
      return (await rpc.call('eth_chainId')) === '0x7a69';
    };
    let stop;
    try {
      ({ stop } = await startDaemon('anvil', ANVIL, args, ready));
    } catch (err) {
      if (rpc) rpc.close();
      throw err;
    }
    const node = new Anvil(rpc, stop, genesis);
    await rpc.call('evm_setAutomine', [true]);
    return node;
  }

  async stop() {
    this.rpc.close();
    await this.stopDaemon();
  }

  // Sends a transaction mined at timestamp ts (default: one second after the
  // last block). Returns the receipt; a revert throws Reverted.
  async send({ from, to, data = '0x', value = 0n }, ts = this.time + 1) {
    await this.rpc.call('evm_setNextBlockTimestamp', [hex(ts)]);
    const tx = { from, to, data, value: hex(value), gas: hex(GAS), gasPrice: '0x0' };
    let hash;
    try {
      hash = await this.rpc.call('eth_sendTransaction', [tx]);
    } catch (err) {
      throw asReverted(err);
    }
    const receipt = await this.receipt(hash);
    this.time = ts;
    if (receipt.status !== '0x1') throw new Error(`transaction ${hash} failed`);
    return receipt;
  }

  // Automining answers with the hash, and the receipt may come a moment later.
  async receipt(hash) {
    for (let waited = 0; ; waited += 5) {
      const r = await this.rpc.call('eth_getTransactionReceipt', [hash]);
      if (r) return r;
      if (waited > 30000) throw new Error(`no receipt for ${hash}`);
      await sleep(5);
    }
  }

  // Runs a call as the next block at timestamp ts would, changing nothing.
  async dryRun({ from, to, data = '0x', value = 0n }, ts = this.time + 1) {
    const tx = { from, to, data, value: hex(value), gas: hex(GAS), gasPrice: '0x0' };
    try {
      return await this.rpc.call('eth_call', [tx, 'latest', {}, { time: hex(ts) }]);
    } catch (err) {
      throw asReverted(err);
    }
  }

  async deploy(name, args, from = DEV_ADDRS[0], ts = undefined) {
    const a = artifact(name);
    const factory = new ethers.ContractFactory(a.abi, a.bytecode);
    const { data } = await factory.getDeployTransaction(...args);
    const receipt = await this.send({ from, data }, ts);
    return new ethers.Contract(receipt.contractAddress, a.abi);
  }

  async balance(addr) {
    return BigInt(await this.rpc.call('eth_getBalance', [addr, 'latest']));
  }
}

function asReverted(err) {
  if (!(err instanceof RpcError) || typeof err.data !== 'string') return err;
  return new Reverted(null, err.data);
}

module.exports = { Anvil, Reverted, DEV_KEYS, DEV_ADDRS, artifact, GAS };
