'use strict';
// A wallet of one account on the Plasma child chain: it deposits on the root
// chain's contract, pays on the child chain, checks blocks, and exits, using
// the operator's API and the contract through ethers. Every answer of the
// operator that it uses is checked against what it computes itself.

const { Contract, Wallet, getAddress } = require('ethers');
const { PLASMA_ABI, TEST_TOKEN_ABI } = require('./abi');
const P = require('./protocol');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Polls fn until it returns something other than undefined.
async function waitFor(what, fn, { timeoutMs = 20000, everyMs = 100 } = {}) {
    const end = Date.now() + timeoutMs;
    for (;;) {
        const v = await fn();
        if (v !== undefined) return v;
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
        await sleep(everyMs);
    }
}

function eventsOf(contract, receipt, name) {
    const out = [];
    for (const log of receipt.logs) {
        if (log.address.toLowerCase() !== contract.target.toLowerCase()) continue;
        const parsed = contract.interface.parseLog(log);
        if (parsed && parsed.name === name) out.push(parsed.args);
    }
    return out;
}

class PlasmaWallet {
    // operator: an OperatorClient; provider: an ethers provider of the root
    // chain. The domain comes from the operator, the contract's address too.
    constructor({ operator, provider, privateKey, status }) {
        this.operator = operator;
        this.provider = provider;
        this.signer = new Wallet(privateKey, provider);
        this.address = this.signer.address;
        this.domain = P.domainFromStatus(status);
        this.plasma = new Contract(this.domain.verifyingContract, PLASMA_ABI, this.signer);
    }

    static async open({ operator, provider, privateKey }) {
        return new PlasmaWallet({ operator, provider, privateKey, status: await operator.status() });
    }

    token(address) {
        return new Contract(address, TEST_TOKEN_ABI, this.signer);
    }

    async send(call) {
        const tx = await call;
        const receipt = await tx.wait();
        if (receipt.status !== 1) throw new Error(`transaction ${tx.hash} failed`);
        return receipt;
    }

    // Deposits amount of token (P.ETH for ether) and returns the deposit's
    // block number, position, receipt and its transaction as §3 forms it.
    async deposit(token, amount) {
        token = getAddress(token);
        let receipt;
        if (token === P.ETH) {
            receipt = await this.send(this.plasma.deposit(token, amount, { value: amount }));
        } else {
            await this.send(this.token(token).approve(this.plasma.target, amount));
            receipt = await this.send(this.plasma.deposit(token, amount));
        }
        const [ev] = eventsOf(this.plasma, receipt, 'DepositCreated');
        if (!ev) throw new Error('no DepositCreated event');
        const tx = P.depositTx(this.address, token, amount);
        return { blknum: ev.blknum, pos: P.utxoPos(ev.blknum, 0, 0), receipt, event: ev, tx, unsignedRlp: P.encodeUnsigned(tx) };
    }

    async utxos() {
        const { utxos } = await this.operator.utxos(this.address);
        return utxos;
    }

    // Waits until the operator lists the position among this account's
    // unspent outputs, and returns its entry.
    async waitSpendable(pos, opts) {
        return waitFor(`output ${pos} spendable`, async () => (await this.utxos()).find((u) => BigInt(u.utxo_pos) === BigInt(pos)), opts);
    }

    // Waits until the operator no longer lists the position among this
    // account's unspent outputs (an exit of it has been seen).
    async waitUnlisted(pos, opts) {
        const listed = async () => (await this.utxos()).some((u) => BigInt(u.utxo_pos) === BigInt(pos));
        return waitFor(`output ${pos} unlisted`, async () => ((await listed()) ? undefined : true), opts);
    }

    // Builds and signs a payment; signers[i] signs input i (this account when
    // absent). Returns everything the caller may want to compare.
    async buildPayment(inputs, outputs, { signers = [], metadata, domain = this.domain } = {}) {
        const tx = P.payment(inputs, outputs, metadata);
        const sigs = [];
        for (let i = 0; i < inputs.length; i++) sigs.push(await P.signTx(signers[i] || this.signer, domain, tx));
        const unsignedRlp = P.encodeUnsigned(tx);
        return { tx, sigs, unsignedRlp, signedRlp: P.encodeSigned(tx, sigs), txhash: P.txHash(tx), digest: P.eip712Digest(domain, tx) };
    }

    async pay(inputs, outputs, opts) {
        const built = await this.buildPayment(inputs, outputs, opts);
        const answer = await this.operator.submit(built.signedRlp);
        return { ...built, answer };
    }

