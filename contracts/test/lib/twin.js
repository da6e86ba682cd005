// Two chains, one exit game: the simulated root chain (plasma-rootchain) and
// PlasmaRootChain on anvil, set up alike and driven with the same calls at the
// same timestamps. After every call the two must agree on its outcome (the
// same error, or success with the same events), on every balance, exit, queue
// and block counter.
'use strict';

const assert = require('node:assert/strict');
const { ethers } = require('ethers');
const { Anvil, Reverted, DEV_ADDRS, artifact } = require('./anvil');
const { Sim, CONTRACT } = require('./sim');
const P = require('./plasma');

const GENESIS = 1_700_000_000; // the simulated chain's default genesis time
const SETUP_GENESIS = GENESIS - 10_000; // anvil's set-up blocks come before it
const TOKEN = '0xe7f1725e7734ce288f8367e1bb143e90bb3f0512'; // account 0's second deployment
const TOKEN_GRANT = 10n ** 24n;
const EXIT_STATES = { in_progress: 1n, challenged: 2n, finalized: 3n, superseded: 4n };

const snake = (name) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

class Twin {
  // cfg: {bin, minExitPeriod, exitBond, ifeBond, piggybackBond}
  static async start(cfg) {
    const sim = await Sim.start(cfg);
    let evm;
    try {
      evm = await Anvil.start({ genesis: SETUP_GENESIS, steps: Boolean(cfg.steps) });
    } catch (err) {
      await sim.stop();
      throw err;
    }
    const twin = new Twin(sim, evm, cfg);
    try {
      await twin.setup();
    } catch (err) {
      await twin.stop();
      throw err;
    }
    return twin;
  }

  constructor(sim, evm, cfg) {
    this.sim = sim;
    this.evm = evm;
    this.cfg = cfg;
    this.iface = new ethers.Interface(artifact('PlasmaRootChain').abi);
    this.tokenIface = new ethers.Interface(artifact('TestToken').abi);
    this.token = TOKEN;
    this.contract = CONTRACT;
    this.gas = []; // {kind, label, evm, sim} of every call both accepted
  }

  async stop() {
    await Promise.allSettled([this.sim.stop(), this.evm.stop()]);
  }

  // The contract at its development address, the token after it, and the
  // same token grants on both chains.
  async setup() {
    const c = this.cfg;
    const plasma = await this.evm.deploy('PlasmaRootChain', [c.minExitPeriod, c.exitBond, c.ifeBond, c.piggybackBond]);
    assert.equal(plasma.target.toLowerCase(), CONTRACT);
    const token = await this.evm.deploy('TestToken', ['Test', 'TST']);
    assert.equal(token.target.toLowerCase(), TOKEN);
    for (const a of DEV_ADDRS.slice(1)) {
      await this.evm.send({ from: DEV_ADDRS[0], to: TOKEN, data: this.tokenIface.encodeFunctionData('mint', [a, TOKEN_GRANT]) });
      await this.evm.send({ from: a, to: TOKEN, data: this.tokenIface.encodeFunctionData('approve', [CONTRACT, ethers.MaxUint256]) });
      await this.sim.mint(a, TOKEN, TOKEN_GRANT);
    }
    assert.ok(this.evm.time < this.sim.nextTimestamp);
    await this.compareState();
  }

  // Applies one call to both chains. Returns the agreed outcome
  // {err, events}; throws on any disagreement.
  async apply(call) {
    const { sim: simResult, evm: evmResult } = await this.applyBoth(call);
    const { kind, from } = call;
    const what = `${call.label || kind} from ${from}`;
    assert.equal(evmResult.err, simResult.err, `${what}: contract ${evmResult.err || 'ok'}, simulated chain ${simResult.err || 'ok'}`);
    if (simResult.err) return { err: simResult.err };
    assert.equal(this.evm.time, this.sim.head.timestamp, `${what}: block timestamps differ`);
    const simEvents = simResult.events.map((e) => this.simEvent(e));
    const evmEvents = evmResult.events.map((e) => this.evmEvent(e));
    assert.deepEqual(evmEvents, simEvents, `${what}: events differ`);
    this.gas.push({ kind, label: call.label || kind, evm: evmResult.gas, sim: simResult.gas, hash: evmResult.hash });
    return { err: null, events: evmEvents };
  }

  // Applies one call to both chains at the same timestamp; compares nothing.
  async applyBoth({ from, kind, args, value = 0n }) {
    const ts = this.sim.nextTimestamp;
    const sim = await this.sim.apply(from, kind, args, value);
    const evm = await this.evmApply(from, kind, args, value, ts);
    return { sim, evm };
  }

