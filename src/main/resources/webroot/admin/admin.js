// Parley's ops console: this node's /admin/perf, read every second, drawn as plots of the last hour
// (kept in the page), with the thresholds of docs/operations.md drawn on them and breaches highlighted.
import { ParleyClient } from '/client/parley-client.js';
import { el } from '/dom.js';

const client = new ParleyClient();
const root = document.getElementById('console');
const HOUR = 3600;
const COLORS = ['#3659e3', '#12813d', '#b54708', '#9e1fb8', '#0e7490', '#c0262d'];

/** One plot: named series of [time, value] over the last hour, a threshold line, and which side of it is bad. */
class Plot {
  constructor(id, title, { unit = '', threshold = null, bad = 'above', max = null, format = (v) => v.toFixed(1) } = {}) {
    this.id = id;
    this.unit = unit;
    this.threshold = threshold;
    this.bad = bad;
    this.max = max;
    this.format = format;
    this.series = new Map();
    this.canvas = el('canvas', { width: 640, height: 300, 'aria-label': title, role: 'img' });
    this.now = el('span', { class: 'now' }, '…');
    this.legend = el('div', { class: 'legend' });
    this.node = el('section', { class: 'plot', id: 'plot-' + id, 'data-points': 0 },
      el('h2', {}, title, this.now), this.canvas, this.legend);
  }

  add(name, t, v) {
    if (v == null || Number.isNaN(v)) return;
    if (!this.series.has(name)) this.series.set(name, []);
    const points = this.series.get(name);
    points.push([t, v]);
    while (points.length && points[0][0] < t - HOUR * 1000) points.shift();
  }

  breached() {
    if (this.threshold == null) return false;
    for (const points of this.series.values()) {
      const last = points[points.length - 1];
      if (last && (this.bad === 'above' ? last[1] > this.threshold : last[1] < this.threshold)) return true;
    }
    return false;
  }

  draw(now) {
    const c = this.canvas;
    const g = c.getContext('2d');
    const w = c.width;
    const h = c.height;
    g.clearRect(0, 0, w, h);
    let top = this.max ?? 0;
    let count = 0;
    for (const points of this.series.values()) {
      for (const [, v] of points) top = Math.max(top, v);
      count += points.length;
    }
    if (this.threshold != null) top = Math.max(top, this.threshold * 1.25);
    top = top > 0 ? top * 1.1 : 1;
    const span = Math.max(60, Math.min(HOUR, (now - this.start()) / 1000)) * 1000;
    const x = (t) => w - ((now - t) / span) * w;
    const y = (v) => h - 4 - (v / top) * (h - 8);
    g.strokeStyle = '#e3e6eb';
    g.lineWidth = 1;
    for (let i = 1; i < 4; i++) {
      g.beginPath();
      g.moveTo(0, (h * i) / 4);
      g.lineTo(w, (h * i) / 4);
      g.stroke();
    }
    if (this.threshold != null) {
      g.strokeStyle = '#c0262d';
      g.setLineDash([8, 6]);
      g.lineWidth = 2;
      g.beginPath();
      g.moveTo(0, y(this.threshold));
      g.lineTo(w, y(this.threshold));
      g.stroke();
      g.setLineDash([]);
    }
    let i = 0;
    const legend = [];
    for (const [name, points] of this.series) {
      g.strokeStyle = COLORS[i % COLORS.length];
      g.lineWidth = 3;
      g.beginPath();
      points.forEach(([t, v], k) => (k ? g.lineTo(x(t), y(v)) : g.moveTo(x(t), y(v))));
      g.stroke();
      legend.push(el('span', { class: 'c' + (i % COLORS.length) }, name));
      i++;
    }
    this.legend.replaceChildren(...legend);
    const last = [...this.series.values()].map((p) => p[p.length - 1]?.[1]).filter((v) => v != null);
    this.now.textContent = last.length ? this.format(Math.max(...last)) + this.unit + (this.threshold != null ? ' (limit ' + this.format(this.threshold) + this.unit + ')' : '') : 'no data';
    this.node.classList.toggle('breach', this.breached());
    this.node.setAttribute('data-points', String(count));
  }

  start() {
    let s = Date.now();
    for (const p of this.series.values()) if (p.length) s = Math.min(s, p[0][0]);
    return s;
  }
}

function signInForm(note) {
  const error = el('p', { class: 'error', role: 'alert' }, note || '');
  const handle = el('input', { placeholder: 'Admin handle', 'aria-label': 'Handle', id: 'admin-handle', autocomplete: 'username' });
  const password = el('input', { type: 'password', placeholder: 'Password', 'aria-label': 'Password', id: 'admin-password', autocomplete: 'current-password' });
  root.replaceChildren(el('section', { class: 'auth' },
    el('h1', {}, 'Parley ops'),
    el('p', { class: 'muted' }, 'For admins of this node.'),
    el('form', { onsubmit: async (e) => {
      e.preventDefault();
      try {
        await client.signIn({ handle: handle.value.trim(), password: password.value });
        start();
      } catch (err) {
        error.textContent = err.message;
      }
    } }, handle, password, el('button', { class: 'primary', type: 'submit', id: 'admin-signin' }, 'Sign in')),
    error));
}

