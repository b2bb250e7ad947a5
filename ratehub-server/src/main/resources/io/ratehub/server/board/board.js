// ratehub rate board: one store's rates, live, over the public wire protocol (docs/PROTOCOL.md).
// No build step, no dependencies. Address: /board/#store=<id>&key=<api key>   (or &token=<JWT>)
'use strict';
(function () {
  const LIVENESS_MS = 5000;        // nothing received for this long: no rate is shown live (inside the market's 10 s)
  const PING_AFTER_MS = 2000;      // this long silent: send {"op":"ping"} (browsers cannot see WebSocket pings)
  const DEAD_LINK_MS = 15000;      // nothing received for this long: the link is dead, replace it
  const BACKOFF_MIN_MS = 500;
  const BACKOFF_MAX_MS = 10000;
  const FLASH_MS = 1200;

  const params = new URLSearchParams(location.hash.slice(1));
  const store = params.get('store');
  const apiKey = params.get('key');
  const token = params.get('token');
  const wsPath = document.querySelector('meta[name="ratehub-ws-path"]').content;

  const $ = (id) => document.getElementById(id);
  window.addEventListener('error', (e) => { $('error').textContent = 'page error: ' + e.message; });
  const statusEl = $('status');
  const tbody = document.querySelector('#rates tbody');

  const rows = new Map();          // pair -> {rate, tr}
  let ws = null;
  let position = null;             // {epoch, seq}: where to resume after a reconnect
  let catchUpLeft = 0;             // catch-up updates still expected after "subscribed"
  let catchUpHead = null;          // the channel head announced by "subscribed"
  let subscribed = false;
  let attempts = 0;
  let lastReceived = 0;
  let serverOffsetMs = 0;          // server clock minus this browser's clock, from "welcome"
  let stopped = false;
  let reconnectAt = 0;
  let reconnectTimer = null;

  if (!store || !(apiKey || token)) {
    const form = $('login');
    form.hidden = false;
    setStatus('offline', 'NOT LIVE: no store or key given');
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const data = new FormData(form);
      location.hash = new URLSearchParams({store: data.get('store'), key: data.get('key')}).toString();
      location.reload();
    });
    return;
  }
  $('store').textContent = store;
  document.title = 'Rates ' + store;
  const channel = 'store:' + store + ':rates';

  function setStatus(state, text) {
    statusEl.dataset.state = state;
    statusEl.textContent = text;
    document.body.classList.toggle('not-live', state !== 'live');
  }

  function connected() {
    return ws !== null && ws.readyState === WebSocket.OPEN && subscribed && catchUpLeft === 0;
  }

  function connect() {
    reconnectTimer = null;
    if (stopped) {
      return;
    }
    setStatus('connecting', attempts === 0 ? 'NOT LIVE: connecting...' : 'NOT LIVE: reconnecting (attempt ' + (attempts + 1) + ')');
    const scheme = location.protocol === 'https:' ? 'wss://' : 'ws://';
    const socket = new WebSocket(scheme + location.host + wsPath);
    ws = socket;
    lastReceived = Date.now(); // a link that does not open within DEAD_LINK_MS is replaced too
    subscribed = false;
    socket.onopen = () => {
      lastReceived = Date.now();
      const auth = {op: 'auth', id: 'auth'};
      if (token) { auth.token = token; } else { auth.apiKey = apiKey; }
      socket.send(JSON.stringify(auth));
    };
    socket.onmessage = (e) => {
      if (socket !== ws) { return; }
      lastReceived = Date.now();
      let msg;
      try { msg = JSON.parse(e.data); } catch (err) { msg = null; }
      if (msg === null || typeof msg !== 'object') { showError('unreadable frame from the server'); return; }
      onMessage(msg);
    };
    socket.onclose = (e) => {
      if (socket !== ws) { return; }
      ws = null;
      subscribed = false;
      refreshLiveness();
      if (e.code === 4001 || e.code === 4003) {
        stopped = true;
        setStatus('failed', 'NOT LIVE: ' + (e.reason || 'not allowed') + ' (check the key)');
        return;
      }
      scheduleReconnect();
    };
  }

  function scheduleReconnect() {
    attempts++;
    const cap = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * Math.pow(2, Math.min(attempts - 1, 10)));
    const delay = Math.round(cap / 2 + Math.random() * cap / 2);
    reconnectAt = Date.now() + delay;
    setStatus('offline', 'NOT LIVE: connection lost, reconnecting in ' + Math.ceil(delay / 1000) + ' s');
    reconnectTimer = setTimeout(connect, delay);
  }

  function onMessage(msg) {
    switch (msg.type) {
      case 'welcome': {
        serverOffsetMs = Date.parse(msg.time) - Date.now();
        const sub = {op: 'subscribe', id: 'sub', channel: channel};
        if (position) { sub.from = position; }
        ws.send(JSON.stringify(sub));
        break;
      }
      case 'subscribed':
        if (msg.recovery === 'SNAPSHOT' || msg.recovery === 'RESET') {
          rows.forEach((r) => r.tr.remove());
          rows.clear();
        }
        subscribed = true;
        catchUpLeft = msg.count || 0;
        catchUpHead = {epoch: msg.epoch, seq: msg.seq};
        if (catchUpLeft === 0) { position = catchUpHead; }
        attempts = 0;
        showError('');
        refreshLiveness();
        break;
      case 'update':
        onUpdate(msg);
        break;
      case 'batch':
        (Array.isArray(msg.updates) ? msg.updates : []).forEach(onUpdate);
        break;
      case 'error':
        showError(msg.code + ': ' + msg.message);
        if (msg.id === 'sub') { // the subscription itself was refused (no such store, not yours): retrying won't help
          stopped = true;
          const refused = ws;
          ws = null;
          refused.close(1000, 'subscription refused');
          setStatus('failed', 'NOT LIVE: ' + msg.code + ': ' + msg.message);
        }
        break;
      default:
        break; // pong, reply: nothing to do beyond the liveness already noted
    }
  }

  function onUpdate(u) {
    if (u === null || typeof u !== 'object' || u.channel !== channel) { return; }
    if (catchUpLeft > 0) {
      catchUpLeft--;
      if (catchUpLeft === 0) { position = catchUpHead; }
    } else {
      position = {epoch: u.epoch, seq: u.seq};
    }
    if (u.removed) {
      const row = rows.get(u.key);
      if (row) { row.tr.remove(); rows.delete(u.key); }
    } else if (u.event && u.event.type === 'rate_update' && u.event.rate && typeof u.event.rate.pair === 'string') {
      upsert(u.event.rate);
    }
    $('last').textContent = 'last update ' + new Date().toLocaleTimeString();
    refreshLiveness();
  }

  function upsert(rate) {
    let row = rows.get(rate.pair);
    if (!row) {
      const tr = document.createElement('tr');
      tr.dataset.pair = rate.pair;
      for (const c of ['pair', 'buy', 'sell', 'basis', 'time', 'state']) {
        const td = document.createElement('td');
        td.className = c;
        tr.appendChild(td);
      }
      tr.querySelector('.pair').textContent = rate.pair;
      row = {rate: null, tr: tr};
      rows.set(rate.pair, row);
      insertSorted(tr, rate.pair);
    }
    const old = row.rate;
    row.rate = rate;
    setPrice(row.tr.querySelector('.buy'), old && old.buy, rate.buy);
    setPrice(row.tr.querySelector('.sell'), old && old.sell, rate.sell);
    row.tr.querySelector('.basis').textContent = rate.basis;
    const time = row.tr.querySelector('.time');
    time.textContent = new Date(rate.asOf).toLocaleTimeString();
    time.title = rate.asOf;
  }

  function insertSorted(tr, pair) {
    for (const other of tbody.children) {
      if (other.dataset.pair > pair) { tbody.insertBefore(tr, other); return; }
    }
    tbody.appendChild(tr);
  }

  // Prices are shown exactly as sent (decimal strings); numbers are only compared for the flash.
  function setPrice(td, before, after) {
    td.textContent = after;
    if (before == null || before === after) { return; }
    td.classList.remove('up', 'down');
    void td.offsetWidth; // restart the animation
    td.classList.add(Number(after) > Number(before) ? 'up' : 'down');
    clearTimeout(td.flashTimer);
    td.flashTimer = setTimeout(() => td.classList.remove('up', 'down'), FLASH_MS);
  }

  // A rate is live when the link is up and subscribed, the server does not call it stale and its override has
  // not ended. Anything else is shown as not live: the board never shows an old rate as current.
  function notLiveBecause(rate) {
    if (!connected()) { return 'no connection'; }
    if (Date.now() - lastReceived > LIVENESS_MS) { return 'no traffic'; }
    if (rate.stale) { return 'stale'; }
    if (rate.validUntil && Date.parse(rate.validUntil) <= Date.now() + serverOffsetMs) { return 'override ended'; }
    return null;
  }

  function refreshLiveness() {
    rows.forEach((row) => {
      const why = notLiveBecause(row.rate);
      row.tr.dataset.live = why === null ? 'true' : 'false';
      row.tr.querySelector('.state').textContent = why === null ? 'live' : 'NOT LIVE: ' + why;
    });
    $('empty').hidden = rows.size > 0;
    if (connected()) {
      const stale = [...rows.values()].filter((r) => notLiveBecause(r.rate) !== null).length;
      setStatus('live', stale === 0 ? 'LIVE' : 'LIVE (' + stale + ' not live)');
    } else if (ws !== null && ws.readyState === WebSocket.OPEN) {
      setStatus('connecting', 'NOT LIVE: catching up');
    } else if (reconnectTimer !== null) {
      setStatus('offline', 'NOT LIVE: connection lost, reconnecting in '
          + Math.max(0, Math.ceil((reconnectAt - Date.now()) / 1000)) + ' s');
    }
  }

  function showError(text) {
    $('error').textContent = text;
  }

  // Every second: ping a quiet link (at most every PING_AFTER_MS: 30 of the 100 messages a minute allows, and only
  // while nothing else arrives), replace a link that went silent (or never opened), and re-judge every row.
  let lastPing = 0;
  setInterval(() => {
    const now = Date.now();
    if (ws !== null && ws.readyState === WebSocket.OPEN && now - lastReceived >= PING_AFTER_MS
        && now - lastPing >= PING_AFTER_MS) {
      lastPing = now;
      ws.send(JSON.stringify({op: 'ping', id: 'hb'}));
    }
    if (ws !== null && Date.now() - lastReceived > DEAD_LINK_MS) {
      const dead = ws;
      dead.onclose({code: 4000, reason: 'no traffic'}); // reconnects; the real close event is then ignored
      dead.close(4000, 'no traffic');
    }
    refreshLiveness();
  }, 1000);
  window.addEventListener('online', () => { if (reconnectTimer !== null) { clearTimeout(reconnectTimer); connect(); } });
  connect();
})();
