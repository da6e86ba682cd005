#!/usr/bin/env node
'use strict';
// A whole session of the wallet against an operator on an Ethereum chain
// (anvil): deposits of ETH and a token, a payment and its block checked
// against the contract's root, standard exits processed after the exit
// period, an in-flight exit with a piggybacked output, and at every step the
// wallet's own bytes and ids compared with the operator's and the contract's.
// Any disagreement stops it with an error; on success it prints one JSON
// object (the blocks, positions and gas of the session).
//
//   node walkthrough.js --operator http://127.0.0.1:7435 --rpc http://127.0.0.1:8545 [--token 0x…]

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { ContractFactory, JsonRpcProvider, getAddress, getBytes, parseEther, recoverAddress, toBigInt } = require('ethers');
const { OperatorClient, OperatorError } = require('./lib/operator');
const { PlasmaWallet, waitFor } = require('./lib/wallet');
const { TEST_TOKEN_ABI } = require('./lib/abi');
const P = require('./lib/protocol');

// Development accounts 1–3 of §8 (account 0 is the operator's).
const DEV_KEYS = {
    alice: '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
    bob: '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a',
    keeper: '0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6',
};

const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

const REPO = path.resolve(__dirname, '..', '..');
const TEST_TOKEN_ARTIFACT = path.join(REPO, 'contracts', 'out', 'TestToken.json');
const VECTORS_DIR = path.join(REPO, 'tests', 'vectors');

// docs/protocol.md, "Transaction decoding": the error each malformed
// transaction of vectors/protocol.json must get.
const INVALID_TX_CODES = {
    'trailing bytes after the list': 'malformed_tx',
    'missing signature': 'missing_signature',
    'superfluous signature': 'superfluous_signature',
    'duplicate inputs': 'duplicate_inputs',
    'too many inputs': 'too_many_inputs',
    'too many outputs': 'too_many_outputs',
    'zero amount': 'amount_zero',
    'zero owner': 'malformed_tx',
    'no outputs': 'malformed_tx',
    'unknown tx type': 'malformed_tx',
    'high-s signature': 'bad_signature',
    'v not 27 or 28': 'bad_signature',
    'signature of 64 bytes': 'bad_signature',
    'leading zero in integer': 'malformed_tx',
    'owner of 19 bytes': 'malformed_tx',
    'metadata not 32 bytes': 'malformed_tx',
    'unknown output type': 'malformed_tx',
    'extra field': 'malformed_tx',
    'oindex out of range': 'malformed_tx',
    'input position zero': 'malformed_tx',
    'sum of outputs overflows 2^256': 'amounts_do_not_add_up',
};

async function refusal(promise) {
    try {
        await promise;
    } catch (e) {
        if (e instanceof OperatorError) return e;
        throw e;
    }
    throw new Error('the operator accepted what it should refuse');
}

// Waits until the operator refuses a spend with the given code (it learns of
// exits by following the chain, a moment after they are mined).
async function waitRefused(what, submit, code) {
    return waitFor(what, async () => {
        try {
            await submit();
        } catch (e) {
            if (e instanceof OperatorError && e.code === code) return e;
            if (e instanceof OperatorError) return undefined;
            throw e;
        }
        throw new Error(`${what}: the operator accepted the spend`);
    });
}

class Session {
    constructor(provider, op, log) {
        this.provider = provider;
        this.op = op;
        this.log = log;
        this.gas = {};
    }

    note(label, receipt) {
        this.gas[label] = Number(receipt.gasUsed);
    }

    balance(addr) {
        return this.provider.getBalance(addr);
    }

    async timestampOf(receipt) {
        return BigInt((await this.provider.getBlock(receipt.blockNumber)).timestamp);
    }

    // Moves the chain's clock past t (evm_increaseTime, then a block).
    async advancePast(t) {
        const now = BigInt((await this.provider.getBlock('latest')).timestamp);
        if (now <= t) await this.provider.send('evm_increaseTime', [Number(t - now + 1n)]);
        await this.provider.send('evm_mine', []);
    }
}

