#!/usr/bin/env node
// Measures the contract's library routines with GasProbe on anvil, for
// transactions of every shape (1-4 inputs, 1-4 outputs, in one or two
// tokens), and fits the per-item terms the simulated chain's meter charges for
// them (exitgame/src/meter.c): decoding a signed or unsigned transaction,
// its EIP-712 digest, an output id, an inclusion proof, a signature.
//   node test/gasfit.js          the fitted terms and each measurement's error
//   node test/gasfit.js --json   the measurements as JSON
'use strict';

const { ethers } = require('ethers');
const { Anvil, DEV_ADDRS, DEV_KEYS } = require('./lib/anvil');
const P = require('./lib/plasma');

const A = (i) => DEV_ADDRS[i];
const TOKEN = '0xe7f1725e7734ce288f8367e1bb143e90bb3f0512';
const DOMAIN = P.devDomain();
const DOMAIN_SEPARATOR = ethers.TypedDataEncoder.hashDomain(DOMAIN);

// A payment of nIn inputs and nOut outputs; amounts of a realistic size.
function payment(nIn, nOut, twoTokens) {
  const inputs = Array.from({ length: nIn }, (_, i) => P.pos(1000 * (i + 1), 3 * i, i % 4));
  const outputs = Array.from({ length: nOut }, (_, i) => ({
    owner: A(1 + i), token: twoTokens && i % 2 ? TOKEN : P.ETH, amount: 10n ** 17n * BigInt(i + 1) + 12345n,
  }));
  return P.sign(P.tx({ inputs, outputs, metadata: ethers.toBeHex(0xabcdefn + BigInt(nIn * 8 + nOut), 32) }), Array(nIn).fill(DEV_KEYS[1]));
}

// Least squares of y over the columns of X (rows of equal length).
function fit(X, y) {
  const n = X[0].length;
  const A2 = Array.from({ length: n }, () => Array(n + 1).fill(0));
  X.forEach((row, k) => {
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) A2[i][j] += row[i] * row[j];
      A2[i][n] += row[i] * y[k];
    }
  });
  for (let i = 0; i < n; i++) {
    let p = i;
    for (let r = i + 1; r < n; r++) if (Math.abs(A2[r][i]) > Math.abs(A2[p][i])) p = r;
    [A2[i], A2[p]] = [A2[p], A2[i]];
    for (let r = 0; r < n; r++) {
      if (r === i) continue;
      const f = A2[r][i] / A2[i][i];
      for (let c = i; c <= n; c++) A2[r][c] -= f * A2[i][c];
    }
  }
  return A2.map((row, i) => row[n] / row[i]);
}

async function measure(node, probe) {
  const iface = probe.interface;
  const call = async (method, args) => {
    const data = iface.encodeFunctionData(method, args);
    const ret = await node.rpc.call('eth_call', [{ to: probe.target, data }, 'latest']);
    return iface.decodeFunctionResult(method, ret);
  };
  const out = { signed: [], unsigned: [], digest: [], outputId: [], verify: [], signer: [] };
  for (let nIn = 1; nIn <= 4; nIn++) {
    for (let nOut = 1; nOut <= 4; nOut++) {
      for (const two of [false, true]) {
        const t = payment(nIn, nOut, two);
        const s = P.encodeSigned(t);
        const u = P.encodeUnsigned(t);
        const [gs, ok] = await call('decodeSigned', [s]);
        if (!ok) throw new Error(`signed ${nIn}x${nOut} did not decode`);
        out.signed.push({ nIn, nOut, bytes: ethers.dataLength(s), gas: Number(gs) });
        const [gu] = await call('decodeUnsigned', [u]);
        out.unsigned.push({ nIn, nOut, bytes: ethers.dataLength(u), gas: Number(gu) });
        const [gd, d] = await call('digest', [s, DOMAIN_SEPARATOR]);
        if (d !== P.digest(t, DOMAIN)) throw new Error('digest differs');
        out.digest.push({ nIn, nOut, gas: Number(gd) });
        const [go] = await call('outputId', [u, 0, 0]);
        out.outputId.push({ nIn, bytes: ethers.dataLength(u), gas: Number(go) });
        const [gr] = await call('signer', [s, d, 0]);
        out.signer.push({ gas: Number(gr) });
      }
    }
  }
  for (const token of [P.ETH, TOKEN]) {
    const u = P.encodeUnsigned(P.depositTx(A(2), token, 10n ** 18n));
    const [gu] = await call('decodeUnsigned', [u]);
    out.unsigned.push({ nIn: 0, nOut: 1, bytes: ethers.dataLength(u), gas: Number(gu) });
    const [go] = await call('outputId', [u, 0, 5]);
    out.outputId.push({ nIn: 0, bytes: ethers.dataLength(u), gas: Number(go) });
  }
  const u = P.encodeUnsigned(payment(2, 2, true));
  const tree = new P.Tree([u, u, u]);
  const [gv, ok] = await call('verify', [tree.root, u, 1, tree.proof(1)]);
  if (!ok) throw new Error('proof did not verify');
  out.verify.push({ bytes: ethers.dataLength(u), gas: Number(gv) });
  return out;
}

function report(m) {
  const lines = [];
  const show = (name, rows, cols, names) => {
    const c = fit(rows.map(cols), rows.map((r) => r.gas));
    const err = rows.map((r) => (cols(r).reduce((s, x, i) => s + x * c[i], 0) - r.gas) / r.gas);
    const worst = Math.max(...err.map(Math.abs));
    lines.push(`${name}: ${names.map((n, i) => `${n} ${Math.round(c[i])}`).join(', ')}  (worst ${(100 * worst).toFixed(1)} % of ${rows.length})`);
  };
  // The checks compare every pair of inputs and sum the outputs per output's
  // token: terms in the squares of the counts.
  const shape = (r) => [1, r.nIn, r.nOut, r.nIn * r.nIn, r.nOut * r.nOut];
  const shapeNames = ['base', 'per input', 'per output', 'per input squared', 'per output squared'];
  show('decode signed', m.signed, shape, shapeNames);
  show('decode unsigned', m.unsigned, shape, shapeNames);
  show('digest', m.digest, (r) => [1, r.nIn, r.nOut], ['base', 'per input', 'per output']);
  show('output id', m.outputId, (r) => [1, r.bytes], ['base', 'per byte']);
  lines.push(`signer: ${m.signer[0].gas} (ecrecover and its call included)`);
  lines.push(`verify: ${m.verify[0].gas} (keccak included, a ${m.verify[0].bytes}-byte tx)`);
  return lines.join('\n');
}

async function main() {
  const node = await Anvil.start({});
  try {
    const probe = await node.deploy('GasProbe', []);
    const m = await measure(node, probe);
    console.log(process.argv[2] === '--json' ? JSON.stringify(m, null, 1) : report(m));
  } finally {
    await node.stop();
  }
}

main().catch((err) => {
  console.error(`gasfit: ${err.stack || err.message}`);
  process.exit(1);
});
