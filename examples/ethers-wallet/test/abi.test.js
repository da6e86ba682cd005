'use strict';
// The contract interface the wallet wrote from the docs (§9, docs/inflight.md,
// docs/contracts.md) against the compiled contract's ABI (contracts/out):
// the same functions with the same argument and return types and payability,
// the same events with the same indexed arguments, the same custom errors.
// Argument names may differ (the contract cannot name one `tx`).

const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { Interface } = require('ethers');
const { PLASMA_ABI, TEST_TOKEN_ABI } = require('../lib/abi');

const OUT = path.resolve(__dirname, '..', '..', '..', 'contracts', 'out');

function shapes(iface) {
    const fns = new Map(), events = new Map(), errors = new Set();
    iface.forEachFunction((f) => fns.set(f.selector, `${f.format('sighash')} ${f.stateMutability} -> (${f.outputs.map((o) => o.type).join(',')})`));
    iface.forEachEvent((e) => events.set(e.topicHash, `${e.name}(${e.inputs.map((i) => `${i.type}${i.indexed ? ' indexed' : ''}`).join(',')})`));
    iface.forEachError((e) => errors.add(e.format('sighash')));
    return { fns, events, errors };
}

test('the Plasma contract: the interface of the docs is the compiled one', () => {
    const mine = shapes(new Interface(PLASMA_ABI));
    const built = shapes(new Interface(require(path.join(OUT, 'PlasmaRootChain.json')).abi));
    assert.deepEqual([...mine.fns.entries()].sort(), [...built.fns.entries()].sort());
    assert.deepEqual([...mine.events.entries()].sort(), [...built.events.entries()].sort());
    assert.deepEqual([...mine.errors].sort(), [...built.errors].sort());
});

test('TestToken: what the wallet calls is in the compiled token', () => {
    const built = new Interface(require(path.join(OUT, 'TestToken.json')).abi);
    const mine = new Interface(TEST_TOKEN_ABI);
    mine.forEachFunction((f) => {
        const b = built.getFunction(f.selector);
        assert.ok(b, f.format('sighash'));
        assert.deepEqual(b.outputs.map((o) => o.type), f.outputs.map((o) => o.type), f.format('sighash'));
    });
    assert.deepEqual(built.deploy.inputs.map((i) => i.type), mine.deploy.inputs.map((i) => i.type));
});