    // Waits for a child block to be sealed by the operator and its root to be
    // on the contract; then checks the block (below) and returns it.
    // The operator serves the seal time as the block's timestamp until it has
    // seen the block on the root chain, then the root chain's (docs/api.md).
    async waitBlock(blknum, opts) {
        const onChain = await waitFor(`block ${blknum} on the root chain`, async () => {
            const b = await this.plasma.blocks(blknum);
            return b.timestamp !== 0n ? b : undefined;
        }, opts);
        const block = await waitFor(`block ${blknum} served with its root-chain timestamp`, async () => {
            try {
                const b = await this.operator.block(blknum);
                return BigInt(b.timestamp) === onChain.timestamp ? b : undefined;
            } catch (e) {
                if (e.code === 'not_found') return undefined;
                throw e;
            }
        }, opts);
        return this.verifyBlock(block);
    }

    // §5: the root of the block's transactions, computed here, must be the
    // root the operator serves and the one the contract stores, and so must
    // the timestamp once the block is on the root chain; the block's binary
    // form must hold what its JSON form does.
    async verifyBlock(block) {
        const leaves = P.blockLeaves(block.txs);
        const root = P.merkleRoot(leaves);
        if (root !== block.root) throw new Error(`block ${block.blknum}: root ${root} computed, ${block.root} served`);
        const onChain = await this.plasma.blocks(block.blknum);
        if (onChain.root !== root) throw new Error(`block ${block.blknum}: root ${root} computed, ${onChain.root} on chain`);
        if (onChain.timestamp !== BigInt(block.timestamp))
            throw new Error(`block ${block.blknum}: timestamp ${block.timestamp} served, ${onChain.timestamp} on chain`);
        // The binary form carries the same block.
        const raw = await this.operator.blockBinary(block.blknum);
        if (!raw) throw new Error(`block ${block.blknum}: no binary form`);
        const bin = P.decodeBinaryBlock(raw);
        if (bin.blknum !== BigInt(block.blknum) || bin.root !== block.root || bin.timestamp !== BigInt(block.timestamp) ||
            JSON.stringify(bin.txs) !== JSON.stringify(block.txs))
            throw new Error(`block ${block.blknum}: the binary form differs from the JSON form`);
        return { ...block, leaves, decoded: block.txs.map((t) => (t === null ? null : P.decodeTx(t))) };
    }

    // The standard exit of an output: exit data from the operator, checked
    // against the block's root on chain, and the bond the contract asks.
    async startStandardExit(pos) {
        const data = await this.operator.exitData(pos);
        const { blknum, txindex } = P.splitPos(pos);
        const { root } = await this.plasma.blocks(blknum);
        if (!P.verifyProof(P.leafOf(data.tx), Number(txindex), data.proof, root))
            throw new Error(`exit data of ${pos}: the proof does not lead to the root on chain`);
        const bond = await this.plasma.exitBond();
        const receipt = await this.send(this.plasma.startStandardExit(pos, data.tx, data.proof, { value: bond }));
        return { data, bond, receipt, event: eventsOf(this.plasma, receipt, 'ExitStarted')[0] };
    }

    // An in-flight exit of a payment the operator accepted, from its
    // in-flight exit data, each input's proof checked against the chain.
    async startInFlightExit(txhash) {
        const data = await this.operator.inFlightExitData(txhash);
        const { tx } = P.decodeTx(data.tx);
        if (P.txHash(tx) !== txhash) throw new Error('in-flight exit data of another transaction');
        for (let i = 0; i < tx.inputs.length; i++) {
            if (BigInt(data.input_utxo_pos[i]) !== tx.inputs[i]) throw new Error(`input ${i}: another position`);
            const { blknum, txindex, oindex } = P.splitPos(tx.inputs[i]);
            const { root } = await this.plasma.blocks(blknum);
            if (!P.verifyProof(P.leafOf(data.input_txs[i]), Number(txindex), data.input_proofs[i], root))
                throw new Error(`input ${i}: the proof does not lead to the root on chain`);
            if (P.decodeTx(data.input_txs[i]).tx.outputs.length <= Number(oindex)) throw new Error(`input ${i}: no such output`);
        }
        const bond = await this.plasma.ifeBond();
        const receipt = await this.send(this.plasma.startInFlightExit(data.tx, data.input_txs, data.input_utxo_pos, data.input_proofs, { value: bond }));
        return { data, tx, bond, receipt, event: eventsOf(this.plasma, receipt, 'InFlightExitStarted')[0] };
    }

    async piggybackOutput(signedRlp, index) {
        const bond = await this.plasma.piggybackBond();
        const receipt = await this.send(this.plasma.piggybackInFlightExitOnOutput(signedRlp, index, { value: bond }));
        return { bond, receipt, event: eventsOf(this.plasma, receipt, 'InFlightExitOutputPiggybacked')[0] };
    }

    async processExits(token, maxExits) {
        const receipt = await this.send(this.plasma.processExits(token, maxExits));
        return { receipt, events: (name) => eventsOf(this.plasma, receipt, name) };
    }
}

module.exports = { PlasmaWallet, waitFor, eventsOf, sleep };
