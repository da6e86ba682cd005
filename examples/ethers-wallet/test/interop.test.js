'use strict';
// The wallet against the project's daemons: anvil on a loopback port it picks
// (and prints), the contract deployed by plasma-deploy, plasma-operator --rootchain eth on
// it, then the whole walkthrough. Everything started is stopped at the end.
//
//   PLASMA_DEPLOY=build/dev/tools/plasma-deploy PLASMA_OPERATOR=build/dev/operator/plasma-operator \
//   NODE_PATH=contracts/node_modules node --test examples/ethers-wallet/test/interop.test.js

const test = require('node:test');
const assert = require('node:assert/strict');
const { spawn, execFile } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const http = require('node:http');
const { OperatorClient } = require('../lib/operator');
const { waitFor } = require('../lib/wallet');
const { walkthrough } = require('../walkthrough');

const REPO = path.resolve(__dirname, '..', '..', '..');
const ANVIL = process.env.PLASMA_ANVIL || path.join(REPO, 'contracts', 'node_modules', '.bin', 'anvil');

function required(name) {
    const v = process.env[name];
    if (!v) throw new Error(`${name} must name the program (ctest sets it)`);
    return v;
}

// The port a daemon reported, or undefined while it has not: the operator's
// --port-file, anvil's "Listening on" line. A port chosen beforehand could
// be taken by another process (another test's anvil) before it is bound.
function reportedPort(file, pattern) {
    let text;
    try {
        text = fs.readFileSync(file, 'utf8');
    } catch {
        return undefined;
    }
    const m = pattern.exec(text);
    return m ? Number(m[1]) : undefined;
}

// A child process whose output goes to a file, stopped with SIGTERM (then
// SIGKILL) at the end.
function start(name, file, args, dir) {
    const logPath = path.join(dir, `${name}.log`);
    const out = fs.openSync(logPath, 'w');
    const child = spawn(file, args, { stdio: ['ignore', out, out] });
    fs.closeSync(out);
    const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    return {
        name,
        logPath,
        exited,
        async stop() {
            if (child.exitCode !== null || child.signalCode !== null) return exited;
            child.kill('SIGTERM');
            const t = setTimeout(() => child.kill('SIGKILL'), 5000);
            const r = await exited;
            clearTimeout(t);
            return r;
        },
    };
}

// The node's chain id, or undefined while it does not answer.
function chainId(url) {
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] });
    return new Promise((resolve) => {
        const req = http.request(url, { method: 'POST', headers: { 'Content-Type': 'application/json' } }, (res) => {
            let text = '';
            res.on('data', (c) => (text += c));
            res.on('end', () => {
                try {
                    resolve(JSON.parse(text).result);
                } catch {
                    resolve(undefined);
                }
            });
        });
        req.on('error', () => resolve(undefined));
        req.end(body);
    });
}

function run(file, args) {
    return new Promise((resolve, reject) => {
        execFile(file, args, { timeout: 60000 }, (err, stdout, stderr) => {
            if (err) reject(new Error(`${path.basename(file)} failed: ${stderr || err.message}`));
            else resolve(stdout);
        });
    });
}

test('an ethers wallet on the operator and the contract on anvil', { timeout: 180000 }, async (t) => {
    const deploy = required('PLASMA_DEPLOY');
    const operatorBin = required('PLASMA_OPERATOR');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ethers-wallet-'));
    const procs = [];
    t.after(async () => {
        for (const p of procs.reverse()) await p.stop();
        fs.rmSync(dir, { recursive: true, force: true });
    });
    const dumpLogs = () => procs.map((p) => `--- ${p.name}\n${fs.readFileSync(p.logPath, 'utf8').slice(-4000)}`).join('\n');

    const anvil = start('anvil', ANVIL, ['--port', '0', '--host', '127.0.0.1'], dir);
    procs.push(anvil);
    const ethPort = await waitFor('anvil\'s port', () => reportedPort(anvil.logPath, /Listening on 127\.0\.0\.1:(\d+)/));
    const rpc = `http://127.0.0.1:${ethPort}`;
    await waitFor('anvil', () => chainId(rpc));

    const deployed = JSON.parse(await run(deploy, ['--rpc', rpc, '--dev', '--json']));
    assert.equal(deployed.contract, '0x5fbdb2315678afecb367f032d93f642f64180aa3', 'account 0 first transaction');

    const portFile = path.join(dir, 'operator.port');
    procs.push(start('operator', operatorBin, [
        '--dev', '--rootchain', 'eth', '--rpc', rpc, '--contract', deployed.contract,
        '--deploy-block', String(deployed.block), '--port', '0', '--port-file', portFile,
        '--data-dir', path.join(dir, 'operator'), '--log-level', 'warn',
    ], dir));
    const opPort = await waitFor('the operator\'s port', () => reportedPort(portFile, /^(\d+)\n$/));
    const opUrl = `http://127.0.0.1:${opPort}`;
    const op = new OperatorClient(opUrl, { timeoutMs: 2000 });
    await waitFor('the operator', async () => {
        try {
            return await op.status();
        } catch {
            return undefined;
        }
    });

    const began = Date.now();
    let summary;
    try {
        summary = await walkthrough({
            operatorUrl: opUrl,
            rpcUrl: rpc,
            vectorsDir: process.env.PLASMA_VECTORS || path.join(REPO, 'tests', 'vectors'),
            log: (m) => t.diagnostic(m),
        });
    } catch (e) {
        e.message += `\n${dumpLogs()}`;
        throw e;
    }
    t.diagnostic(`walkthrough ${((Date.now() - began) / 1000).toFixed(1)} s: ${JSON.stringify(summary)}`);
    assert.equal(summary.invalid_vectors_refused, 21);
    const r = await procs[1].stop();
    assert.equal(r.code, 0, `the operator stops cleanly on SIGTERM\n${dumpLogs()}`);
});
