// Seeded randomness for the differential test's model: a small generator
// that is the same on every platform, weighted choices, and mutations of
// encodings.
'use strict';

const { ethers } = require('ethers');

// mulberry32: small, fast, and the same on every platform.
function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    chance: (p) => next() < p,
    pick: (arr) => arr[Math.floor(next() * arr.length)],
    big: (lo, hi) => lo + (BigInt(Math.floor(next() * 2 ** 32)) * (hi - lo + 1n)) / 2n ** 32n,
  };
}

// Picks one of [weight, fn] by weight.
function weighted(r, choices) {
  const total = choices.reduce((s, [w]) => s + w, 0);
  let x = r.next() * total;
  for (const [w, fn] of choices) {
    if ((x -= w) < 0) return fn();
  }
  return choices[choices.length - 1][1]();
}

// A few random edits of an encoding, so that both decoders meet the same
// near-miss bytes: flipped, dropped, inserted or repeated bytes, and
// headers one off.
function mutate(r, hex) {
  const b = Array.from(ethers.getBytes(hex));
  const edits = 1 + r.int(2);
  for (let e = 0; e < edits; e++) {
    const at = r.int(b.length);
    weighted(r, [
      [3, () => { b[at] ^= 1 << r.int(8); }],
      [2, () => { b[at] = r.int(256); }],
      [2, () => { b.splice(at, 1); }],
      [2, () => { b.splice(at, 0, r.int(256)); }],
      [1, () => { b.splice(at, 0, ...b.slice(at, at + 1 + r.int(8))); }],
      [2, () => { b[at] = (b[at] + (r.chance(0.5) ? 1 : 255)) & 0xff; }],
    ]);
  }
  return ethers.hexlify(Uint8Array.from(b));
}

module.exports = { rng, weighted, mutate };