async function checkDomain(s, alice) {
    const st = await s.op.status();
    const net = await s.provider.getNetwork();
    assert.equal(BigInt(st.chain_id), net.chainId, 'status chain_id is the node chain id');
    assert.equal(st.child_block_interval, 1000);
    assert.equal(getAddress(st.operator), await alice.plasma.operator(), 'status operator is the contract operator');
    const sep = P.domainSeparator(alice.domain);
    assert.equal(sep, await alice.plasma.domainSeparator(), 'domain separator: ethers vs the contract');
    assert.equal(sep, P.digestByHand(alice.domain, P.payment([1n], [])).separator, 'domain separator: ethers vs by hand');
    return st;
}

async function deployToken(keeper) {
    const art = JSON.parse(fs.readFileSync(TEST_TOKEN_ARTIFACT, 'utf8'));
    const factory = new ContractFactory(TEST_TOKEN_ABI, art.bytecode, keeper.signer);
    const token = await factory.deploy('Test Token', 'TT');
    await token.waitForDeployment();
    return token.getAddress();
}

// A deposit, the operator's view of it and the contract's root of it.
async function depositAndCheck(s, w, token, amount) {
    const d = await w.deposit(token, amount);
    s.note(token === P.ETH ? 'deposit_eth' : 'deposit_token', d.receipt);
    assert.equal(d.event.depositor, w.address);
    assert.equal(d.event.token, getAddress(token));
    assert.equal(d.event.amount, amount);
    assert.notEqual(d.blknum % 1000n, 0n, 'a deposit block is numbered between child blocks');
    const onChain = await w.plasma.blocks(d.blknum);
    assert.equal(onChain.root, P.merkleRoot([P.leafOf(d.unsignedRlp)]), 'deposit block root: ours vs the contract');
    const u = await w.waitSpendable(d.pos);
    assert.deepEqual(u, {
        utxo_pos: d.pos.toString(), blknum: Number(d.blknum), txindex: 0, oindex: 0,
        owner: w.address.toLowerCase(), token: token.toLowerCase(), amount: amount.toString(),
    });
    const block = await w.verifyBlock(await s.op.block(d.blknum));
    assert.deepEqual(block.txs, [P.encodeSigned(d.tx, [])], 'deposit block: the deposit tx with no signatures');
    return d;
}

async function checkRefusals(s, alice, bob, dEth, vectorsDir) {
    const out = [{ owner: bob.address, token: P.ETH, amount: dEth.event.amount }];
    const otherDomain = { ...alice.domain, chainId: alice.domain.chainId + 1n };
    const wrongDomain = await alice.buildPayment([dEth.pos], out, { domain: otherDomain });
    assert.equal((await refusal(s.op.submit(wrongDomain.signedRlp))).code, 'unauthorized_spend', 'signed for another chain');
    const bySomeoneElse = await alice.buildPayment([dEth.pos], out, { signers: [bob.signer] });
    assert.equal((await refusal(s.op.submit(bySomeoneElse.signedRlp))).code, 'unauthorized_spend', 'signed by another key');
    const tooMuch = await alice.buildPayment([dEth.pos], [{ ...out[0], amount: dEth.event.amount + 1n }]);
    assert.equal((await refusal(s.op.submit(tooMuch.signedRlp))).code, 'amounts_do_not_add_up');
    let vectors = 0;
    if (vectorsDir) {
        const { invalid_signed_txs: bad } = JSON.parse(fs.readFileSync(path.join(vectorsDir, 'protocol.json'), 'utf8'));
        for (const v of bad) {
            const e = await refusal(s.op.submit(v.signed_rlp));
            assert.equal(e.code, INVALID_TX_CODES[v.reason], `vector "${v.reason}"`);
            assert.equal(e.status, 400);
        }
        vectors = bad.length;
    }
    // None of it changed anything: the deposit is still there to spend.
    await alice.waitSpendable(dEth.pos, { timeoutMs: 1 });
    return vectors;
}

