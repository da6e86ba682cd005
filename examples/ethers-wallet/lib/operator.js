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

    request(method, path, body) {
        const url = new URL(path.replace(/^\//, ''), this.base);
        const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
        const headers = { Accept: 'application/json' };
        if (data) Object.assign(headers, { 'Content-Type': 'application/json', 'Content-Length': data.length });
        const lib = url.protocol === 'https:' ? https : http;
        return new Promise((resolve, reject) => {
            const req = lib.request(url, { method, headers, timeout: this.timeoutMs }, (res) => {
                const chunks = [];
                res.on('data', (c) => chunks.push(c));
                res.on('end', () => {
                    const text = Buffer.concat(chunks).toString('utf8');
                    let json;
                    try {
                        json = JSON.parse(text);
                    } catch (e) {
                        reject(new Error(`${method} ${url.pathname}: ${res.statusCode}, not JSON: ${text.slice(0, 200)}`));
                        return;
                    }
                    if (res.statusCode >= 200 && res.statusCode < 300) resolve(json);
                    else if (json && json.error && typeof json.error.code === 'string')
                        reject(new OperatorError(res.statusCode, json.error.code, json.error.message));
                    else reject(new Error(`${method} ${url.pathname}: ${res.statusCode} without an error object`));
                });
            });
            req.on('timeout', () => req.destroy(new Error(`${method} ${url.pathname}: no answer in ${this.timeoutMs} ms`)));
            req.on('error', reject);
            req.end(data);
        });
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
