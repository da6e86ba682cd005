'use strict';
// The operator's HTTP API (§7, docs/api.md) over node:http: JSON in, JSON
// out, an error answer thrown as an OperatorError carrying its code.

const http = require('node:http');
const https = require('node:https');

class OperatorError extends Error {
    constructor(status, code, message) {
        super(`${status} ${code}: ${message}`);
        this.status = status;
        this.code = code;
    }
}

class OperatorClient {
    constructor(url, { timeoutMs = 10000 } = {}) {
        this.base = new URL(url.endsWith('/') ? url : url + '/');
        this.timeoutMs = timeoutMs;
    }

    // Sends one request; resolves with the status, the headers and the body.
    raw(method, path, { body, accept = 'application/json' } = {}) {
        const url = new URL(path.replace(/^\//, ''), this.base);
        const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
        const headers = { Accept: accept };
        if (data) Object.assign(headers, { 'Content-Type': 'application/json', 'Content-Length': data.length });
        const lib = url.protocol === 'https:' ? https : http;
        return new Promise((resolve, reject) => {
            const req = lib.request(url, { method, headers, timeout: this.timeoutMs }, (res) => {
                const chunks = [];
                res.on('data', (c) => chunks.push(c));
                res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
            });
            req.on('timeout', () => req.destroy(new Error(`${method} ${url.pathname}: no answer in ${this.timeoutMs} ms`)));
            req.on('error', reject);
            req.end(data);
        });
    }

    // A JSON request: the parsed answer, or an OperatorError for an error
    // answer.
    async request(method, path, body) {
        const res = await this.raw(method, path, { body });
        const text = res.body.toString('utf8');
        let json;
        try {
            json = JSON.parse(text);
        } catch {
            throw new Error(`${method} ${path}: ${res.status}, not JSON: ${text.slice(0, 200)}`);
        }
        if (res.status >= 200 && res.status < 300) return json;
        if (json && json.error && typeof json.error.code === 'string')
            throw new OperatorError(res.status, json.error.code, json.error.message);
        throw new Error(`${method} ${path}: ${res.status} without an error object`);
    }

    status() {
        return this.request('GET', '/v1/status');
    }

    submit(signedRlp) {
        return this.request('POST', '/v1/transactions', { tx: signedRlp });
    }

    submitBatch(signedRlps) {
        return this.request('POST', '/v1/transactions/batch', { txs: signedRlps });
    }

    transaction(txhash) {
        return this.request('GET', `/v1/transactions/${txhash}`);
    }

    inFlightExitData(txhash) {
        return this.request('GET', `/v1/transactions/${txhash}/in-flight-exit-data`);
    }

    block(blknum) {
        return this.request('GET', `/v1/blocks/${blknum}`);
    }

    // The block's binary form (docs/api.md): the raw bytes, or null when the
    // answer is not application/octet-stream.
    async blockBinary(blknum) {
        const res = await this.raw('GET', `/v1/blocks/${blknum}`, { accept: 'application/octet-stream' });
        if (res.status !== 200) throw new Error(`GET /v1/blocks/${blknum} (binary): ${res.status}`);
        return res.headers['content-type'] === 'application/octet-stream' ? res.body : null;
    }

    utxos(owner) {
        return this.request('GET', `/v1/utxos?owner=${owner}`);
    }

    utxo(pos) {
        return this.request('GET', `/v1/utxos/${pos}`);
    }

    exitData(pos) {
        return this.request('GET', `/v1/utxos/${pos}/exit-data`);
    }
}

module.exports = { OperatorClient, OperatorError };