// The payment of the session: both deposits in, four outputs out, a fee in
// ETH; its block holds it and the fee transaction §5 describes.
async function payAndCheck(s, alice, bob, st, dEth, dTok, token) {
    const fee = parseEther('0.01');
    const outputs = [
        { owner: bob.address, token: P.ETH, amount: parseEther('0.3') },
        { owner: alice.address, token: P.ETH, amount: dEth.event.amount - parseEther('0.3') - fee },
        { owner: bob.address, token, amount: 400n },
        { owner: alice.address, token, amount: dTok.event.amount - 400n },
    ];
    const p = await alice.pay([dEth.pos, dTok.pos], outputs);
    assert.equal(p.digest, P.digestByHand(alice.domain, p.tx).digest, 'EIP-712 digest: ethers vs by hand');
    for (const sig of p.sigs) {
        assert.equal(recoverAddress(p.digest, sig), alice.address);
        const bytes = getBytes(sig);
        assert.ok(bytes.length === 65 && (bytes[64] === 27 || bytes[64] === 28), 'v is 27 or 28');
        assert.ok(toBigInt(bytes.subarray(32, 64)) <= SECP256K1_N / 2n, 's is in the lower half');
    }
    assert.equal(p.answer.txhash, p.txhash, 'txhash: ours vs the operator');
    assert.equal(p.answer.blknum % 1000, 0);
    assert.equal(p.answer.txindex, 0);
    const served = await s.op.transaction(p.txhash);
    assert.deepEqual(served, { txhash: p.txhash, blknum: p.answer.blknum, txindex: 0, tx: p.signedRlp });
    const again = await alice.buildPayment([dEth.pos], [{ owner: alice.address, token: P.ETH, amount: 1n }]);
    assert.equal((await refusal(s.op.submit(again.signedRlp))).code, 'utxo_spent', 'a second spend in the open block');

    const block = await alice.waitBlock(p.answer.blknum);
    const feeTx = P.feeTx(p.answer.blknum, P.ETH, st.operator, fee);
    assert.deepEqual(block.txs, [p.signedRlp, P.encodeSigned(feeTx, [])], 'the block: our payment, then the fee tx');
    const blk = BigInt(p.answer.blknum);
    const pos = (t, o) => P.utxoPos(blk, t, o).toString();
    const listed = async (w) => (await w.utxos()).filter((u) => BigInt(u.blknum) === blk).map((u) => u.utxo_pos);
    assert.deepEqual(await listed(bob), [pos(0, 0), pos(0, 2)]);
    assert.deepEqual(await listed(alice), [pos(0, 1), pos(0, 3)]);
    const opOut = await s.op.utxo(pos(1, 0));
    assert.equal(opOut.owner, st.operator.toLowerCase());
    assert.equal(BigInt(opOut.amount), fee);
    return { ...p, block, blk, ts: (await alice.plasma.blocks(blk)).timestamp };
}