const plots = {
  messages: new Plot('messages', 'Messages per second', { format: (v) => v.toFixed(1), unit: '/s' }),
  queries: new Plot('queries', 'Query latency p99 (slowest five)', { unit: ' ms', threshold: 500, format: (v) => v.toFixed(2) }),
  cache: new Plot('cache', 'Cache hit rate', { unit: '%', threshold: 80, bad: 'below', max: 100, format: (v) => v.toFixed(0) }),
  lag: new Plot('lag', 'Event-loop lag p99, per node', { unit: ' ms', threshold: 100, format: (v) => v.toFixed(1) }),
  pool: new Plot('pool', 'Database pool in use', { unit: '%', threshold: 50, max: 100, format: (v) => v.toFixed(0) }),
  sockets: new Plot('sockets', 'Sockets per node', { format: (v) => v.toFixed(0) }),
  members: new Plot('members', 'Cluster members', { format: (v) => v.toFixed(0) }),
  delivery: new Plot('delivery', 'Delivery latency (publish to socket)', { unit: ' ms', threshold: 500, format: (v) => v.toFixed(2) }),
  ack: new Plot('ack', 'WebSocket send ack p99', { unit: ' ms', threshold: 500, format: (v) => v.toFixed(2) }),
  queries50: new Plot('queries50', 'Query latency p50 (slowest five)', { unit: ' ms', threshold: 500, format: (v) => v.toFixed(2) }),
  recovery: new Plot('recovery', 'Recovery events per second', { format: (v) => v.toFixed(1), unit: '/s' }),
  redis: new Plot('redis', 'Redis memory', { unit: ' MB', format: (v) => v.toFixed(1) }),
};

let previous = null;
let timer = null;

function start() {
  clearInterval(timer);
  const status = el('span', { class: 'conn', id: 'ops-status' }, 'starting');
  const slow = el('tbody');
  root.replaceChildren(el('div', { class: 'ops' },
    el('header', {}, el('h1', {}, 'Parley ops console'), status,
      el('span', { class: 'muted', id: 'ops-node' }, ''),
      el('a', { href: '/' }, 'Back to the chat')),
    el('div', { class: 'grid' }, Object.values(plots).map((p) => p.node),
      el('section', { class: 'plot wide' }, el('h2', {}, 'Slowest recent queries'),
        el('table', { class: 'slow', id: 'slow-queries' },
          el('thead', {}, el('tr', {}, el('th', {}, 'query'), el('th', {}, 'ms'), el('th', {}, 'at'))), slow)))));
  const tick = async () => {
    let perf;
    try {
      perf = await fetchPerf();
    } catch (err) {
      if (err.status === 401) {
        clearInterval(timer);
        signInForm('Sign in again.');
      } else if (err.status === 403) {
        clearInterval(timer);
        signInForm('This console is for admins; ' + (client.user?.handle || 'this user') + ' is not one.');
      } else {
        status.textContent = 'unreachable: ' + err.message;
        status.className = 'conn offline';
      }
      return;
    }
    status.textContent = 'live';
    status.className = 'conn online';
    document.getElementById('ops-node').textContent = perf.node + ', up ' + Math.round(perf.uptimeSeconds / 60) + ' min · '
      + perf.clusterMembers + ' node' + (perf.clusterMembers === 1 ? '' : 's') + ' in the cluster, '
      + (perf.nodes || []).length + ' reporting';
    record(perf);
    slow.replaceChildren(...(perf.slowQueries || []).slice(0, 10).map((q) =>
      el('tr', {}, el('td', {}, q.query ?? q.name ?? ''), el('td', {}, (q.ms ?? q.millis ?? q.durationMs ?? '').toString()),
        el('td', {}, q.at ?? ''))));
  };
  tick();
  timer = setInterval(tick, 1000);
}

/** /admin/perf with the signed-in admin's token, refreshed by the client when it is about to expire. */
function fetchPerf() {
  return client.api('GET', '/admin/perf', undefined, { root: true });
}

function record(perf) {
  const t = Date.now();
  plots.messages.add('committed', t, perf.messages.committedPerSecond);
  plots.messages.add('delivered', t, perf.messages.deliveredPerSecond);
  const queries = perf.queries.filter((q) => q.outcome !== 'failure' && q.p99Ms != null)
    .sort((a, b) => b.p99Ms - a.p99Ms).slice(0, 5);
  for (const q of queries) plots.queries.add(q.query, t, q.p99Ms);
  for (const [name, c] of Object.entries(perf.cache || {})) if (c.hitRate != null) plots.cache.add(name, t, c.hitRate * 100);
  const q50 = perf.queries.filter((q) => q.outcome !== 'failure' && q.p50Ms != null)
    .sort((a, b) => b.p50Ms - a.p50Ms).slice(0, 5);
  for (const q of q50) plots.queries50.add(q.query, t, q.p50Ms);
  for (const n of perf.nodes || []) {
    plots.lag.add(n.node, t, n.eventLoopLagP99Ms);
    plots.sockets.add(n.node, t, n.sockets);
  }
  if (perf.delivery) {
    plots.delivery.add('p50', t, perf.delivery.p50Ms);
    plots.delivery.add('p99', t, perf.delivery.p99Ms);
  }
  const ratio = perf.pool['ratio.value'] ?? (perf.pool.maxSize ? (perf.pool['in.use.value'] ?? 0) / perf.pool.maxSize : null);
  if (ratio != null) plots.pool.add('in use', t, ratio * 100);
  plots.members.add('members', t, perf.clusterMembers);
  const send = perf.webSocket.find((w) => w.type === 'send');
  if (send?.p99Ms != null) plots.ack.add('send', t, send.p99Ms);
  if (previous) {
    const dt = (t - previous.t) / 1000;
    for (const [event, n] of Object.entries(perf.recovery || {})) {
      plots.recovery.add(event, t, Math.max(0, (n - (previous.recovery[event] || 0)) / dt));
    }
  }
  if (perf.redisUsedMemory != null) plots.redis.add('used', t, perf.redisUsedMemory / 1048576);
  previous = { t, recovery: perf.recovery || {} };
  for (const p of Object.values(plots)) p.draw(t);
}

if (client.session) start();
else signInForm();
