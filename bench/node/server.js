'use strict';
// A minimal rate broadcaster on Node.js and the `ws` package: the peer the load tool measures side by side with
// ratehub (and with the raw Tyrus peer, io.ratehub.examples.load.TyrusRawTarget, which behaves identically).
// Deliberately what a team would hand-roll: no auth, no recovery, no queues of its own; one frame string per store
// per tick, handed to ws.send() for every subscriber.
//
//   node --expose-gc bench/node/server.js --port 0 --stores 10 --pairs 20
//
// Control channel: stdin/stdout, one line per message. Prints `READY <port> <path>` once listening, then answers
// each command with one line: `RATE <n>` -> OK, `HEAP` -> HEAP <bytes>, `STATS` -> STATS <ticks> <updatesSent>,
// anything else -> ERR <message>; `STOP` exits 0 without an answer, and so does the end of stdin. Nothing else
// goes to stdout.

const readline = require('node:readline');
const { performance } = require('node:perf_hooks');
const { WebSocketServer } = require('ws');

const ALL_PAIRS = [
  'USD/CAD', 'EUR/CAD', 'GBP/CAD', 'CAD/JPY', 'AUD/CAD', 'CHF/CAD', 'CAD/MXN', 'NZD/CAD', 'CAD/SEK', 'CAD/NOK',
  'CAD/DKK', 'CAD/HKD', 'CAD/SGD', 'CAD/CNY', 'CAD/INR', 'CAD/KRW', 'CAD/BRL', 'CAD/ZAR', 'CAD/PLN', 'CAD/TRY',
];
const PATH = '/raw';
const MAX_BURST = 64; // ticks emitted back to back before yielding to I/O when behind schedule