// Standard exits of two outputs of the payment (an ETH one and a token one),
// the exit period passed, processed by a third account.
async function standardExits(s, alice, bob, keeper, pay, token) {
    const mep = await alice.plasma.minExitPeriod();
    const exits = [];
    for (const [w, oindex] of [[alice, 1], [bob, 2]]) {
        const pos = P.utxoPos(pay.blk, 0, oindex);
        const x = await w.startStandardExit(pos);
        s.note(`start_standard_exit_${oindex === 1 ? 'eth' : 'token'}`, x.receipt);
        assert.equal(x.data.tx, pay.unsignedRlp, 'exit data tx: ours vs the operator');
        assert.equal(x.data.proof, P.merkleProof(pay.block.leaves, 0), 'exit data proof: ours vs the operator');
        const out = pay.tx.outputs[oindex];
        assert.deepEqual([x.event.owner, x.event.exitId, x.event.token, x.event.amount], [w.address, pos, out.token, out.amount]);
        const view = await w.plasma.exits(pos);
        const now = await s.timestampOf(x.receipt);
        const exitableAt = pay.ts + 2n * mep > now + mep ? pay.ts + 2n * mep : now + mep;
        assert.deepEqual(view.toArray(), [w.address, out.token, out.amount, exitableAt, P.outputId(pay.unsignedRlp, oindex), 1n, true]);
        exits.push({ w, pos, out, exitableAt, outputId: view.outputId, bond: x.bond });
    }
    // The operator follows the exits: their outputs are no longer spendable.
    const spend = (e) => () => e.w.pay([e.pos], [{ owner: e.w.address, token: e.out.token, amount: e.out.amount }]);
    for (const e of exits) {
        await e.w.waitUnlisted(e.pos);
        assert.equal((await refusal(spend(e)())).code, 'utxo_spent', 'a spend of an exiting output');
        assert.equal((await refusal(s.op.utxo(e.pos))).code, 'utxo_spent', 'an exiting output is not served as unspent');
    }

    await s.advancePast(exits.reduce((m, e) => (e.exitableAt > m ? e.exitableAt : m), 0n));
    const [a, b] = exits;
    const before = { aEth: await s.balance(alice.address), bEth: await s.balance(bob.address), bTok: await bob.token(token).balanceOf(bob.address) };
    const pEth = await keeper.processExits(P.ETH, 10);
    const pTok = await keeper.processExits(token, 10);
    s.note('process_exits_eth', pEth.receipt);
    s.note('process_exits_token', pTok.receipt);
    assert.deepEqual(pEth.events('ExitFinalized').map((e) => e.exitId), [a.pos]);
    assert.deepEqual(pTok.events('ExitFinalized').map((e) => e.exitId), [b.pos]);
    assert.equal((await s.balance(alice.address)) - before.aEth, a.out.amount + a.bond, 'ETH exit paid amount + bond');
    assert.equal((await s.balance(bob.address)) - before.bEth, b.bond, 'token exit: bond in ETH');
    assert.equal((await bob.token(token).balanceOf(bob.address)) - before.bTok, b.out.amount, 'token exit: amount in the token');
    for (const e of exits) {
        assert.equal(await alice.plasma.finalized(e.outputId), e.pos, 'finalized[output id] = exit id');
        assert.equal((await alice.plasma.exits(e.pos)).state, 3n);
        await waitRefused(`exit of ${e.pos} finalized`, spend(e), 'input_finalized');
        assert.equal((await refusal(s.op.utxo(e.pos))).code, 'utxo_spent', 'a finalized output is not served as unspent');
    }
    assert.equal(await alice.plasma.queueLength(P.ETH), 0n);
    assert.equal(await alice.plasma.queueLength(token), 0n);
    return exits.map((e) => e.pos.toString());
}