  async evmApply(from, kind, args, value, ts) {
    const req = { from, to: CONTRACT, data: this.iface.encodeFunctionData(kind, args), value };
    try {
      await this.evm.dryRun(req, ts);
    } catch (err) {
      if (!(err instanceof Reverted)) throw err;
      const parsed = this.iface.parseError(err.data);
      return { err: parsed ? parsed.name : `raw revert ${err.data}` };
    }
    const receipt = await this.evm.send(req, ts);
    const events = receipt.logs
      .filter((l) => l.address.toLowerCase() === CONTRACT)
      .map((l) => this.iface.parseLog(l));
    return { err: null, gas: BigInt(receipt.gasUsed), events, hash: receipt.transactionHash };
  }

  // Moves both chains' clocks: the next call's block comes that much later.
  async advance(seconds) {
    await this.sim.advance(seconds);
  }

  // An event as "Name(arg=value,…)" with the contract's argument names.
  evmEvent(ev) {
    return `${ev.name}(${ev.fragment.inputs.map((p) => `${p.name}=${norm(p.type, ev.args[p.name])}`).join(',')})`;
  }

  simEvent(e) {
    const frag = this.iface.getEvent(e.event);
    assert.ok(frag, `unknown event ${e.event}`);
    return `${e.event}(${frag.inputs.map((p) => `${p.name}=${norm(p.type, e[snake(p.name)])}`).join(',')})`;
  }

  // Every balance, exit, queue and counter, compared.
  async compareState(exitIds = []) {
    const who = [...DEV_ADDRS, CONTRACT];
    const simBalances = [];
    for (const a of who) simBalances.push(await this.sim.account(a, TOKEN));
    const calls = [];
    for (const a of who) {
      calls.push(['eth_getBalance', [a, 'latest']]);
      calls.push(['eth_call', [{ to: TOKEN, data: this.tokenIface.encodeFunctionData('balanceOf', [a]) }, 'latest']]);
    }
    const evmBalances = await this.evm.rpc.all(calls);
    who.forEach((a, i) => {
      assert.equal(BigInt(evmBalances[2 * i]), simBalances[i].eth, `ETH balance of ${a}`);
      assert.equal(BigInt(evmBalances[2 * i + 1]), simBalances[i].token, `token balance of ${a}`);
    });

    const status = await this.sim.status();
    const simExits = await this.sim.exits();
    const ids = [...new Set([...simExits.map((e) => BigInt(e.exit_id)), ...exitIds.map(BigInt)])];
    const views = [
      ['nextChildBlock', []],
      ['nextDepositBlock', []],
      ...[P.ETH, TOKEN].flatMap((t) => [['queueLength', [t]], ['queueHead', [t]]]),
      ...ids.map((id) => ['exits', [id]]),
    ];
    const r = await this.views(views);
    assert.equal(r[0][0], BigInt(status.next_child_block), 'nextChildBlock');
    assert.equal(r[1][0], BigInt(status.next_deposit_block), 'nextDepositBlock');
    let k = 2;
    for (const t of [P.ETH, TOKEN]) {
      const q = await this.sim.queue(t);
      assert.equal(r[k][0], BigInt(q.size), `queue length of ${t}`);
      const head = q.head ? [BigInt(q.head.exitable_at), BigInt(q.head.exit_id)] : [0n, 0n];
      assert.deepEqual([r[k + 1][0], r[k + 1][1]], head, `queue head of ${t}`);
      k += 2;
    }
    const byId = new Map(simExits.map((e) => [BigInt(e.exit_id), e]));
    for (const id of ids) {
      const e = r[k++];
      const s = byId.get(id);
      const got = { owner: e[0].toLowerCase(), token: e[1].toLowerCase(), amount: e[2], exitableAt: e[3], state: e[5], queued: e[6] };
      const want = s
        ? { owner: s.owner, token: s.token, amount: BigInt(s.amount), exitableAt: BigInt(s.exitable_at), state: EXIT_STATES[s.state], queued: s.queued }
        : { owner: P.ETH, token: P.ETH, amount: 0n, exitableAt: 0n, state: 0n, queued: false };
      assert.deepEqual(got, want, `exit ${id}`);
    }
  }

  async compareBlock(blknum) {
    const s = await this.sim.block(blknum);
    const [b] = await this.views([['blocks', [blknum]]]);
    const want = s ? [s.root, BigInt(s.timestamp)] : [P.ZERO32, 0n];
    assert.deepEqual([b[0], b[1]], want, `block ${blknum}`);
  }

  // Batched eth_calls of views; each result as an ethers Result.
  async views(list) {
    const calls = list.map(([m, a]) => ['eth_call', [{ to: CONTRACT, data: this.iface.encodeFunctionData(m, a) }, 'latest']]);
    const out = await this.evm.rpc.all(calls);
    return out.map((ret, i) => this.iface.decodeFunctionResult(list[i][0], ret));
  }
}

function norm(type, v) {
  if (type.startsWith('uint')) return BigInt(typeof v === 'bigint' ? v : String(v)).toString();
  return String(v).toLowerCase();
}

module.exports = { Twin, TOKEN, GENESIS };
