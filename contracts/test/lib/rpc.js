// JSON over HTTP to a local node: JSON-RPC (with batches) for anvil, plain
// JSON requests for plasma-rootchain. One keep-alive agent per client.
'use strict';

const http = require('node:http');

// A kept-alive connection that the server closes just as a request goes
// out on it fails with ECONNRESET before the server read anything: such a
// request is sent once more on a new connection. Any other error stands.
async function request(agent, url, method, body) {
  try {
    return await requestOnce(agent, url, method, body);
  } catch (err) {
    if (!err.reusedSocket || err.code !== 'ECONNRESET') throw err;
    return requestOnce(agent, url, method, body);
  }
}

function requestOnce(agent, url, method, body) {
  const u = new URL(url);
  const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  const headers = data ? { 'content-type': 'application/json', 'content-length': data.length } : {};
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: u.hostname, port: u.port, path: u.pathname + u.search, method, headers, agent },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          try {
            resolve({ status: res.statusCode, body: text ? JSON.parse(text) : null });
          } catch (err) {
            reject(new Error(`${method} ${url}: status ${res.statusCode}, not JSON: ${text.slice(0, 200)}`));
          }
        });
      },
    );
    req.on('error', (err) => {
      err.reusedSocket = req.reusedSocket;
      reject(err);
    });
    req.setTimeout(60000, () => req.destroy(new Error(`${method} ${url}: no answer in 60 s`)));
    if (data) req.write(data);
    req.end();
  });
}

class RpcError extends Error {
  constructor(method, error) {
    super(`${method}: ${error.message}`);
    this.code = error.code;
    this.data = error.data;
  }
}

// A JSON-RPC client: call(method, params) and batch([[method, params], ...]).
class Rpc {
  constructor(url) {
    this.url = url;
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
    this.nextId = 1;
  }

  async call(method, params = []) {
    const [r] = await this.batch([[method, params]]);
    if (r.error) throw new RpcError(method, r.error);
    return r.result;
  }

  // Answers in request order, each {result} or {error}.
  async batch(calls) {
    if (calls.length === 0) return [];
    const first = this.nextId;
    this.nextId += calls.length;
    const body = calls.map(([method, params], i) => ({ jsonrpc: '2.0', id: first + i, method, params }));
    const res = await request(this.agent, this.url, 'POST', body);
    if (!Array.isArray(res.body)) throw new Error(`batch to ${this.url}: status ${res.status}`);
    const byId = new Map(res.body.map((r) => [r.id, r]));
    return body.map((b) => byId.get(b.id));
  }

  // Results of a batch, throwing on the first error.
  async all(calls) {
    const answers = await this.batch(calls);
    return answers.map((r, i) => {
      if (r.error) throw new RpcError(calls[i][0], r.error);
      return r.result;
    });
  }

  close() {
    this.agent.destroy();
  }
}

// Plain JSON requests: get(path), post(path, body) → {status, body}.
class JsonClient {
  constructor(base) {
    this.base = base;
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  }

  get(path) {
    return request(this.agent, this.base + path, 'GET');
  }

  post(path, body) {
    return request(this.agent, this.base + path, 'POST', body);
  }

  close() {
    this.agent.destroy();
  }
}

module.exports = { Rpc, RpcError, JsonClient, request };