// An in-flight exit of a payment from Alice to Bob: Alice starts it from the
// operator's in-flight exit data, Bob piggybacks his output, a third account
// processes it after the exit period.
async function inFlightExit(s, alice, bob, keeper, pay, token) {
    const input = P.utxoPos(pay.blk, 0, 3);
    const p = await alice.pay([input], [
        { owner: bob.address, token, amount: 250n },
        { owner: alice.address, token, amount: 350n },
    ]);
    const early = await s.op.inFlightExitData(p.txhash);
    await alice.waitBlock(p.answer.blknum);
    const data = await s.op.inFlightExitData(p.txhash);
    // The same answer before the seal as after, but for `sealed` (docs/api.md).
    assert.deepEqual({ ...early, sealed: true }, data, 'in-flight exit data before the seal');
    assert.deepEqual(data, {
        txhash: p.txhash, blknum: p.answer.blknum, txindex: p.answer.txindex, sealed: true, tx: p.signedRlp,
        input_txs: [pay.unsignedRlp], input_utxo_pos: [input.toString()], input_proofs: [P.merkleProof(pay.block.leaves, 0)],
    }, 'in-flight exit data: ours vs the operator');

    const id = P.ifeId(p.unsignedRlp);
    const x = await alice.startInFlightExit(p.txhash);
    s.note('start_in_flight_exit', x.receipt);
    assert.deepEqual([x.event.initiator, x.event.ifeId, x.event.txhash], [alice.address, id, p.txhash], 'IFE id and txhash: ours vs the contract');
    const mep = await alice.plasma.minExitPeriod();
    const start = await s.timestampOf(x.receipt);
    const exitableAt = pay.ts + 2n * mep > start + mep ? pay.ts + 2n * mep : start + mep;
    assert.deepEqual((await alice.plasma.inFlightExits(id)).toArray(), [exitableAt, start, input, 0n, alice.address, true, 0n, 0n, 1n, 2n, 0n, 0n]);
    const inId = P.outputId(pay.unsignedRlp, 3);
    assert.deepEqual((await alice.plasma.inFlightExitInput(id, 0)).toArray(), [inId, alice.address, getAddress(token), 600n], 'input record');

    const pb = await bob.piggybackOutput(p.signedRlp, 0);
    s.note('piggyback_output', pb.receipt);
    assert.deepEqual([pb.event.owner, pb.event.ifeId, pb.event.index], [bob.address, id, 0n]);
    const outId = P.outputId(p.unsignedRlp, 0);
    assert.deepEqual((await alice.plasma.inFlightExitOutput(id, 0)).toArray(), [outId, bob.address, getAddress(token), 250n], 'output record');
    assert.deepEqual((await alice.plasma.queueHead(token)).toArray(), [exitableAt, id]);

    await s.advancePast(exitableAt);
    const before = { aEth: await s.balance(alice.address), bEth: await s.balance(bob.address), bTok: await bob.token(token).balanceOf(bob.address) };
    const pr = await keeper.processExits(token, 10);
    s.note('process_exits_ife', pr.receipt);
    assert.deepEqual(pr.events('InFlightExitOutputWithdrawn').map((e) => [e.ifeId, e.index]), [[id, 0n]]);
    assert.deepEqual(pr.events('InFlightExitFinalized').map((e) => e.ifeId), [id]);
    assert.equal((await bob.token(token).balanceOf(bob.address)) - before.bTok, 250n, 'piggybacked output paid');
    assert.equal((await s.balance(bob.address)) - before.bEth, pb.bond, 'piggyback bond returned');
    assert.equal((await s.balance(alice.address)) - before.aEth, x.bond, 'IFE bond returned to its owner');
    assert.equal(await alice.plasma.finalized(outId), id, 'the output flagged with the IFE id');
    assert.equal(await alice.plasma.finalized(inId), id, 'the input flagged with the IFE id');
    assert.equal(await alice.plasma.finalized(P.outputId(p.unsignedRlp, 1)), 0n, 'an output not piggybacked stays unflagged');
    assert.equal((await alice.plasma.inFlightExits(id)).start, 0n, 'the IFE is deleted');

    // The operator follows: Bob's exited output leaves his list and its spend
    // is refused; Alice's other output is still hers to spend.
    const blk = BigInt(p.answer.blknum);
    await bob.waitUnlisted(P.utxoPos(blk, 0, 0));
    const spendOut = bob.pay([P.utxoPos(blk, 0, 0)], [{ owner: bob.address, token, amount: 250n }]);
    assert.equal((await refusal(spendOut)).code, 'input_finalized', 'a spend of an output the IFE paid out');
    assert.equal((await refusal(s.op.utxo(P.utxoPos(blk, 0, 0)))).code, 'utxo_spent');
    assert.equal((await s.op.utxo(P.utxoPos(blk, 0, 1))).amount, '350', 'the output not piggybacked is still unspent');
    // Through the batch endpoint, beside a malformed tx: one result each, in order.
    const rest = await alice.buildPayment([P.utxoPos(blk, 0, 1)], [{ owner: bob.address, token, amount: 350n }]);
    const { results } = await s.op.submitBatch([rest.signedRlp, rest.signedRlp.slice(0, -2)]);
    assert.equal(results.length, 2);
    assert.equal(results[0].txhash, rest.txhash);
    assert.equal(results[1].error.code, 'malformed_tx');
    const last = await alice.waitBlock(results[0].blknum);
    assert.deepEqual(last.txs, [rest.signedRlp]);
    return {
        ife_id: '0x' + id.toString(16), txhash: p.txhash, blknum: p.answer.blknum,
        data_read_before_seal: !early.sealed, last_blknum: results[0].blknum,
    };
}

