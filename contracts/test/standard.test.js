// Deposits, blocks, standard exits, challenges and their processing on the
// contract: each call's success (state, events, balances) and each refusal by
// its custom error, leaving the state as it was.
'use strict';

const { describe, it, beforeEach } = require('node:test');
const assert = require('node:assert/strict');
const { worldHooks, refuses } = require('./lib/world');
const P = require('./lib/plasma');

const ETH = P.ETH;
const ONE = 10n ** 18n;
const EXIT_NONE = 0n;
const IN_PROGRESS = 1n;
const CHALLENGED = 2n;
const FINALIZED = 3n;

describe('deposits, blocks and standard exits', () => {
  let w;
  worldHooks((world) => {
    w = world;
  });

  const mep = () => w.cfg.minExitPeriod;
  const bond = () => w.cfg.exitBond;

  describe('deposit', () => {
    it('takes ETH and stores the single-leaf root of the deposit transaction', async () => {
      const before = await w.ethBalance(1);
      const d = await w.deposit(1, ETH, ONE);
      assert.equal(d.blknum, 1n);
      assert.equal(await w.ethBalance(1), before - ONE);
      assert.equal(await w.ethBalance(w.address), ONE);
      const blk = await w.view('blocks', [1]);
      assert.equal(blk.root, new P.Tree([d.unsigned]).root);
      assert.equal(blk.timestamp, BigInt(w.now));
      assert.deepEqual(d.events, [{ name: 'DepositCreated', args: { depositor: w.from(1), blknum: 1n, token: ETH, amount: ONE } }]);
      assert.equal(await w.view('nextDepositBlock'), 2n);
    });

    it('takes tokens by transferFrom', async () => {
      const before = await w.tokenBalance(w.token, 2);
      const d = await w.deposit(2, w.token, 12345n);
      assert.equal(await w.tokenBalance(w.token, 2), before - 12345n);
      assert.equal(await w.tokenBalance(w.token, w.address), 12345n);
      assert.equal((await w.view('blocks', [d.blknum])).root, new P.Tree([d.unsigned]).root);
    });

    it('numbers deposits after the last child block', async () => {
      await w.deposit(1, ETH, 1n);
      await w.submitBlock([]);
      const d = await w.deposit(1, ETH, 2n);
      assert.equal(d.blknum, 1001n);
      assert.equal(await w.view('nextDepositBlock'), 1002n);
    });

    it('refuses a zero amount or a value other than the ETH amount (BadAmount)', async () => {
      await refuses(w.call(1, 'deposit', [ETH, 0n]), 'BadAmount');
      await refuses(w.call(1, 'deposit', [ETH, ONE], { value: ONE - 1n }), 'BadAmount');
      await refuses(w.call(1, 'deposit', [w.token, 5n], { value: 5n }), 'BadAmount');
      assert.equal(await w.view('nextDepositBlock'), 1n);
      assert.equal(await w.ethBalance(w.address), 0n);
    });

    it('refuses tokens it cannot take (InsufficientFunds)', async () => {
      const tooMuch = (await w.tokenBalance(w.token, 3)) + 1n;
      await refuses(w.call(3, 'deposit', [w.token, tooMuch]), 'InsufficientFunds');
      // An address without code is no token, whatever it would answer.
      await refuses(w.call(3, 'deposit', ['0x7777777777777777777777777777777777777777', 5n]), 'InsufficientFunds');
      assert.equal(await w.view('nextDepositBlock'), 1n);
    });

    it('allows 999 deposits between child blocks (DepositLimit)', async () => {
      for (let i = 0; i < 999; i++) await w.call(1 + (i % 5), 'deposit', [ETH, 1n], { value: 1n });
      assert.equal(await w.view('nextDepositBlock'), 1000n);
      await refuses(w.call(1, 'deposit', [ETH, 1n], { value: 1n }), 'DepositLimit');
      await w.submitBlock([]);
      assert.equal((await w.deposit(1, ETH, 1n)).blknum, 1001n);
    });
  });

  describe('submitBlock', () => {
    it('stores the root at the next multiple of 1000', async () => {
      await w.deposit(1, ETH, ONE);
      const root = `0x${'ab'.repeat(32)}`;
      const r = await w.call(0, 'submitBlock', [root]);
      assert.deepEqual(r.events, [{ name: 'BlockSubmitted', args: { blknum: 1000n, root, timestamp: BigInt(w.now) } }]);
      assert.deepEqual(await w.view('blocks', [1000]), { root, timestamp: BigInt(w.now) });
      assert.equal(await w.view('nextChildBlock'), 2000n);
      assert.equal(await w.view('nextDepositBlock'), 1001n);
    });

    it('is the operator\'s only (NotOperator)', async () => {
      await refuses(w.call(1, 'submitBlock', [`0x${'ab'.repeat(32)}`]), 'NotOperator');
      assert.equal(await w.view('nextChildBlock'), 1000n);
    });

    it('stops before block numbers leave 64-bit positions (Overflow)', async () => {
      // counters (slot 0): nextChildBlock in the low 8 bytes, the deposit offset above it.
      const slot0 = BigInt(await w.node.rpc.call('eth_getStorageAt', [w.address, '0x0', 'latest']));
      assert.equal(slot0, 1000n | (1n << 64n));
      const last = 18446744073n - 1000n; // the largest child block number the simulated chain stores
      const set = (n) => w.node.rpc.call('anvil_setStorageAt', [w.address, '0x0', `0x${(n | (1n << 64n)).toString(16).padStart(64, '0')}`]);
      await set(last);
      await w.call(0, 'submitBlock', [`0x${'cd'.repeat(32)}`]);
      await set(last + 1000n);
      await refuses(w.call(0, 'submitBlock', [`0x${'cd'.repeat(32)}`]), 'Overflow');
    });
  });

  describe('startStandardExit', () => {
    it('starts the exit of a deposit output, exitable one period later', async () => {
      const d = await w.deposit(1, ETH, ONE);
      const r = await w.startExit(1, d);
      const id = d.pos;
      const e = await w.view('exits', [id]);
      assert.deepEqual(e, {
        owner: w.from(1), token: ETH, amount: ONE, exitableAt: BigInt(w.now) + mep(),
        outputId: P.outputId(d.tx, 0, d.pos), state: IN_PROGRESS, queued: true,
      });
      assert.deepEqual(r.events, [{ name: 'ExitStarted', args: { owner: w.from(1), exitId: id, token: ETH, amount: ONE } }]);
      assert.equal(await w.view('queueLength', [ETH]), 1n);
      assert.deepEqual(await w.view('queueHead', [ETH]), { exitableAt: BigInt(w.now) + mep(), exitId: id });
      assert.equal(await w.ethBalance(w.address), ONE + bond());
    });

    it('gives a block output max(block time + 2 periods, now + 1 period)', async () => {
      const d = await w.deposit(1, ETH, ONE);
      const t = w.sign(P.tx({ inputs: [d.pos], outputs: [{ owner: w.from(2), amount: ONE }] }), [1]);
      const b = await w.submitBlock([t]);
      const submitted = BigInt(w.now);
      await w.startExit(2, b);
      assert.equal((await w.view('exits', [b.pos(0)])).exitableAt, submitted + 2n * mep());
      // Much later the exit waits one period from its start.
      const t2 = w.sign(P.tx({ inputs: [b.pos(0)], outputs: [{ owner: w.from(3), amount: ONE }] }), [2]);
      const b2 = await w.submitBlock([t2]);
      w.advance(3n * mep());
      await w.startExit(3, b2);
      assert.equal((await w.view('exits', [b2.pos(0)])).exitableAt, BigInt(w.now) + mep());
    });

    it('refuses a bond other than the exit bond (BadBond)', async () => {
      const d = await w.deposit(1, ETH, ONE);
      await refuses(w.call(1, 'startStandardExit', [d.pos, d.unsigned, d.proof], { value: bond() - 1n }), 'BadBond');
      await refuses(w.call(1, 'startStandardExit', [d.pos, d.unsigned, d.proof]), 'BadBond');
    });

    it('refuses a position whose block does not exist (BlockNotFound)', async () => {
      const d = await w.deposit(1, ETH, ONE);
      await refuses(w.call(1, 'startStandardExit', [P.pos(2), d.unsigned, d.proof], { value: bond() }), 'BlockNotFound');
      await refuses(w.call(1, 'startStandardExit', [0n, d.unsigned, d.proof], { value: bond() }), 'BlockNotFound');
      await refuses(w.call(1, 'startStandardExit', [2n ** 255n, d.unsigned, d.proof], { value: bond() }), 'BlockNotFound');
    });

    it('refuses bytes that are not a transaction with that output (BadCall)', async () => {
      const d = await w.deposit(1, ETH, ONE);
      await refuses(w.call(1, 'startStandardExit', [d.pos, '0xc0', d.proof], { value: bond() }), 'BadCall');
      await refuses(w.call(1, 'startStandardExit', [d.pos + 1n, d.unsigned, d.proof], { value: bond() }), 'BadCall');
      await refuses(w.call(1, 'startStandardExit', [d.pos, `${d.unsigned}00`, d.proof], { value: bond() }), 'BadCall');
    });

    it('refuses an output of someone else (NotOwner)', async () => {
      const d = await w.deposit(1, ETH, ONE);
      await refuses(w.call(2, 'startStandardExit', [d.pos, d.unsigned, d.proof], { value: bond() }), 'NotOwner');
    });

    it('refuses an output with an exit in progress or challenged (ExitExists)', async () => {
      const d = await w.deposit(1, ETH, ONE);
      await w.startExit(1, d);
      await refuses(w.startExit(1, d), 'ExitExists');
      const spend = w.sign(P.tx({ inputs: [d.pos], outputs: [{ owner: w.from(2), amount: ONE }] }), [1]);
      await w.call(3, 'challengeStandardExit', [d.pos, P.encodeSigned(spend), 0n]);
      await refuses(w.startExit(1, d), 'ExitExists');
    });

    it('refuses an output that was paid out (OutputFinalized)', async () => {
      const d = await w.deposit(1, ETH, ONE);
      await w.startExit(1, d);
      w.advance(mep());
      await w.call(4, 'processExits', [ETH, 1n]);
      assert.equal((await w.view('exits', [d.pos])).state, FINALIZED);
      await refuses(w.startExit(1, d), 'OutputFinalized');
    });

    it('refuses a proof that does not lead to the root (BadProof)', async () => {
      const d = await w.deposit(1, ETH, ONE);
      const bad = `${d.proof.slice(0, -2)}${d.proof.slice(-2) === 'ff' ? '00' : 'ff'}`;
      await refuses(w.call(1, 'startStandardExit', [d.pos, d.unsigned, bad], { value: bond() }), 'BadProof');
      await refuses(w.call(1, 'startStandardExit', [d.pos, d.unsigned, d.proof.slice(0, -64)], { value: bond() }), 'BadProof');
      // An index past the tree must not alias leaf 0 (txindex 65536 = 0 mod 2^16).
      const t = w.sign(P.tx({ inputs: [d.pos], outputs: [{ owner: w.from(1), amount: ONE }] }), [1]);
      const b = await w.submitBlock([t]);
      await refuses(w.call(1, 'startStandardExit', [P.pos(b.blknum, 65536), b.unsigned(0), b.proof(0)], { value: bond() }), 'BadProof');
      await w.startExit(1, b);
      assert.equal(await w.view('queueLength', [ETH]), 1n);
    });
  });

  describe('challengeStandardExit', () => {
    let d;
    let spend;
    beforeEach(async () => {
      d = await w.deposit(1, ETH, ONE);
      await w.startExit(1, d);
      spend = w.sign(P.tx({ inputs: [P.pos(7), d.pos], outputs: [{ owner: w.from(2), amount: ONE }] }), [5, 1]);
    });

    it('marks the exit challenged and pays its bond to the challenger', async () => {
      const before = await w.ethBalance(3);
      const r = await w.call(3, 'challengeStandardExit', [d.pos, P.encodeSigned(spend), 1n]);
      assert.deepEqual(r.events, [{ name: 'ExitChallenged', args: { exitId: d.pos, challenger: w.from(3) } }]);
      assert.equal(await w.ethBalance(3), before + bond());
      const e = await w.view('exits', [d.pos]);
      assert.equal(e.state, CHALLENGED);
      assert.equal(e.queued, true);
      // Processing drops it: nothing paid, the entry gone.
      w.advance(mep());
      const p = await w.call(4, 'processExits', [ETH, 10n]);
      assert.deepEqual(p.events, []);
      assert.equal(await w.view('queueLength', [ETH]), 0n);
      assert.equal((await w.view('exits', [d.pos])).queued, false);
      assert.equal(await w.ethBalance(w.address), ONE);
    });

    it('refuses an unknown exit (ExitNotFound)', async () => {
      await refuses(w.call(3, 'challengeStandardExit', [d.pos + 1n, P.encodeSigned(spend), 1n]), 'ExitNotFound');
    });

    it('refuses an exit that is challenged or finalized (ExitNotActive)', async () => {
      await w.call(3, 'challengeStandardExit', [d.pos, P.encodeSigned(spend), 1n]);
      await refuses(w.call(3, 'challengeStandardExit', [d.pos, P.encodeSigned(spend), 1n]), 'ExitNotActive');
      const d2 = await w.deposit(2, ETH, ONE);
      await w.startExit(2, d2);
      w.advance(mep());
      await w.call(4, 'processExits', [ETH, 10n]);
      const s2 = w.sign(P.tx({ inputs: [d2.pos], outputs: [{ owner: w.from(2), amount: ONE }] }), [2]);
      await refuses(w.call(3, 'challengeStandardExit', [d2.pos, P.encodeSigned(s2), 0n]), 'ExitNotActive');
    });

    it('refuses a tx that does not spend the exiting output there (BadChallenge)', async () => {
      await refuses(w.call(3, 'challengeStandardExit', [d.pos, P.encodeSigned(spend), 0n]), 'BadChallenge');
      await refuses(w.call(3, 'challengeStandardExit', [d.pos, P.encodeSigned(spend), 2n]), 'BadChallenge');
      await refuses(w.call(3, 'challengeStandardExit', [d.pos, P.encodeUnsigned(spend), 1n]), 'BadChallenge');
      const highS = { ...spend, sigs: [spend.sigs[0], `${spend.sigs[1].slice(0, 66)}${'f'.repeat(64)}1b`] };
      await refuses(w.call(3, 'challengeStandardExit', [d.pos, P.encodeSigned(highS), 1n]), 'BadChallenge');
    });

    it('refuses a spend signed by anyone but the owner (BadSignature)', async () => {
      const forged = w.sign(P.tx({ inputs: [d.pos], outputs: [{ owner: w.from(3), amount: ONE }] }), [3]);
      await refuses(w.call(3, 'challengeStandardExit', [d.pos, P.encodeSigned(forged), 0n]), 'BadSignature');
      assert.equal((await w.view('exits', [d.pos])).state, IN_PROGRESS);
    });
  });

  describe('processExits', () => {
    it('pays matured exits in priority order, at most maxExits', async () => {
      const a = await w.deposit(1, ETH, ONE);
      const b = await w.deposit(2, ETH, 2n * ONE);
      const c = await w.deposit(3, ETH, 3n * ONE);
      await w.startExit(3, c); // earliest exitable_at
      w.advance(10);
      await w.startExit(1, a);
      await w.startExit(2, b);
      const eth = [1, 2, 3].map((i) => w.ethBalance(i));
      const before = await Promise.all(eth);
      // Nothing matured: nothing popped, no error.
      assert.deepEqual((await w.call(4, 'processExits', [ETH, 10n])).events, []);
      w.advance(mep());
      const r = await w.call(4, 'processExits', [ETH, 2n]);
      assert.deepEqual(r.events.map((e) => [e.name, e.args.exitId]), [['ExitFinalized', c.pos], ['ExitFinalized', a.pos]]);
      assert.equal(await w.ethBalance(3), before[2] + 3n * ONE + bond());
      assert.equal(await w.ethBalance(1), before[0] + ONE + bond());
      assert.equal(await w.ethBalance(2), before[1]);
      assert.equal(await w.view('queueLength', [ETH]), 1n);
      assert.equal(await w.view('finalized', [P.outputId(a.tx, 0, a.pos)]), a.pos);
      await w.call(4, 'processExits', [ETH, 2n]);
      assert.equal(await w.ethBalance(2), before[1] + 2n * ONE + bond());
      assert.equal(await w.ethBalance(w.address), 0n);
      assert.deepEqual(await w.view('queueHead', [ETH]), { exitableAt: 0n, exitId: 0n });
    });

    it('pays a token exit in the token and its bond in ETH', async () => {
      const d = await w.deposit(1, w.token, 500n);
      await w.startExit(1, d);
      const tok = await w.tokenBalance(w.token, 1);
      const eth = await w.ethBalance(1);
      w.advance(mep());
      assert.deepEqual((await w.call(4, 'processExits', [ETH, 10n])).events, []);
      const r = await w.call(4, 'processExits', [w.token, 10n]);
      assert.deepEqual(r.events, [{ name: 'ExitFinalized', args: { exitId: d.pos } }]);
      assert.equal(await w.tokenBalance(w.token, 1), tok + 500n);
      assert.equal(await w.ethBalance(1), eth + bond());
      assert.equal((await w.view('exits', [d.pos])).state, FINALIZED);
    });

    it('does nothing for an empty queue, a token without one or maxExits 0', async () => {
      const d = await w.deposit(1, ETH, ONE);
      await w.startExit(1, d);
      w.advance(mep());
      assert.deepEqual((await w.call(4, 'processExits', [ETH, 0n])).events, []);
      assert.deepEqual((await w.call(4, 'processExits', [w.token, 5n])).events, []);
      assert.equal(await w.view('queueLength', [ETH]), 1n);
      assert.equal((await w.view('exits', [P.pos(99)])).state, EXIT_NONE);
    });

    it('keeps heap order over many exits', async () => {
      const deposits = [];
      for (let i = 0; i < 12; i++) deposits.push(await w.deposit(1 + (i % 4), ETH, BigInt(i + 1)));
      // Start them in a scrambled order, some at later times.
      const order = [5, 2, 9, 0, 11, 7, 3, 10, 1, 8, 4, 6];
      for (const i of order) {
        if (i % 3 === 0) w.advance(1);
        await w.startExit(1 + (i % 4), deposits[i]);
      }
      const expected = [];
      for (const i of order) expected.push([(await w.view('exits', [deposits[i].pos])).exitableAt, deposits[i].pos]);
      expected.sort((x, y) => (x[0] === y[0] ? (x[1] < y[1] ? -1 : 1) : x[0] < y[0] ? -1 : 1));
      w.advance(2n * mep());
      const popped = [];
      for (let k = 0; k < 4; k++) {
        const r = await w.call(4, 'processExits', [ETH, 3n]);
        popped.push(...r.events.filter((e) => e.name === 'ExitFinalized').map((e) => e.args.exitId));
      }
      assert.deepEqual(popped, expected.map((e) => e[1]));
    });
  });
});
