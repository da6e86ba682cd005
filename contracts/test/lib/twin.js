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
    // The two daemons start side by side: each start is mostly waiting.
    const [simStart, evmStart] = await Promise.allSettled([
      Sim.start(cfg),
      Anvil.start({ genesis: SETUP_GENESIS, steps: Boolean(cfg.steps) }),
    ]);
    if (simStart.status === 'rejected' || evmStart.status === 'rejected') {
      await Promise.allSettled([simStart.value?.stop(), evmStart.value?.stop()]);
      throw simStart.status === 'rejected' ? simStart.reason : evmStart.reason;
    }
    const sim = simStart.value;
    const evm = evmStart.value;
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

  // Every balance, counter, queue head and length, exit, in-flight exit
  // (its record and its input and output records) and claim, compared;
  // known names what the simulated chain does not list: exits and in-flight
  // exits the contract might hold that the simulated chain does not
  // (known.exitIds, known.ifeIds), and the output ids whose finalized flags
  // to compare (known.outputIds, and with known.exitFlags those of every
  // standard exit).
  // The parts run side by side: each reads both chains, then checks.
  async compareState(known = {}) {
    const exitsAndFlags = async () => {
      const exits = await this.compareExits(known.exitIds || []);
      await this.compareFlags([...(known.outputIds || []), ...(known.exitFlags ? exits.map((e) => e.output_id) : [])]);
    };
    const parts = await Promise.allSettled([
      this.compareBalances(),
      this.compareQueues(),
      exitsAndFlags(),
      this.compareInFlightExits(known.ifeIds || []),
      this.compareClaims(),
    ]);
    const failed = parts.find((p) => p.status === 'rejected');
    if (failed) throw failed.reason;
  }

  async compareBalances() {
    const who = [...DEV_ADDRS, CONTRACT];
    const simBalances = await Promise.all(who.map((a) => this.sim.account(a, TOKEN)));
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
  }

  async compareQueues() {
    const status = await this.sim.status();
    const r = await this.views([
      ['nextChildBlock', []],
      ['nextDepositBlock', []],
      ...[P.ETH, TOKEN].flatMap((t) => [['queueLength', [t]], ['queueHead', [t]]]),
    ]);
    assert.equal(r[0][0], BigInt(status.next_child_block), 'nextChildBlock');
    assert.equal(r[1][0], BigInt(status.next_deposit_block), 'nextDepositBlock');
    let k = 2;
    for (const t of [P.ETH, TOKEN]) {
      const q = await this.sim.queue(t);
      assert.equal(r[k][0], BigInt(q.size), `queue length of ${t}`);
      const h = q.head;
      const head = h ? [BigInt(h.exitable_at), BigInt(h.ife_id !== undefined ? h.ife_id : h.exit_id)] : [0n, 0n];
      assert.deepEqual([r[k + 1][0], r[k + 1][1]], head, `queue head of ${t}`);
      k += 2;
    }
  }

  async compareExits(exitIds) {
    const simExits = await this.sim.exits();
    const ids = [...new Set([...simExits.map((e) => BigInt(e.exit_id)), ...exitIds.map(BigInt)])];
    const r = await this.views(ids.map((id) => ['exits', [id]]));
    const byId = new Map(simExits.map((e) => [BigInt(e.exit_id), e]));
    ids.forEach((id, k) => {
      const e = r[k];
      const s = byId.get(id);
      const got = {
        owner: e[0].toLowerCase(), token: e[1].toLowerCase(), amount: e[2], exitableAt: e[3], outputId: e[4], state: e[5], queued: e[6],
      };
      const want = s
        ? {
          owner: s.owner, token: s.token, amount: BigInt(s.amount), exitableAt: BigInt(s.exitable_at), outputId: s.output_id,
          state: EXIT_STATES[s.state], queued: s.queued,
        }
        : { owner: P.ETH, token: P.ETH, amount: 0n, exitableAt: 0n, outputId: P.ZERO32, state: 0n, queued: false };
      assert.deepEqual(got, want, `exit ${id}`);
    });
    return simExits;
  }

  // inFlightExits and the 4 input and 4 output records of each id; an id
  // the simulated chain does not list must be all zero on the contract.
  async compareInFlightExits(ifeIds) {
    const open = await this.sim.inFlightExits();
    const ids = [...new Set([...open.keys(), ...ifeIds.map(BigInt)])];
    const views = [];
    for (const id of ids) {
      views.push(['inFlightExits', [id]]);
      for (let i = 0; i < 4; i++) views.push(['inFlightExitInput', [id, i]], ['inFlightExitOutput', [id, i]]);
    }
    const r = await this.views(views);
    ids.forEach((id, k) => {
      const base = 9 * k;
      const e = r[base];
      const got = {
        exitableAt: e[0], start: e[1], youngest: e[2], oldestCompetitor: e[3], bondOwner: e[4].toLowerCase(), canonical: e[5],
        inputsPiggybacked: e[6], outputsPiggybacked: e[7], nInputs: e[8], nOutputs: e[9], pendingTokens: e[10], exitPath: e[11],
      };
      const f = open.get(id);
      const want = f ? simIfe(f) : {
        exitableAt: 0n, start: 0n, youngest: 0n, oldestCompetitor: 0n, bondOwner: P.ETH, canonical: false,
        inputsPiggybacked: 0n, outputsPiggybacked: 0n, nInputs: 0n, nOutputs: 0n, pendingTokens: 0n, exitPath: 0n,
      };
      assert.deepEqual(got, want, `in-flight exit ${ethers.toBeHex(id)}`);
      for (let i = 0; i < 4; i++) {
        const record = (x) => ({ outputId: x[0], owner: x[1].toLowerCase(), token: x[2].toLowerCase(), amount: x[3] });
        const simRecord = (x) => (x ? { outputId: x.output_id, owner: x.owner, token: x.token, amount: BigInt(x.amount) }
          : { outputId: P.ZERO32, owner: P.ETH, token: P.ETH, amount: 0n });
        assert.deepEqual(record(r[base + 1 + 2 * i]), simRecord(f && f.inputs[i]), `input ${i} of ${ethers.toBeHex(id)}`);
        assert.deepEqual(record(r[base + 2 + 2 * i]), simRecord(f && f.outputs[i]), `output ${i} of ${ethers.toBeHex(id)}`);
      }
    });
  }

  async compareFlags(outputIds) {
    const ids = [...new Set(outputIds)];
    const [r, sim] = await Promise.all([
      this.views(ids.map((id) => ['finalized', [id]])),
      Promise.all(ids.map((id) => this.sim.finalized(id))),
    ]);
    ids.forEach((id, k) => assert.equal(r[k][0], sim[k], `finalized[${id}]`));
  }

  // withdrawable of every account in ETH and the token.
  async compareClaims() {
    const [sim, r] = await Promise.all([this.sim.claims(DEV_ADDRS), this.views(DEV_ADDRS.flatMap((a) => [P.ETH, TOKEN].map((t) => ['withdrawable', [a, t]])))]);
    let k = 0;
    for (const a of DEV_ADDRS) {
      for (const t of [P.ETH, TOKEN]) {
        assert.equal(r[k++][0], sim.get(a).get(t) || 0n, `withdrawable[${a}][${t}]`);
      }
    }
  }

  async compareBlock(blknum) {
    const s = await this.sim.block(blknum);
    const [b] = await this.views([['blocks', [blknum]]]);
    const want = s ? [s.root, BigInt(s.timestamp)] : [P.ZERO32, 0n];
    assert.deepEqual([b[0], b[1]], want, `block ${blknum}`);
  }

  // Batched eth_calls of views; each result as an array of its values
  // (uints as bigint, addresses and bytes32 as lowercase hex, bools). The
  // views take and return static types only, one 32-byte word each, so the
  // encoding is done here: ethers' would be most of a comparison's time.
  async views(list) {
    const calls = list.map(([m, a]) => ['eth_call', [{ to: CONTRACT, data: this.viewData(m, a) }, 'latest']]);
    const out = await this.evm.rpc.all(calls);
    return out.map((ret, i) => this.viewResult(list[i][0], ret));
  }

  viewFragment(method) {
    this.fragments = this.fragments || new Map();
    let f = this.fragments.get(method);
    if (!f) {
      const fn = this.iface.getFunction(method);
      f = { selector: fn.selector, outputs: fn.outputs.map((o) => o.type) };
      this.fragments.set(method, f);
    }
    return f;
  }

  viewData(method, args) {
    const words = args.map((a) => (typeof a === 'string' ? a.slice(2).padStart(64, '0') : BigInt(a).toString(16).padStart(64, '0')));
    return this.viewFragment(method).selector + words.join('');
  }

  viewResult(method, ret) {
    const { outputs } = this.viewFragment(method);
    assert.equal(ret.length, 2 + 64 * outputs.length, `${method}: ${ret.length} hex digits`);
    return outputs.map((type, i) => {
      const w = ret.slice(2 + 64 * i, 66 + 64 * i);
      if (type === 'address') return `0x${w.slice(24)}`;
      if (type === 'bool') return BigInt(`0x${w}`) !== 0n;
      if (type === 'bytes32') return `0x${w}`;
      return BigInt(`0x${w}`);
    });
  }
}

const PATHS = { undecided: 0n, outputs: 1n, inputs: 2n };

// An open in-flight exit of the simulated chain as inFlightExits shows it.
function simIfe(f) {
  return {
    exitableAt: BigInt(f.exitable_at), start: BigInt(f.start), youngest: BigInt(f.youngest), oldestCompetitor: BigInt(f.oldest_competitor),
    bondOwner: f.bond_owner, canonical: f.canonical, inputsPiggybacked: BigInt(f.inputs_piggybacked),
    outputsPiggybacked: BigInt(f.outputs_piggybacked), nInputs: BigInt(f.inputs.length), nOutputs: BigInt(f.outputs.length),
    pendingTokens: BigInt(f.pending_tokens), exitPath: PATHS[f.exit_path],
  };
}

function norm(type, v) {
  if (type.startsWith('uint')) return BigInt(typeof v === 'bigint' ? v : String(v)).toString();
  return String(v).toLowerCase();
}

module.exports = { Twin, TOKEN, GENESIS };