function usage(message) {
  process.stderr.write(`${message}\nusage: node --expose-gc server.js [--port N] [--stores N] [--pairs 1..20]\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const options = { port: 0, stores: 10, pairs: 20 };
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i];
    const value = argv[i + 1];
    if (!['--port', '--stores', '--pairs'].includes(name)) usage(`unknown option: ${name}`);
    if (value === undefined || !/^\d+$/.test(value)) usage(`${name} needs a non-negative integer`);
    options[name.slice(2)] = Number(value);
  }
  if (options.port > 65535) usage('--port must be 0..65535');
  if (options.stores < 1) usage('--stores must be at least 1');
  if (options.pairs < 1 || options.pairs > ALL_PAIRS.length) usage(`--pairs must be 1..${ALL_PAIRS.length}`);
  return options;
}

const options = parseArgs(process.argv.slice(2));

// ---- Control channel output: one line, written at once (stdout to a pipe or file is synchronous on Linux). ----
process.stdout.on('error', () => process.exit(0)); // the parent went away
function reply(line) {
  process.stdout.write(`${line}\n`);
}

// ---- Stores: one channel each, with its sequence number and its subscribers. ----
const stores = new Map(); // channel name -> { id, channel, seq, clients }
for (let i = 0; i < options.stores; i++) {
  const id = `s${i}`;
  const channel = `store:${id}:rates`;
  stores.set(channel, { id, channel, seq: 0, clients: new Set() });
}
const storeList = [...stores.values()];

// ---- Market: round-robin over the pairs, each mid a tiny random walk from 1.30000. ----
const pairs = ALL_PAIRS.slice(0, options.pairs).map((pair) => ({ pair, mid: 1.3 }));
let ticks = 0;
let updatesSent = 0;

// Wall clock with microseconds: Date has only milliseconds, so use the high-resolution clock anchored at the
// process's time origin. (Being monotonic, it does not follow wall-clock steps made after the process started.)
function isoMicros() {
  const micros = Math.floor((performance.timeOrigin + performance.now()) * 1000);
  const millis = Math.floor(micros / 1000);
  return `${new Date(millis).toISOString().slice(0, 23)}${String(micros % 1000).padStart(3, '0')}Z`;
}

function tick() {
  const p = pairs[ticks % pairs.length];
  ticks++;
  p.mid *= 1 + (Math.random() - 0.5) * 0.0001;
  const mid = p.mid.toFixed(5);
  const buy = (p.mid * (1 - 0.005)).toFixed(5);
  const sell = (p.mid * (1 + 0.005)).toFixed(5);
  const time = isoMicros();
  for (const store of storeList) {
    store.seq++;
    const frame = `{"type":"update","channel":"${store.channel}","epoch":"bench","seq":${store.seq},`
      + `"key":"${p.pair}","event":{"type":"rate_update","rate":{"storeId":"${store.id}","pair":"${p.pair}",`
      + `"buy":"${buy}","sell":"${sell}","mid":"${mid}","basis":"MARKET","asOf":"${time}","validUntil":null,`
      + `"stale":false},"time":"${time}"}}`;
    for (const ws of store.clients) {
      ws.send(frame);
      updatesSent++;
    }
  }
}

// Pacing: timers are only millisecond-precise, so each wake-up emits however many ticks are due since the rate was
// set (at most MAX_BURST at a time, then setImmediate lets I/O in before the rest), then sleeps until the next one.
let rate = 0;
let rateStart = 0; // performance.now() when the rate was set
let emittedAtRate = 0;
let timer = null; // the pending setTimeout, or null
let immediate = null; // the pending setImmediate, or null

function schedule(delayMs) {
  if (delayMs <= 0) {
    immediate = setImmediate(run);
  } else {
    timer = setTimeout(run, delayMs);
  }
}

function cancel() {
  if (timer !== null) clearTimeout(timer);
  if (immediate !== null) clearImmediate(immediate);
  timer = null;
  immediate = null;
}

function run() {
  timer = null;
  immediate = null;
  if (rate === 0) return;
  const due = Math.floor(((performance.now() - rateStart) * rate) / 1000);
  const n = Math.min(due - emittedAtRate, MAX_BURST);
  for (let i = 0; i < n; i++) tick();
  emittedAtRate += n;
  if (emittedAtRate < due) {
    schedule(0);
  } else {
    const next = rateStart + ((emittedAtRate + 1) * 1000) / rate;
    schedule(Math.max(1, next - performance.now()));
  }
}

function setRate(ticksPerSecond) {
  cancel();
  rate = ticksPerSecond;
  rateStart = performance.now();
  emittedAtRate = 0;
  if (rate > 0) schedule(0);
}

// ---- Control commands. ----
function heapUsed() {
  if (typeof global.gc === 'function') { // only with node --expose-gc
    global.gc();
    global.gc();
  }
  // V8's used heap plus memory held outside it by JS objects (`external`, which already includes the
  // ArrayBuffers and Buffers counted again in `arrayBuffers`, so that one is not added).
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

function command(line) {
  const words = line.trim().split(/\s+/);
  switch (words[0]) {
    case 'RATE':
      if (words.length !== 2 || !/^\d+$/.test(words[1]) || !Number.isSafeInteger(Number(words[1]))) {
        reply('ERR usage: RATE <ticksPerSecond>');
      } else {
        setRate(Number(words[1]));
        reply('OK');
      }
      break;
    case 'HEAP':
      reply(`HEAP ${heapUsed()}`);
      break;
    case 'STATS':
      reply(`STATS ${ticks} ${updatesSent}`);
      break;
    case 'STOP': // no answer, like the end of stdin
      process.exit(0);
      break;
    default:
      reply(`ERR unknown command: ${line.trim()}`);
  }
}

// ---- WebSocket endpoint. ----
const wss = new WebSocketServer({ host: '127.0.0.1', port: options.port, path: PATH });

wss.on('connection', (ws) => {
  const subscribed = new Set();
  ws.on('message', (data, isBinary) => {
    if (isBinary) return;
    let msg;
    try {
      msg = JSON.parse(data.toString());
    } catch {
      return;
    }
    if (msg === null || typeof msg !== 'object' || msg.op !== 'subscribe') return; // auth and the rest: ignored
    const store = stores.get(msg.channel);
    if (store === undefined) {
      ws.send(JSON.stringify({ type: 'error', id: msg.id, code: 'forbidden', message: 'no such channel' }));
      return;
    }
    // Single-threaded: no tick can run between reading seq and joining the set.
    ws.send(JSON.stringify({
      type: 'subscribed', id: msg.id, channel: store.channel, kind: 'STATE', epoch: 'bench', seq: store.seq,
      recovery: 'SNAPSHOT', count: 0,
    }));
    store.clients.add(ws);
    subscribed.add(store);
  });
  ws.on('close', () => {
    for (const store of subscribed) store.clients.delete(ws);
  });
  ws.on('error', (err) => process.stderr.write(`connection error: ${err.message}\n`));
});

wss.on('error', (err) => {
  process.stderr.write(`server error: ${err.message}\n`);
  process.exit(1);
});

wss.on('listening', () => {
  reply(`READY ${wss.address().port} ${PATH}`);
  const rl = readline.createInterface({ input: process.stdin, terminal: false });
  rl.on('line', command);
  rl.on('close', () => process.exit(0)); // stdin EOF: the parent is gone or done
});
