// Daemons for the tests: start-up with a readiness probe (which sees the
// daemon's output, where it may report the port it bound), the port a daemon
// reports in a --port-file, and a stop that always happens (also when a test
// fails or the process exits early).
'use strict';

const fs = require('node:fs');
const { spawn } = require('node:child_process');

const running = new Set();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

// The port a daemon wrote to its --port-file (one decimal line, written
// whole), or 0 while there is none.
function readPortFile(file) {
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return 0;
  }
  const m = /^(\d{1,5})\n$/.exec(text);
  return m && Number(m[1]) >= 1 && Number(m[1]) <= 65535 ? Number(m[1]) : 0;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Starts cmd and waits until ready(output so far) resolves true. Returns
// {child, stop, log}. The last lines of the daemon's output come with any
// start-up failure.
async function startDaemon(name, cmd, args, ready, timeoutMs = 30000) {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let log = '';
  const keep = (chunk) => {
    log = (log + chunk.toString()).slice(-4000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited = null;
  const done = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      running.delete(child);
      resolve();
    });
    child.on('error', (err) => {
      exited = { code: null, signal: null, error: err };
      running.delete(child);
      resolve();
    });
  });
  const stop = async () => {
    if (exited) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await done;
    clearTimeout(timer);
  };
  const deadline = Date.now() + timeoutMs;
  for (let wait = 5; ; wait = Math.min(2 * wait, 50)) {
    if (exited) {
      throw new Error(`${name} exited during start-up (${JSON.stringify(exited)}):\n${log}`);
    }
    if (await ready(log).catch(() => false)) return { child, stop, log: () => log };
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${name} not ready after ${timeoutMs} ms:\n${log}`);
    }
    await sleep(wait);
  }
}

module.exports = { readPortFile, startDaemon, sleep };
