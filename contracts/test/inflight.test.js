// In-flight exits on the contract (PROTOCOL §6b, docs/inflight.md): each
// call's success and each refusal in the documented check order, processing
// through outputs or inputs, bonds, and the interplay with standard exits.
'use strict';

const { describe, it, beforeEach } = require('node:test');
const assert = require('node:assert/strict');
const { worldHooks, refuses } = require('./lib/world');
const P = require('./lib/plasma');

const ETH = P.ETH;
const ONE = 10n ** 18n;
const MAX = 2n ** 256n - 1n;
const PATH_OUTPUTS = 1n;
const PATH_INPUTS = 2n;

describe('in-flight exits', () => {
  let w;
  let s; // the scenario below, on every test's fresh snapshot
  worldHooks((world) => {
    w = world;
  });
  beforeEach(async () => {
    s = await scenario();
  });

  const mep = () => w.cfg.minExitPeriod;
  const addr = (i) => w.from(i);

  // Alice (1) deposits 10 ETH, Bob (2) 100 tokens; block 1000 has Alice paying
  // Carol (3) 4 ETH. In flight: Carol's 4 ETH and Bob's tokens swapped, so that
  // Bob gets 4 ETH and Carol 100 tokens.
  async function scenario() {
    const dA = await w.deposit(1, ETH, 10n * ONE);
    const dB = await w.deposit(2, w.token, 100n);
    const a0 = w.sign(P.tx({ inputs: [dA.pos], outputs: [{ owner: addr(3), amount: 4n * ONE }, { owner: addr(1), amount: 6n * ONE }] }), [1]);
    const b1 = await w.submitBlock([a0]);
    const blockTime = BigInt(w.now);
    const T = w.sign(P.tx({
      inputs: [b1.pos(0, 0), dB.pos],
      outputs: [{ owner: addr(2), amount: 4n * ONE }, { owner: addr(3), token: w.token, amount: 100n }],
    }), [3, 2]);
    const tx = P.encodeSigned(T);
    const args = [tx, [b1.unsigned(0), dB.unsigned], [b1.pos(0, 0), dB.pos], [b1.proof(0), dB.proof]];
    return { dA, dB, a0, b1, blockTime, T, tx, args, id: P.ifeId(T) };
  }

  const start = (who = 4, args = s.args) => w.call(who, 'startInFlightExit', args, { value: w.cfg.ifeBond });
  const pbIn = (who, i, tx = s.tx) => w.call(who, 'piggybackInFlightExitOnInput', [tx, i], { value: w.cfg.piggybackBond });
  const pbOut = (who, i, tx = s.tx) => w.call(who, 'piggybackInFlightExitOnOutput', [tx, i], { value: w.cfg.piggybackBond });
  const ife = () => w.view('inFlightExits', [s.id]);

  // Carol spends her 4 ETH elsewhere: a competitor of input 0.
  const competitor = () => w.sign(P.tx({ inputs: [s.b1.pos(0, 0)], outputs: [{ owner: addr(5), amount: 4n * ONE }] }), [3]);

  describe('startInFlightExit', () => {
    it('records the exit, its inputs and the bond owner', async () => {
      const r = await start(4);
      assert.deepEqual(r.events, [{ name: 'InFlightExitStarted', args: { initiator: addr(4), ifeId: s.id, txhash: P.txHash(s.T) } }]);
      const f = await ife();
      assert.deepEqual(f, {
        exitableAt: s.blockTime + 2n * mep(), start: BigInt(w.now), youngest: s.b1.pos(0, 0), oldestCompetitor: 0n,
        bondOwner: addr(4), canonical: true, inputsPiggybacked: 0n, outputsPiggybacked: 0n, nInputs: 2n,
        nOutputs: 2n, pendingTokens: 0n, exitPath: 0n,
      });
      assert.deepEqual(await w.view('inFlightExitInput', [s.id, 0]), {
        outputId: P.outputId(s.a0, 0, s.b1.pos(0, 0)), owner: addr(3), token: ETH, amount: 4n * ONE,
      });
      assert.deepEqual(await w.view('inFlightExitInput', [s.id, 1]), {
        outputId: P.outputId(s.dB.tx, 0, s.dB.pos), owner: addr(2), token: w.token, amount: 100n,
      });
      assert.equal((await w.view('inFlightExitOutput', [s.id, 0])).owner, ETH); // not piggybacked
      assert.equal(await w.ethBalance(w.address), 10n * ONE + w.cfg.ifeBond);
    });

    it('waits at least one period from its start', async () => {
      w.advance(5n * mep());
      await start();
      assert.equal((await ife()).exitableAt, BigInt(w.now) + mep());
    });

    it('refuses a bond other than the IFE bond (BadBond)', async () => {
      await refuses(w.call(4, 'startInFlightExit', s.args, { value: w.cfg.exitBond }), 'BadBond');
    });

    it('refuses a tx that is not a signed payment (MalformedTx)', async () => {
      const bad = [P.encodeUnsigned(s.T), ...s.args.slice(1)];
      await refuses(start(4, bad), 'MalformedTx');
      const unsignedOne = { ...s.T, sigs: [s.T.sigs[0]] };
      await refuses(start(4, [P.encodeSigned(unsignedOne), ...s.args.slice(1)]), 'MalformedTx');
    });

    it('refuses input lists that do not match the inputs (BadInputs)', async () => {
      const [tx, txs, poss, proofs] = s.args;
      await refuses(start(4, [tx, txs.slice(1), poss, proofs]), 'BadInputs');
      await refuses(start(4, [tx, txs, poss.slice(1), proofs]), 'BadInputs');
      await refuses(start(4, [tx, txs, poss, [...proofs, proofs[0]]]), 'BadInputs');
      await refuses(start(4, [tx, txs, [poss[1], poss[0]], proofs]), 'BadInputs');
    });

    it('refuses an exit that is open already (IfeExists)', async () => {
      await start();
      await refuses(start(5), 'IfeExists');
    });

    it('refuses an input in a block that does not exist (BlockNotFound)', async () => {
      const T = w.sign(P.tx({ inputs: [P.pos(5000)], outputs: [{ owner: addr(2), amount: 1n }] }), [3]);
      await refuses(start(4, [P.encodeSigned(T), [s.b1.unsigned(0)], [P.pos(5000)], [s.b1.proof(0)]]), 'BlockNotFound');
    });

    it('refuses an input tx without that output (BadInputTx)', async () => {
      const [tx, txs, poss, proofs] = s.args;
      await refuses(start(4, [tx, ['0xc0', txs[1]], poss, proofs]), 'BadInputTx');
      const T = w.sign(P.tx({ inputs: [s.b1.pos(0, 3)], outputs: [{ owner: addr(2), amount: 1n }] }), [3]);
      await refuses(start(4, [P.encodeSigned(T), [txs[0]], [s.b1.pos(0, 3)], [proofs[0]]]), 'BadInputTx');
    });

    it('refuses an input not included there (BadProof)', async () => {
      const [tx, txs, poss, proofs] = s.args;
      const flipped = `${proofs[1].slice(0, 10)}${proofs[1][10] === 'f' ? '0' : 'f'}${proofs[1].slice(11)}`;
      await refuses(start(4, [tx, txs, poss, [proofs[0], flipped]]), 'BadProof');
      await refuses(start(4, [tx, [txs[0], P.encodeUnsigned(P.depositTx(addr(2), w.token, 99n))], poss, proofs]), 'BadProof');
      await refuses(start(4, [tx, txs, poss, [proofs[0], '0x']]), 'BadProof');
    });

    it('refuses a signature that is not the input owner\'s (BadSignature)', async () => {
      const T = w.sign(P.tx({ inputs: s.T.inputs, outputs: [{ owner: addr(2), amount: 1n }] }), [3, 3]);
      await refuses(start(4, [P.encodeSigned(T), ...s.args.slice(1)]), 'BadSignature');
    });

    it('takes inputs whose sum passes 2^256 - 1 as covering any output', async () => {
      // An operator's block with two txs paying 2^255 each to account 3 (one tx
      // cannot: its outputs would overflow).
      const fake = (k) => w.sign(P.tx({ inputs: [P.pos(900_000 + k)], outputs: [{ owner: addr(3), amount: 2n ** 255n }] }), [0]);
      const b = await w.submitBlock([fake(1), fake(2)]);
      const T = w.sign(P.tx({ inputs: [b.pos(0), b.pos(1)], outputs: [{ owner: addr(4), amount: 2n ** 256n - 1n }] }), [3, 3]);
      await start(4, [P.encodeSigned(T), [b.unsigned(0), b.unsigned(1)], [b.pos(0), b.pos(1)], [b.proof(0), b.proof(1)]]);
      assert.equal((await w.view('inFlightExits', [P.ifeId(T)])).nInputs, 2n);
    });

    it('refuses outputs worth more than the inputs in a token (AmountsDoNotAddUp)', async () => {
      const tryOutputs = async (outputs) => {
        const T = w.sign(P.tx({ inputs: s.T.inputs, outputs }), [3, 2]);
        await refuses(start(4, [P.encodeSigned(T), ...s.args.slice(1)]), 'AmountsDoNotAddUp');
      };
      await tryOutputs([{ owner: addr(2), amount: 4n * ONE + 1n }]);
      await tryOutputs([{ owner: addr(2), amount: 3n * ONE }, { owner: addr(3), amount: ONE + 1n }]);
      await tryOutputs([{ owner: addr(2), token: w.falseToken, amount: 1n }]);
      await tryOutputs([{ owner: addr(2), token: w.token, amount: 101n }]);
    });
  });

  describe('piggybacks', () => {
    beforeEach(async () => {
      await start();
    });

    it('enqueue the exit once per token', async () => {
      let r = await pbIn(3, 0);
      assert.deepEqual(r.events, [{ name: 'InFlightExitInputPiggybacked', args: { owner: addr(3), ifeId: s.id, index: 0n } }]);
      assert.deepEqual(await w.view('queueHead', [ETH]), { exitableAt: s.blockTime + 2n * mep(), exitId: s.id });
      r = await pbOut(2, 0);
      assert.deepEqual(r.events, [{ name: 'InFlightExitOutputPiggybacked', args: { owner: addr(2), ifeId: s.id, index: 0n } }]);
      assert.equal(await w.view('queueLength', [ETH]), 1n);
      assert.equal(await w.view('queueLength', [w.token]), 0n);
      await pbOut(3, 1);
      assert.equal(await w.view('queueLength', [w.token]), 1n);
      const f = await ife();
      assert.equal(f.inputsPiggybacked, 1n);
      assert.equal(f.outputsPiggybacked, 3n);
      assert.equal(f.pendingTokens, 2n);
      assert.deepEqual(await w.view('inFlightExitOutput', [s.id, 1]), {
        outputId: P.outputId(s.T, 1, 0), owner: addr(3), token: w.token, amount: 100n,
      });
      assert.equal(await w.ethBalance(w.address), 10n * ONE + w.cfg.ifeBond + 3n * w.cfg.piggybackBond);
    });

    it('refuse a bond other than the piggyback bond (BadBond)', async () => {
      await refuses(w.call(3, 'piggybackInFlightExitOnInput', [s.tx, 0], { value: w.cfg.ifeBond }), 'BadBond');
      await refuses(w.call(2, 'piggybackInFlightExitOnOutput', [s.tx, 0]), 'BadBond');
    });

    it('refuse a tx that does not decode (MalformedTx) or has no open exit (IfeNotFound)', async () => {
      await refuses(pbIn(3, 0, P.encodeUnsigned(s.T)), 'MalformedTx');
      await refuses(pbOut(5, 0, P.encodeSigned(competitor())), 'IfeNotFound');
    });

    it('refuse after the first phase (FirstPhaseOver)', async () => {
      w.advance(mep() / 2n - 2n); // the next block is the phase's last second
      await pbIn(3, 0);
      await refuses(pbOut(2, 0), 'FirstPhaseOver');
      await refuses(pbIn(2, 1), 'FirstPhaseOver');
    });

    it('refuse an index past the inputs or outputs (BadIndex)', async () => {
      await refuses(pbIn(3, 2), 'BadIndex');
      await refuses(pbOut(3, 2), 'BadIndex');
    });

    it('refuse anyone but the owner (NotOwner)', async () => {
      await refuses(pbIn(2, 0), 'NotOwner');
      await refuses(pbOut(3, 0), 'NotOwner');
    });

    it('refuse a second piggyback, also after a block (AlreadyPiggybacked)', async () => {
      await pbIn(2, 1);
      await refuses(pbIn(2, 1), 'AlreadyPiggybacked');
      await pbOut(3, 1);
      await refuses(pbOut(3, 1), 'AlreadyPiggybacked');
      const spend = w.sign(P.tx({ inputs: [s.dB.pos], outputs: [{ owner: addr(6), token: w.token, amount: 100n }] }), [2]);
      await w.call(6, 'challengeInFlightExitInputSpent', [s.tx, 1, P.encodeSigned(spend), 0]);
      await refuses(pbIn(2, 1), 'AlreadyPiggybacked');
    });
  });

  describe('challengeInFlightExitNotCanonical', () => {
    let c; // included in block 2000 at index 1
    let b2;
    beforeEach(async () => {
      await start();
      c = competitor();
      b2 = await w.submitBlock([w.sign(P.tx({ inputs: [s.dA.pos], outputs: [{ owner: addr(9), amount: 1n }] }), [1]), c]);
    });
    const challenge = (who, ...args) => w.call(who, 'challengeInFlightExitNotCanonical', args);

    it('marks the exit non-canonical, records the competitor and takes the bond ownership', async () => {
      const r = await challenge(6, s.tx, 0, P.encodeSigned(c), 0, b2.pos(1), b2.proof(1));
      assert.deepEqual(r.events, [{ name: 'InFlightExitChallenged', args: { challenger: addr(6), ifeId: s.id, position: b2.pos(1) } }]);
      const f = await ife();
      assert.equal(f.canonical, false);
      assert.equal(f.oldestCompetitor, b2.pos(1));
      assert.equal(f.bondOwner, addr(6));
    });

    it('takes a competitor never included as the youngest position', async () => {
      const r = await challenge(6, s.tx, 0, P.encodeSigned(c), 0, 0, '0x');
      assert.equal(r.events[0].args.position, MAX);
      assert.equal((await ife()).oldestCompetitor, MAX);
      // An included one is older; another never-included one is not.
      await refuses(challenge(7, s.tx, 0, P.encodeSigned(c), 0, 0, '0x'), 'NotOlder');
      await challenge(7, s.tx, 0, P.encodeSigned(c), 0, b2.pos(1), b2.proof(1));
      assert.equal((await ife()).bondOwner, addr(7));
      await refuses(challenge(8, s.tx, 0, P.encodeSigned(c), 0, b2.pos(1), b2.proof(1)), 'NotOlder');
    });

    it('refuses a tx that does not decode or has no open exit', async () => {
      await refuses(challenge(6, P.encodeUnsigned(s.T), 0, P.encodeSigned(c), 0, 0, '0x'), 'MalformedTx');
      await refuses(challenge(6, P.encodeSigned(c), 0, s.tx, 0, 0, '0x'), 'IfeNotFound');
    });

    it('refuses after the first phase (FirstPhaseOver)', async () => {
      w.advance(mep() / 2n);
      await refuses(challenge(6, s.tx, 0, P.encodeSigned(c), 0, 0, '0x'), 'FirstPhaseOver');
    });

    it('refuses an index past the inputs (BadIndex)', async () => {
      await refuses(challenge(6, s.tx, 2, P.encodeSigned(c), 0, 0, '0x'), 'BadIndex');
    });

    it('refuses a competitor that is the tx, does not decode or spends another input (BadCompetitor)', async () => {
      await refuses(challenge(6, s.tx, 0, s.tx, 0, 0, '0x'), 'BadCompetitor');
      const resigned = w.sign({ ...s.T, sigs: [] }, [3, 2]); // same unsigned bytes
      await refuses(challenge(6, s.tx, 0, P.encodeSigned(resigned), 0, 0, '0x'), 'BadCompetitor');
      await refuses(challenge(6, s.tx, 0, P.encodeUnsigned(c), 0, 0, '0x'), 'BadCompetitor');
      await refuses(challenge(6, s.tx, 0, P.encodeSigned(c), 1, 0, '0x'), 'BadCompetitor');
      await refuses(challenge(6, s.tx, 1, P.encodeSigned(c), 0, 0, '0x'), 'BadCompetitor');
    });

    it('refuses a competitor not signed by the input owner (BadSignature)', async () => {
      const forged = w.sign(P.tx({ inputs: [s.b1.pos(0, 0)], outputs: [{ owner: addr(5), amount: ONE }] }), [5]);
      await refuses(challenge(6, s.tx, 0, P.encodeSigned(forged), 0, 0, '0x'), 'BadSignature');
    });

    it('refuses a position it cannot prove (BadProof)', async () => {
      const cs = P.encodeSigned(c);
      await refuses(challenge(6, s.tx, 0, cs, 0, 0, b2.proof(1)), 'BadProof');
      await refuses(challenge(6, s.tx, 0, cs, 0, b2.pos(1, 1), b2.proof(1)), 'BadProof');
      await refuses(challenge(6, s.tx, 0, cs, 0, b2.pos(1) + 1000n * 1_000_000_000n, b2.proof(1)), 'BadProof');
      await refuses(challenge(6, s.tx, 0, cs, 0, b2.pos(0), b2.proof(0)), 'BadProof');
      await refuses(challenge(6, s.tx, 0, cs, 0, b2.pos(1), '0x'), 'BadProof');
      assert.equal((await ife()).canonical, true);
    });
  });

  describe('respondToNonCanonicalChallenge', () => {
    let b2;
    let b3;
    let c;
    beforeEach(async () => {
      await start();
      // The in-flight tx turns up in block 2000, its competitor in 3000.
      b2 = await w.submitBlock([s.T]);
      c = competitor();
      b3 = await w.submitBlock([c]);
    });
    const respond = (who, ...args) => w.call(who, 'respondToNonCanonicalChallenge', args);

    it('restores canonicity with an older inclusion and takes the bond ownership', async () => {
      await w.call(6, 'challengeInFlightExitNotCanonical', [s.tx, 0, P.encodeSigned(c), 0, b3.pos(0), b3.proof(0)]);
      const r = await respond(7, s.tx, b2.pos(0), b2.proof(0));
      assert.deepEqual(r.events, [{ name: 'InFlightExitChallengeResponded', args: { responder: addr(7), ifeId: s.id, txPos: b2.pos(0) } }]);
      const f = await ife();
      assert.equal(f.canonical, true);
      assert.equal(f.oldestCompetitor, b2.pos(0));
      assert.equal(f.bondOwner, addr(7));
      await refuses(w.call(6, 'challengeInFlightExitNotCanonical', [s.tx, 0, P.encodeSigned(c), 0, b3.pos(0), b3.proof(0)]), 'NotOlder');
    });

    it('refuses without a competitor or with a younger position (NotOlder)', async () => {
      await refuses(respond(7, s.tx, b2.pos(0), b2.proof(0)), 'NotOlder');
      await w.call(6, 'challengeInFlightExitNotCanonical', [s.tx, 0, P.encodeSigned(c), 0, b3.pos(0), b3.proof(0)]);
      const b4 = await w.submitBlock([s.T]);
      await refuses(respond(7, s.tx, b4.pos(0), b4.proof(0)), 'NotOlder');
    });

    it('refuses a position it cannot prove (BadProof)', async () => {
      await w.call(6, 'challengeInFlightExitNotCanonical', [s.tx, 0, P.encodeSigned(c), 0, 0, '0x']);
      await refuses(respond(7, s.tx, b2.pos(0, 1), b2.proof(0)), 'BadProof');
      await refuses(respond(7, s.tx, P.pos(9000), b2.proof(0)), 'BadProof');
      await refuses(respond(7, s.tx, b2.pos(0), b3.proof(0).replace(/.$/, '0')), 'BadProof');
      await refuses(respond(7, s.tx, b3.pos(0), b3.proof(0)), 'BadProof');
    });

    it('refuses once processing began (IfeProcessing), and bad txs', async () => {
      await refuses(respond(7, P.encodeUnsigned(s.T), b2.pos(0), b2.proof(0)), 'MalformedTx');
      await refuses(respond(7, P.encodeSigned(c), b3.pos(0), b3.proof(0)), 'IfeNotFound');
      await w.call(6, 'challengeInFlightExitNotCanonical', [s.tx, 0, P.encodeSigned(c), 0, 0, '0x']);
      await pbIn(3, 0);
      await pbOut(3, 1);
      w.advance(3n * mep());
      await w.call(8, 'processExits', [ETH, 1]);
      await refuses(respond(7, s.tx, b2.pos(0), b2.proof(0)), 'IfeProcessing');
    });
  });

  describe('challengeInFlightExitInputSpent', () => {
    let spend;
    beforeEach(async () => {
      await start();
      await pbIn(2, 1);
      spend = w.sign(P.tx({ inputs: [P.pos(3), s.dB.pos], outputs: [{ owner: addr(6), token: w.token, amount: 100n }] }), [5, 2]);
    });
    const challenge = (who, ...args) => w.call(who, 'challengeInFlightExitInputSpent', args);

    it('removes the piggyback and pays its bond to the challenger', async () => {
      const before = await w.ethBalance(6);
      const r = await challenge(6, s.tx, 1, P.encodeSigned(spend), 1);
      assert.deepEqual(r.events, [{ name: 'InFlightExitInputBlocked', args: { challenger: addr(6), ifeId: s.id, index: 1n } }]);
      assert.equal(await w.ethBalance(6), before + w.cfg.piggybackBond);
      const f = await ife();
      assert.equal(f.inputsPiggybacked, 1n << 5n); // input 1 blocked
      assert.equal(f.pendingTokens, 1n); // still in the token queue
      await refuses(challenge(6, s.tx, 1, P.encodeSigned(spend), 1), 'NotPiggybacked');
    });

    it('refuses bad txs, a bad index or an input not piggybacked', async () => {
      await refuses(challenge(6, P.encodeUnsigned(s.T), 1, P.encodeSigned(spend), 1), 'MalformedTx');
      await refuses(challenge(6, P.encodeSigned(spend), 1, s.tx, 1), 'IfeNotFound');
      await refuses(challenge(6, s.tx, 2, P.encodeSigned(spend), 1), 'BadIndex');
      await refuses(challenge(6, s.tx, 0, P.encodeSigned(spend), 1), 'NotPiggybacked');
    });

    it('refuses a spend that is the tx or spends something else (BadChallenge)', async () => {
      await refuses(challenge(6, s.tx, 1, s.tx, 1), 'BadChallenge');
      await refuses(challenge(6, s.tx, 1, P.encodeSigned(spend), 0), 'BadChallenge');
      await refuses(challenge(6, s.tx, 1, P.encodeSigned(spend), 2), 'BadChallenge');
      await refuses(challenge(6, s.tx, 1, P.encodeUnsigned(spend), 1), 'BadChallenge');
    });

    it('refuses a spend not signed by the owner (BadSignature)', async () => {
      const forged = w.sign(P.tx({ inputs: [s.dB.pos], outputs: [{ owner: addr(6), token: w.token, amount: 1n }] }), [6]);
      await refuses(challenge(6, s.tx, 1, P.encodeSigned(forged), 0), 'BadSignature');
    });

    it('refuses once processing began (IfeProcessing)', async () => {
      await pbIn(3, 0);
      w.advance(3n * mep());
      await w.call(8, 'processExits', [ETH, 1]);
      await refuses(challenge(6, s.tx, 1, P.encodeSigned(spend), 1), 'IfeProcessing');
    });
  });

  describe('challengeInFlightExitOutputSpent', () => {
    let b2;
    let spend;
    beforeEach(async () => {
      await start();
      await pbOut(2, 0);
      b2 = await w.submitBlock([w.sign(P.tx({ inputs: [s.dA.pos], outputs: [{ owner: addr(9), amount: 1n }] }), [1]), s.T]);
      spend = w.sign(P.tx({ inputs: [b2.pos(1, 0)], outputs: [{ owner: addr(6), amount: ONE }] }), [2]);
    });
    const challenge = (who, ...args) => w.call(who, 'challengeInFlightExitOutputSpent', args);

    it('removes the piggyback and pays its bond to the challenger', async () => {
      const before = await w.ethBalance(6);
      const r = await challenge(6, s.tx, b2.pos(1, 0), b2.proof(1), P.encodeSigned(spend), 0);
      assert.deepEqual(r.events, [{ name: 'InFlightExitOutputBlocked', args: { challenger: addr(6), ifeId: s.id, index: 0n } }]);
      assert.equal(await w.ethBalance(6), before + w.cfg.piggybackBond);
      assert.equal((await ife()).outputsPiggybacked, 1n << 4n); // output 0 blocked
    });

    it('refuses bad txs, a bad index or an output not piggybacked', async () => {
      const sp = P.encodeSigned(spend);
      await refuses(challenge(6, P.encodeUnsigned(s.T), b2.pos(1, 0), b2.proof(1), sp, 0), 'MalformedTx');
      await refuses(challenge(6, sp, b2.pos(1, 0), b2.proof(1), s.tx, 0), 'IfeNotFound');
      await refuses(challenge(6, s.tx, b2.pos(1, 2), b2.proof(1), sp, 0), 'BadIndex');
      await refuses(challenge(6, s.tx, b2.pos(1, 1), b2.proof(1), sp, 0), 'NotPiggybacked');
    });

    it('refuses a position where the tx is not included (BadProof)', async () => {
      const sp = P.encodeSigned(spend);
      await refuses(challenge(6, s.tx, b2.pos(0, 0), b2.proof(0), sp, 0), 'BadProof');
      await refuses(challenge(6, s.tx, P.pos(7000, 1, 0), b2.proof(1), sp, 0), 'BadProof');
      await refuses(challenge(6, s.tx, b2.pos(1, 0), b2.proof(0), sp, 0), 'BadProof');
    });

    it('refuses a spend of another output (BadChallenge) or by another signer (BadSignature)', async () => {
      await refuses(challenge(6, s.tx, b2.pos(1, 0), b2.proof(1), P.encodeSigned(spend), 1), 'BadChallenge');
      const other = w.sign(P.tx({ inputs: [b2.pos(1, 1)], outputs: [{ owner: addr(6), amount: 1n }] }), [2]);
      await refuses(challenge(6, s.tx, b2.pos(1, 0), b2.proof(1), P.encodeSigned(other), 0), 'BadChallenge');
      const forged = w.sign(P.tx({ inputs: [b2.pos(1, 0)], outputs: [{ owner: addr(6), amount: 1n }] }), [6]);
      await refuses(challenge(6, s.tx, b2.pos(1, 0), b2.proof(1), P.encodeSigned(forged), 0), 'BadSignature');
    });

    it('refuses once processing began (IfeProcessing)', async () => {
      await pbOut(3, 1);
      w.advance(3n * mep());
      await w.call(8, 'processExits', [ETH, 1]);
      assert.equal((await ife()).pendingTokens, 1n); // the token queue still holds it
      await refuses(challenge(6, s.tx, b2.pos(1, 0), b2.proof(1), P.encodeSigned(spend), 0), 'IfeProcessing');
    });
  });

  describe('deleteNonPiggybackedInFlightExit', () => {
    beforeEach(async () => {
      await start(4);
    });

    it('returns the bond after the first phase and frees the id', async () => {
      w.advance(mep() / 2n - 1n); // the first second after the phase
      const before = await w.ethBalance(4);
      const r = await w.call(9, 'deleteNonPiggybackedInFlightExit', [s.id]);
      assert.deepEqual(r.events, [{ name: 'InFlightExitDeleted', args: { ifeId: s.id } }]);
      assert.equal(await w.ethBalance(4), before + w.cfg.ifeBond);
      assert.equal((await ife()).start, 0n);
      assert.equal((await w.view('inFlightExitInput', [s.id, 0])).owner, ETH);
      await start(5);
      assert.equal((await ife()).bondOwner, addr(5));
    });

    it('refuses an unknown exit, the first phase, or a piggybacked one', async () => {
      await refuses(w.call(9, 'deleteNonPiggybackedInFlightExit', [s.id + 1n]), 'IfeNotFound');
      w.advance(mep() / 2n - 2n);
      await refuses(w.call(9, 'deleteNonPiggybackedInFlightExit', [s.id]), 'FirstPhaseNotOver');
      await pbIn(2, 1);
      const spend = w.sign(P.tx({ inputs: [s.dB.pos], outputs: [{ owner: addr(6), token: w.token, amount: 100n }] }), [2]);
      await w.call(6, 'challengeInFlightExitInputSpent', [s.tx, 1, P.encodeSigned(spend), 0]);
      await refuses(w.call(9, 'deleteNonPiggybackedInFlightExit', [s.id]), 'IfePiggybacked');
    });
  });

  describe('processing', () => {
    beforeEach(async () => {
      await start(4);
    });

    it('exits a canonical tx through its outputs in every token, then returns the bonds', async () => {
      await pbOut(2, 0);
      await pbOut(3, 1);
      await pbIn(3, 0);
      const eth2 = await w.ethBalance(2);
      const eth3 = await w.ethBalance(3);
      const eth4 = await w.ethBalance(4);
      const tok3 = await w.tokenBalance(w.token, 3);
      w.advance(3n * mep());
      let r = await w.call(8, 'processExits', [ETH, 10]);
      assert.deepEqual(r.events, [{ name: 'InFlightExitOutputWithdrawn', args: { ifeId: s.id, index: 0n } }]);
      assert.equal(await w.ethBalance(2), eth2 + 4n * ONE + w.cfg.piggybackBond);
      assert.equal(await w.ethBalance(3), eth3 + w.cfg.piggybackBond); // input 0's bond; the input is not paid
      const f = await ife();
      assert.equal(f.exitPath, PATH_OUTPUTS);
      assert.equal(f.pendingTokens, 1n);
      // Every input of every token is flagged at the first pop.
      assert.equal(await w.view('finalized', [P.outputId(s.a0, 0, s.b1.pos(0, 0))]), s.id);
      assert.equal(await w.view('finalized', [P.outputId(s.dB.tx, 0, s.dB.pos)]), s.id);
      assert.equal(await w.view('finalized', [P.outputId(s.T, 0, 0)]), s.id);
      r = await w.call(8, 'processExits', [w.token, 10]);
      assert.deepEqual(r.events, [
        { name: 'InFlightExitOutputWithdrawn', args: { ifeId: s.id, index: 1n } },
        { name: 'InFlightExitFinalized', args: { ifeId: s.id } },
      ]);
      assert.equal(await w.tokenBalance(w.token, 3), tok3 + 100n);
      assert.equal(await w.ethBalance(3), eth3 + 2n * w.cfg.piggybackBond);
      assert.equal(await w.ethBalance(4), eth4 + w.cfg.ifeBond);
      assert.equal((await ife()).start, 0n);
      assert.equal(await w.ethBalance(w.address), 6n * ONE); // Alice's change is all that is left
      assert.equal(await w.tokenBalance(w.token, w.address), 0n);
      // Its inputs cannot exit again by a standard exit.
      await refuses(w.startExit(3, s.b1, 0, 0), 'OutputFinalized');
    });

    it('exits a non-canonical tx through its inputs, returning every bond of the token', async () => {
      await pbIn(3, 0);
      await pbOut(2, 0);
      await w.call(6, 'challengeInFlightExitNotCanonical', [s.tx, 0, P.encodeSigned(competitor()), 0, 0, '0x']);
      const eth2 = await w.ethBalance(2);
      const eth3 = await w.ethBalance(3);
      const eth6 = await w.ethBalance(6);
      w.advance(3n * mep());
      const r = await w.call(8, 'processExits', [ETH, 10]);
      assert.deepEqual(r.events, [
        { name: 'InFlightExitInputWithdrawn', args: { ifeId: s.id, index: 0n } },
        { name: 'InFlightExitFinalized', args: { ifeId: s.id } },
      ]);
      assert.equal(await w.ethBalance(3), eth3 + 4n * ONE + w.cfg.piggybackBond);
      assert.equal(await w.ethBalance(2), eth2 + w.cfg.piggybackBond); // the unpaid side's bond too
      assert.equal(await w.ethBalance(6), eth6 + w.cfg.ifeBond); // the challenger owns the bond
      assert.equal(await w.view('finalized', [P.outputId(s.a0, 0, s.b1.pos(0, 0))]), s.id);
      assert.equal(await w.view('finalized', [P.outputId(s.dB.tx, 0, s.dB.pos)]), 0n);
      assert.equal(await w.view('finalized', [P.outputId(s.T, 0, 0)]), 0n);
    });

    it('turns to the inputs when an input was finalized by a standard exit', async () => {
      // Bob exits his token deposit the standard way before the IFE matures.
      const dBExit = await w.startExit(2, s.dB);
      assert.equal(dBExit.events[0].name, 'ExitStarted');
      await pbOut(2, 0);
      await pbIn(3, 0);
      w.advance(3n * mep());
      await w.call(8, 'processExits', [w.token, 10]);
      assert.equal(await w.view('finalized', [P.outputId(s.dB.tx, 0, s.dB.pos)]), s.dB.pos);
      const eth3 = await w.ethBalance(3);
      const r = await w.call(8, 'processExits', [ETH, 10]);
      assert.deepEqual(r.events.map((e) => e.name), ['InFlightExitInputWithdrawn', 'InFlightExitFinalized']);
      assert.equal((await w.ethBalance(3)) - eth3, 4n * ONE + w.cfg.piggybackBond);
    });

    it('supersedes a standard exit of an input the IFE finalized first', async () => {
      await pbOut(2, 0);
      await pbOut(3, 1);
      w.advance(10);
      await w.startExit(2, s.dB); // exitable one period from now: after the IFE
      w.advance(3n * mep());
      await w.call(8, 'processExits', [ETH, 10]);
      const before = await w.tokenBalance(w.token, 2);
      const r = await w.call(8, 'processExits', [w.token, 10]);
      assert.deepEqual(r.events.map((e) => e.name), ['InFlightExitOutputWithdrawn', 'InFlightExitFinalized']);
      const e = await w.view('exits', [s.dB.pos]);
      assert.equal(e.state, 4n);
      assert.equal(e.queued, false);
      assert.equal(await w.tokenBalance(w.token, 2), before); // Bob's deposit went to Carol
      assert.equal(await w.view('finalized', [P.outputId(s.dB.tx, 0, s.dB.pos)]), s.id);
    });

    it('pays nothing twice: an output flagged by an earlier exit stays unpaid', async () => {
      // The tx is included, its output 0 exited the standard way, then the IFE pays the rest.
      const b2 = await w.submitBlock([s.T]);
      await pbOut(2, 0);
      await pbOut(3, 1);
      w.advance(mep() - 5n);
      await w.startExit(2, b2, 0, 0);
      const exitAt = (await w.view('exits', [b2.pos(0, 0)])).exitableAt;
      assert.ok(exitAt > (await ife()).exitableAt);
      w.advance(3n * mep());
      const before = await w.ethBalance(2);
      const r = await w.call(8, 'processExits', [ETH, 10]);
      // The IFE pops first and pays output 0; the standard exit is then superseded.
      assert.deepEqual(r.events.map((e) => e.name), ['InFlightExitOutputWithdrawn']);
      assert.equal(await w.ethBalance(2), before + 4n * ONE + w.cfg.piggybackBond);
      assert.equal((await w.view('exits', [b2.pos(0, 0)])).state, 4n);
    });

    it('pops a standard exit before an IFE with the same time and position', async () => {
      // A deposit, an IFE spending it at once (exitable at deposit time + 2 periods),
      // and the deposit's standard exit started one period later: the same key.
      const d = await w.deposit(5, ETH, ONE);
      const depositTime = BigInt(w.now);
      const T2 = w.sign(P.tx({ inputs: [d.pos], outputs: [{ owner: addr(6), amount: ONE }] }), [5]);
      const t2 = P.encodeSigned(T2);
      await w.call(6, 'startInFlightExit', [t2, [d.unsigned], [d.pos], [d.proof]], { value: w.cfg.ifeBond });
      await w.call(6, 'piggybackInFlightExitOnOutput', [t2, 0], { value: w.cfg.piggybackBond });
      w.node.time = Number(depositTime + mep()) - 1;
      await w.startExit(5, d);
      const key = (await w.view('exits', [d.pos])).exitableAt;
      assert.equal((await w.view('inFlightExits', [P.ifeId(T2)])).exitableAt, key);
      w.advance(3n * mep());
      let r = await w.call(8, 'processExits', [ETH, 1]);
      assert.deepEqual(r.events, [{ name: 'ExitFinalized', args: { exitId: d.pos } }]);
      // The IFE's input is now finalized by another exit: it exits through its
      // (unpiggybacked) inputs, so output 0 is not paid; its bond comes back.
      const eth6 = await w.ethBalance(6);
      r = await w.call(8, 'processExits', [ETH, 1]);
      assert.deepEqual(r.events, [{ name: 'InFlightExitFinalized', args: { ifeId: P.ifeId(T2) } }]);
      assert.equal(await w.ethBalance(6), eth6 + w.cfg.piggybackBond + w.cfg.ifeBond);
    });
  });
});
