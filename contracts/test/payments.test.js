// Payments never block the queue: a recipient that reverts, a token whose
// transfer returns false, a contract short of funds and an amount past 2^256
// each become a withdrawable claim with PaymentDeferred, and processing goes
// on; withdraw pays a claim or refuses.
'use strict';

const { describe, it, beforeEach } = require('node:test');
const assert = require('node:assert/strict');
const { ethers } = require('ethers');
const { worldHooks, refuses } = require('./lib/world');
const { artifact } = require('./lib/anvil');
const P = require('./lib/plasma');

const ETH = P.ETH;
const ONE = 10n ** 18n;
const MAX = 2n ** 256n - 1n;

describe('payments', () => {
  let w;
  worldHooks((world) => {
    w = world;
  });

  const mep = () => w.cfg.minExitPeriod;
  const bond = () => w.cfg.exitBond;
  const recipientIface = new ethers.Interface(artifact('RevertingRecipient').abi);
  const falseIface = new ethers.Interface(artifact('FalseToken').abi);
  const setMode = (m) => w.node.send({ from: w.from(0), to: w.recipient, data: recipientIface.encodeFunctionData('setMode', [m]) });
  const setRefusing = (on) =>
    w.node.send({ from: w.from(0), to: w.falseToken, data: falseIface.encodeFunctionData('setRefusing', [on]) });

  // The recipient contract deposits and exits through its relay.
  async function recipientExit(amount) {
    const blknum = await w.view('nextDepositBlock');
    await w.recipientCall('deposit', [ETH, amount], { value: amount });
    const t = P.depositTx(w.recipient, ETH, amount);
    const u = P.encodeUnsigned(t);
    await w.recipientCall('startStandardExit', [P.pos(blknum), u, new P.Tree([u]).proof(0)], { value: bond() });
    return P.pos(blknum);
  }

  it('defers an ETH payout the recipient refuses and goes on with the queue', async () => {
    const id = await recipientExit(ONE);
    const d = await w.deposit(1, ETH, 2n * ONE);
    await w.startExit(1, d);
    const eth1 = await w.ethBalance(1);
    w.advance(mep());
    const r = await w.call(4, 'processExits', [ETH, 10]);
    assert.deepEqual(r.events, [
      { name: 'PaymentDeferred', args: { owner: w.recipient, token: ETH, amount: ONE + bond() } },
      { name: 'ExitFinalized', args: { exitId: id } },
      { name: 'ExitFinalized', args: { exitId: d.pos } },
    ]);
    assert.equal(await w.ethBalance(1), eth1 + 2n * ONE + bond());
    assert.equal(await w.view('withdrawable', [w.recipient, ETH]), ONE + bond());
    assert.equal(await w.ethBalance(w.address), ONE + bond());
    assert.equal(await w.view('queueLength', [ETH]), 0n);

    // Still refusing: the claim stays.
    await refuses(w.recipientCall('withdraw', [ETH]), 'PaymentFailed');
    assert.equal(await w.view('withdrawable', [w.recipient, ETH]), ONE + bond());
    await setMode(0);
    const wr = await w.recipientCall('withdraw', [ETH]);
    assert.deepEqual(wr.events, [{ name: 'Withdrawal', args: { owner: w.recipient, token: ETH, amount: ONE + bond() } }]);
    assert.equal(await w.ethBalance(w.recipient), ONE + bond());
    assert.equal(await w.view('withdrawable', [w.recipient, ETH]), 0n);
    await refuses(w.recipientCall('withdraw', [ETH]), 'NothingToWithdraw');
    assert.equal(await w.ethBalance(w.address), 0n);
  });

  it('defers a token payout whose transfer returns false; the ETH bond is paid', async () => {
    const d = await w.deposit(2, w.falseToken, 77n);
    await w.startExit(2, d);
    const eth2 = await w.ethBalance(2);
    w.advance(mep());
    const r = await w.call(4, 'processExits', [w.falseToken, 1]);
    assert.deepEqual(r.events, [
      { name: 'PaymentDeferred', args: { owner: w.from(2), token: w.falseToken, amount: 77n } },
      { name: 'ExitFinalized', args: { exitId: d.pos } },
    ]);
    assert.equal(await w.ethBalance(2), eth2 + bond());
    assert.equal(await w.view('withdrawable', [w.from(2), w.falseToken]), 77n);
    await refuses(w.call(2, 'withdraw', [w.falseToken]), 'PaymentFailed');
    await setRefusing(false);
    const tok = await w.tokenBalance(w.falseToken, 2);
    await w.call(2, 'withdraw', [w.falseToken]);
    assert.equal(await w.tokenBalance(w.falseToken, 2), tok + 77n);
    await refuses(w.call(2, 'withdraw', [w.falseToken]), 'NothingToWithdraw');
    await refuses(w.call(2, 'withdraw', [ETH]), 'NothingToWithdraw');
  });

  it('defers what a contract short of funds cannot pay (an operator\'s invalid block)', async () => {
    const d = await w.deposit(1, ETH, ONE);
    // The operator includes a tx minting 5 ETH for account 5 from nothing.
    const fake = w.sign(P.tx({ inputs: [P.pos(999_000, 7)], outputs: [{ owner: w.from(5), amount: 5n * ONE }] }), [0]);
    const b = await w.submitBlock([fake]);
    await w.startExit(5, b); // exitable two periods after the block
    await w.startExit(1, d); // one period from now: first
    w.advance(3n * mep());
    const eth5 = await w.ethBalance(5);
    const r = await w.call(4, 'processExits', [ETH, 10]);
    // The honest exit is paid in full; the invalid one gets what cannot be paid as a claim.
    assert.deepEqual(r.events.map((e) => e.name), ['ExitFinalized', 'PaymentDeferred', 'ExitFinalized']);
    assert.deepEqual(r.events[1].args, { owner: w.from(5), token: ETH, amount: 5n * ONE + bond() });
    assert.equal(await w.ethBalance(5), eth5);
    assert.equal(await w.ethBalance(w.address), bond()); // the exit bond of 5 stays held
    await refuses(w.call(5, 'withdraw', [ETH]), 'PaymentFailed');
  });

  it('saturates an amount and bond past 2^256 - 1 instead of blocking the queue', async () => {
    const fake = w.sign(P.tx({ inputs: [P.pos(999_000, 7)], outputs: [{ owner: w.from(5), amount: MAX }] }), [0]);
    const b = await w.submitBlock([fake]);
    await w.startExit(5, b);
    const fake2 = w.sign(P.tx({ inputs: [P.pos(999_000, 8)], outputs: [{ owner: w.from(5), amount: MAX - 1n }] }), [0]);
    const b2 = await w.submitBlock([fake2]);
    await w.startExit(5, b2);
    w.advance(3n * mep());
    const r = await w.call(4, 'processExits', [ETH, 10]);
    assert.deepEqual(r.events.map((e) => [e.name, e.args.amount]), [
      ['PaymentDeferred', MAX], ['ExitFinalized', undefined], ['PaymentDeferred', MAX], ['ExitFinalized', undefined],
    ]);
    assert.equal(await w.view('withdrawable', [w.from(5), ETH]), MAX);
    assert.equal(await w.view('queueLength', [ETH]), 0n);
  });

  it('defers an in-flight exit\'s payout and bond, each before its event', async () => {
    const d = await w.deposit(1, ETH, 3n * ONE);
    const T = w.sign(P.tx({ inputs: [d.pos], outputs: [{ owner: w.recipient, amount: 2n * ONE }, { owner: w.from(1), amount: ONE }] }), [1]);
    const tx = P.encodeSigned(T);
    await w.call(4, 'startInFlightExit', [tx, [d.unsigned], [d.pos], [d.proof]], { value: w.cfg.ifeBond });
    await w.recipientCall('piggybackInFlightExitOnOutput', [tx, 0], { value: w.cfg.piggybackBond });
    w.advance(3n * mep());
    const eth4 = await w.ethBalance(4);
    const r = await w.call(8, 'processExits', [ETH, 1]);
    const id = P.ifeId(T);
    assert.deepEqual(r.events, [
      { name: 'PaymentDeferred', args: { owner: w.recipient, token: ETH, amount: 2n * ONE } },
      { name: 'InFlightExitOutputWithdrawn', args: { ifeId: id, index: 0n } },
      { name: 'PaymentDeferred', args: { owner: w.recipient, token: ETH, amount: w.cfg.piggybackBond } },
      { name: 'InFlightExitFinalized', args: { ifeId: id } },
    ]);
    assert.equal(await w.ethBalance(4), eth4 + w.cfg.ifeBond);
    assert.equal(await w.view('withdrawable', [w.recipient, ETH]), 2n * ONE + w.cfg.piggybackBond);
  });

  it('defers the bond of a challenger that refuses ETH', async () => {
    const d = await w.deposit(1, ETH, ONE);
    await w.startExit(1, d);
    const spend = w.sign(P.tx({ inputs: [d.pos], outputs: [{ owner: w.from(2), amount: ONE }] }), [1]);
    const r = await w.recipientCall('challengeStandardExit', [d.pos, P.encodeSigned(spend), 0]);
    assert.deepEqual(r.events, [
      { name: 'PaymentDeferred', args: { owner: w.recipient, token: ETH, amount: bond() } },
      { name: 'ExitChallenged', args: { exitId: d.pos, challenger: w.recipient } },
    ]);
    assert.equal(await w.view('withdrawable', [w.recipient, ETH]), bond());
  });

  it('never defers because the caller starved processExits of gas', async () => {
    const d = await w.deposit(1, ETH, ONE);
    await w.startExit(1, d);
    w.advance(mep());
    const snapped = await w.snapshot();
    const data = w.iface.encodeFunctionData('processExits', [ETH, 1]);
    const full = await w.call(4, 'processExits', [ETH, 1]);
    await w.revert(snapped);
    let reverted = 0;
    for (let gas = full.gasUsed - 40_000n; gas <= full.gasUsed + 80_000n; gas += 4_000n) {
      const s = await w.snapshot();
      await w.node.rpc.call('evm_setNextBlockTimestamp', [ethers.toQuantity(w.now + 1)]);
      const hash = await w.node.rpc.call('eth_sendTransaction', [{ from: w.from(4), to: w.address, data, gas: ethers.toQuantity(gas), gasPrice: '0x0' }]);
      const receipt = await w.node.receipt(hash);
      const events = w.events(receipt);
      if (receipt.status === '0x1') {
        assert.deepEqual(events.map((e) => e.name), ['ExitFinalized'], `gas ${gas}`);
      } else {
        reverted++;
      }
      assert.equal(await w.view('withdrawable', [w.from(1), ETH]), 0n);
      await w.revert(s);
    }
    assert.ok(reverted > 0, 'the lowest limits must revert');
  });

  it('refuses re-entry while it pays (Reentered)', async () => {
    await recipientExit(ONE);
    w.advance(mep());
    await w.call(4, 'processExits', [ETH, 1]);
    // The claim is paid with all the gas left, so the recipient can call back.
    await setMode(2);
    const reentry = w.iface.encodeFunctionData('withdraw', [ETH]);
    await w.node.send({ from: w.from(0), to: w.recipient, data: recipientIface.encodeFunctionData('setReentry', [reentry]) });
    await w.recipientCall('withdraw', [ETH]);
    const read = async (m) => recipientIface.decodeFunctionResult(m, await w.node.rpc.call('eth_call', [{ to: w.recipient, data: recipientIface.encodeFunctionData(m) }, 'latest']))[0];
    assert.equal(await read('reentryDone'), true);
    assert.equal(await read('reentryOk'), false);
    assert.equal(w.iface.parseError(await read('reentryResult')).name, 'Reentered');
    assert.equal(await w.ethBalance(w.recipient), ONE + bond()); // paid once
    assert.equal(await w.view('withdrawable', [w.recipient, ETH]), 0n);
  });
});
