// The differential test: seeded random sequences of calls against the
// simulated root chain (plasma-rootchain) and the contract on anvil, compared
// after every call (outcome and error, events, balances, exits, queues,
// counters). Each seed prints itself; rerun one with PLASMA_DIFF_SEED=<seed>.
//   PLASMA_ROOTCHAIN   the plasma-rootchain binary (required)
//   PLASMA_DIFF_SEEDS  number of seeds (default 20), from PLASMA_DIFF_FIRST_SEED (default 1)
//   PLASMA_DIFF_CALLS  calls per seed (default 100)
'use strict';

const { describe, it, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const { Twin } = require('./lib/twin');
const { Model } = require('./lib/generator');
const P = require('./lib/plasma');

const BIN = process.env.PLASMA_ROOTCHAIN;
const env = (name, def) => (process.env[name] === undefined ? def : Number(process.env[name]));
const CALLS = env('PLASMA_DIFF_CALLS', 100);
const FIRST = env('PLASMA_DIFF_FIRST_SEED', 1);
const SEEDS = process.env.PLASMA_DIFF_SEED !== undefined ? [Number(process.env.PLASMA_DIFF_SEED)]
  : Array.from({ length: env('PLASMA_DIFF_SEEDS', 20) }, (_, i) => FIRST + i);

const CONFIG = {
  bin: BIN,
  minExitPeriod: 1000n,
  exitBond: 23_300_000_000_000_000n,
  ifeBond: 37_000_000_000_000_000n,
  piggybackBond: 28_000_000_000_000_000n,
};

// Outcomes by call label over the whole run, printed at the end.
const outcomes = new Map();
function tally(label, outcome) {
  const m = outcomes.get(label) || new Map();
  m.set(outcome, (m.get(outcome) || 0) + 1);
  outcomes.set(label, m);
}

// Runs steps on a fresh pair of chains, comparing after each; a failure names
// the seed, the step and the calls before it.
async function run(name, steps) {
  assert.ok(BIN && fs.existsSync(BIN), 'set PLASMA_ROOTCHAIN to the plasma-rootchain binary');
  const twin = await Twin.start(CONFIG);
  const history = [];
  const stats = { calls: 0, refused: 0 };
  try {
    for (const step of steps(twin)) {
      const s = await step;
      if (s === null) break;
      if (s.advance !== undefined) {
        history.push(`advance ${s.advance}s`);
        await twin.advance(s.advance);
        continue;
      }
      const call = s;
      history.push(`${call.label || call.kind}`);
      let out;
      try {
        out = await twin.apply(call);
        stats.calls++;
        tally(call.label || call.kind, out.err || 'ok');
        if (out.err) {
          stats.refused++;
          history[history.length - 1] += ` → ${out.err}`;
        } else if (call.onOk) {
          const blknum = call.onOk(out);
          if (typeof blknum === 'bigint') await twin.compareBlock(blknum);
        }
        await twin.compareState(call.exitIds ? call.exitIds() : []);
      } catch (err) {
        err.message = `${name}, step ${history.length}: ${err.message}\nlast steps:\n  ${history.slice(-12).join('\n  ')}`;
        throw err;
      }
    }
  } finally {
    await twin.stop();
  }
  return { ...stats, gas: twin.gas };
}

// The random steps of one seed: the reserve, then CALLS calls.
function seeded(seed) {
  return function* steps(twin) {
    const model = new Model(seed, { token: twin.token, minExitPeriod: CONFIG.minExitPeriod, exitBond: CONFIG.exitBond });
    const exitIds = () => [...model.exits.keys()];
    yield* model.reserveCalls();
    let calls = 0;
    while (calls < CALLS) {
      const s = model.next();
      if (s.advance === undefined) {
        calls++;
        s.exitIds = exitIds;
      }
      yield s;
    }
  };
}

describe('the contract and the simulated chain agree', () => {
  after(() => {
    const lines = [...outcomes].sort().map(([label, m]) => `  ${label}: ${[...m].map(([o, n]) => `${o} ${n}`).join(', ')}`);
    console.log(`outcomes by call:\n${lines.join('\n')}`);
  });
  for (const seed of SEEDS) {
    it(`seed ${seed}: ${CALLS} random calls`, async () => {
      console.log(`differential seed ${seed} (rerun: PLASMA_DIFF_SEED=${seed})`);
      const r = await run(`seed ${seed}`, seeded(seed));
      console.log(`seed ${seed}: ${r.calls} calls, ${r.refused} refused by both`);
      assert.ok(r.calls >= CALLS);
    });
  }
});

module.exports = { run, CONFIG };