async function walkthrough({ operatorUrl, rpcUrl, token, vectorsDir, log = () => {} }) {
    const provider = new JsonRpcProvider(rpcUrl, undefined, { cacheTimeout: -1, pollingInterval: 100 });
    const op = new OperatorClient(operatorUrl);
    const s = new Session(provider, op, log);
    try {
        const [alice, bob, keeper] = await Promise.all(
            ['alice', 'bob', 'keeper'].map((k) => PlasmaWallet.open({ operator: op, provider, privateKey: DEV_KEYS[k] })));
        log('status: the signing domain');
        const st = await checkDomain(s, alice);
        if (!token) {
            log('deploying TestToken');
            token = await deployToken(keeper);
        }
        token = getAddress(token);
        await keeper.send(keeper.token(token).mint(alice.address, 1000n));
        const contract = alice.plasma.target;
        const held = { eth: await s.balance(contract), token: await alice.token(token).balanceOf(contract) };
        log('deposits');
        const dEth = await depositAndCheck(s, alice, P.ETH, parseEther('1'));
        const dTok = await depositAndCheck(s, alice, token, 1000n);
        log('refusals');
        const vectors = await checkRefusals(s, alice, bob, dEth, vectorsDir);
        log('payment');
        const pay = await payAndCheck(s, alice, bob, st, dEth, dTok, token);
        log('standard exits');
        const exited = await standardExits(s, alice, bob, keeper, pay, token);
        log('in-flight exit');
        const ife = await inFlightExit(s, alice, bob, keeper, pay, token);
        // Everything paid out is gone from the contract, the rest is there.
        assert.equal((await s.balance(contract)) - held.eth, parseEther('0.31'), 'contract ETH: the deposit less the ETH exit');
        assert.equal((await alice.token(token).balanceOf(contract)) - held.token, 350n, 'contract tokens: the deposit less both exits');
        return {
            token,
            deposits: [dEth.pos.toString(), dTok.pos.toString()],
            payment: { txhash: pay.txhash, blknum: pay.answer.blknum },
            standard_exits: exited,
            in_flight_exit: ife,
            invalid_vectors_refused: vectors,
            gas: s.gas,
        };
    } finally {
        provider.destroy();
    }
}

function parseArgs(argv) {
    const opts = { operatorUrl: 'http://127.0.0.1:7435', rpcUrl: 'http://127.0.0.1:8545', vectorsDir: fs.existsSync(VECTORS_DIR) ? VECTORS_DIR : undefined };
    const names = { '--operator': 'operatorUrl', '--rpc': 'rpcUrl', '--token': 'token', '--vectors': 'vectorsDir' };
    for (let i = 0; i < argv.length; i += 2) {
        if (argv[i] === '--help') return null;
        if (!names[argv[i]] || argv[i + 1] === undefined) throw new Error(`unknown or incomplete argument ${argv[i]}`);
        opts[names[argv[i]]] = argv[i + 1];
    }
    return opts;
}

if (require.main === module) {
    let opts;
    try {
        opts = parseArgs(process.argv.slice(2));
    } catch (e) {
        console.error(`walkthrough: ${e.message} (see --help)`);
        process.exit(2);
    }
    if (!opts) {
        console.log('usage: node walkthrough.js [--operator URL] [--rpc URL] [--token ADDRESS] [--vectors DIR]');
        process.exit(0);
    }
    walkthrough({ ...opts, log: (m) => console.error(`walkthrough: ${m}`) }).then(
        (summary) => console.log(JSON.stringify(summary, null, 1)),
        (e) => {
            console.error(`walkthrough: ${e.message}`);
            process.exit(1);
        });
}

module.exports = { walkthrough, DEV_KEYS };
