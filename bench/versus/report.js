// Builds the result of scripts/bench versus from the driver runs in WORK: both sides, the ratios, the
// goals of docs/benchmarks.md marked met or missed, and a chart (an HTML page with an SVG bar chart).
// usage: node bench/versus/report.js WORK OUT.json COMMAND
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const [work, out, command] = process.argv.slice(2);

function load(name) {
  const f = path.join(work, name + '.json');
  return fs.existsSync(f) ? JSON.parse(fs.readFileSync(f, 'utf8')) : null;
}

function side(sys) {
  const fanout = {};
  let knee = 0;
  for (const f of fs.readdirSync(work).filter((n) => n.startsWith(sys + '-fanout-') && n.endsWith('.json'))) {
    const rate = +f.slice((sys + '-fanout-').length, -5);
    const r = load(f.slice(0, -5));
    const ok = r && !r.aborted && r.lost === 0 && r.acked === r.sent && r.latencyMs && r.latencyMs.p99 < 50;
    fanout[rate] = {
      offered: rate, deliveriesPerSec: r.deliveriesPerSec, deliveriesPerCpuSecond: per(r.deliveries, r.serverCpuSeconds),
      p50: r.latencyMs && r.latencyMs.p50, p99: r.latencyMs && r.latencyMs.p99, lost: r.lost, duplicates: r.duplicates,
      reordered: r.reordered, unacked: r.unacked, serverCpuSeconds: r.serverCpuSeconds, serverThreads: r.serverThreads,
      underKnee: !!ok, aborted: r.aborted,
    };
  }
  // the knee: the highest rate under which every measured rate, and it, had p99 < 50 ms and nothing lost
  for (const rate of Object.keys(fanout).map(Number).sort((a, b) => a - b)) {
    if (!fanout[rate].underKnee) break;
    knee = rate;
  }
  const pages = (r) => r && { pagesPerSec: r.reqPerSec, p50: r.latencyMs.p50, p99: r.latencyMs.p99, errors: r.errors,
    pagesPerCpuSecond: per(r.requests, r.serverCpuSeconds), avgBytes: r.avgBytes, serverCpuSeconds: r.serverCpuSeconds,
    serverThreads: r.serverThreads };
  const s = load(sys + '-send');
  return {
    fanout, knee,
    historyLatest: pages(load(sys + '-history-latest')),
    historyCursor: pages(load(sys + '-history-cursor')),
    send: s && { acksPerSec: s.acksPerSec, ackP50: s.ackLatencyMs.p50, ackP99: s.ackLatencyMs.p99, ackErrors: s.ackErrors,
      unacked: s.unacked, acksPerCpuSecond: per(s.acked, s.serverCpuSeconds), serverCpuSeconds: s.serverCpuSeconds,
      serverThreads: s.serverThreads },
    idle: load(sys + '-idle'),
  };
}

function per(n, cpu) {
  return cpu > 0 ? Math.round(n / cpu) : null;
}

function ratio(a, b) {
  return a != null && b ? +(a / b).toFixed(2) : null;
}

const parley = side('parley');
const peer = side('peer');
const goals = [];
function goal(name, value, target, met, note) {
  goals.push({ name, value, target, met: !!met, note });
}
for (const rate of [200, 400]) {
  const a = parley.fanout[rate], b = peer.fanout[rate];
  if (a && b) {
    const r = ratio(a.deliveriesPerCpuSecond, b.deliveriesPerCpuSecond);
    goal(`fan-out ${rate} msg/s: deliveries per server CPU-s`, r, '>= 2.5x the peer', r >= 2.5);
    goal(`fan-out ${rate} msg/s: p99`, ratio(a.p99, b.p99), "<= 0.5x the peer's", a.p99 <= b.p99 / 2,
      `${a.p99} ms vs ${b.p99} ms`);
  }
}
const kneeText = (s) => (s.knee ? `${s.knee}` : `under ${Math.min(...Object.keys(s.fanout).map(Number))}`);
goal('fan-out knee (highest rate with p99 < 50 ms, nothing lost)', ratio(parley.knee, peer.knee), '>= 2.5x the peer',
  peer.knee ? ratio(parley.knee, peer.knee) >= 2.5 : false, `${kneeText(parley)} vs ${kneeText(peer)} msg/s`);
const lostDup = Object.values(parley.fanout).reduce((n, f) => n + (f.lost || 0) + (f.duplicates || 0), 0);
goal('fan-out: lost and duplicated deliveries (Parley, every step)', lostDup, '0', lostDup === 0);
for (const [key, label, target] of [['historyLatest', 'history, newest pages', 2], ['historyCursor', 'history, cursor pages', 1.5]]) {
  const a = parley[key], b = peer[key];
  if (a && b) {
    goal(`${label}: pages/s`, ratio(a.pagesPerSec, b.pagesPerSec), `>= ${target}x the peer`, ratio(a.pagesPerSec, b.pagesPerSec) >= target);
    goal(`${label}: p99`, ratio(a.p99, b.p99), "<= the peer's", a.p99 <= b.p99, `${a.p99} ms vs ${b.p99} ms`);
  }
}
if (parley.send && peer.send) {
  goal('acked sends: sends/s', ratio(parley.send.acksPerSec, peer.send.acksPerSec), '>= 2x the peer',
    ratio(parley.send.acksPerSec, peer.send.acksPerSec) >= 2);
  goal('acked sends: ack p99', ratio(parley.send.ackP99, peer.send.ackP99), "<= 0.5x the peer's",
    parley.send.ackP99 <= peer.send.ackP99 / 2, `${parley.send.ackP99} ms vs ${peer.send.ackP99} ms`);
}
if (parley.idle) {
  goal('an idle Parley node: % of one core', parley.idle.pctOfOneCorePerProcess, '<= 0.5', parley.idle.pctOfOneCorePerProcess <= 0.5,
    peer.idle ? `peer process: ${peer.idle.pctOfOneCorePerProcess}` : undefined);
}

const result = {
  scenario: 'versus', at: new Date().toISOString(), command,
  machine: { cores: os.cpus().length, memoryGiB: Math.round(os.totalmem() / 2 ** 30), os: `${os.type()} ${os.release()}`,
    node: process.version },
  parley, peer,
  ratios: {
    fanout200PerCpu: ratio(parley.fanout[200]?.deliveriesPerCpuSecond, peer.fanout[200]?.deliveriesPerCpuSecond),
    fanout400PerCpu: ratio(parley.fanout[400]?.deliveriesPerCpuSecond, peer.fanout[400]?.deliveriesPerCpuSecond),
    knee: ratio(parley.knee, peer.knee),
    historyLatest: ratio(parley.historyLatest?.pagesPerSec, peer.historyLatest?.pagesPerSec),
    historyCursor: ratio(parley.historyCursor?.pagesPerSec, peer.historyCursor?.pagesPerSec),
    sends: ratio(parley.send?.acksPerSec, peer.send?.acksPerSec),
  },
  goals, work,
};
fs.writeFileSync(out, JSON.stringify(result, null, 2) + '\n');

// the chart: one bar per ratio, the goal as a tick
const bars = [
  ['fan-out 200/s, per CPU', result.ratios.fanout200PerCpu, 2.5], ['fan-out 400/s, per CPU', result.ratios.fanout400PerCpu, 2.5],
  ['fan-out knee', result.ratios.knee, 2.5], ['history newest', result.ratios.historyLatest, 2],
  ['history cursor', result.ratios.historyCursor, 1.5], ['acked sends', result.ratios.sends, 2],
];
const max = Math.max(3, ...bars.map((b) => b[1] || 0)) * 1.1;
const w = 640, rowH = 34, left = 170, h = bars.length * rowH + 40;
const x = (v) => left + (v / max) * (w - left - 20);
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]));
let svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" font-family="sans-serif" font-size="12">`;
svg += `<line x1="${x(1)}" y1="10" x2="${x(1)}" y2="${h - 25}" stroke="#999" stroke-dasharray="3,3"/>`;
svg += `<text x="${x(1)}" y="${h - 10}" text-anchor="middle" fill="#666">1x (even)</text>`;
bars.forEach(([label, v, g], i) => {
  const y = 15 + i * rowH;
  svg += `<text x="${left - 8}" y="${y + 14}" text-anchor="end">${esc(label)}</text>`;
  if (v != null) {
    svg += `<rect x="${left}" y="${y}" width="${Math.max(1, x(v) - left)}" height="20" fill="${v >= g ? '#2e7d32' : '#c62828'}"/>`;
    svg += `<text x="${x(v) + 4}" y="${y + 14}">${v}x</text>`;
  }
  svg += `<line x1="${x(g)}" y1="${y - 3}" x2="${x(g)}" y2="${y + 23}" stroke="#000" stroke-width="2"/>`;
});
svg += '</svg>';
const rows = goals.map((g) => `<tr><td>${esc(g.name)}</td><td>${esc(g.value)}</td><td>${esc(g.target)}</td>` +
  `<td style="color:${g.met ? '#2e7d32' : '#c62828'}">${g.met ? 'met' : 'missed'}</td><td>${esc(g.note || '')}</td></tr>`).join('');
fs.writeFileSync(out.replace(/\.json$/, '.html'), `<!doctype html><meta charset="utf-8"><title>Parley ÷ peer</title>
<h1>Parley ÷ the Socket.IO peer, ${esc(result.at)}</h1><p>${esc(command)} — bars: Parley's figure over the peer's; ticks: the goals.</p>
${svg}<table border="1" cellpadding="4" style="border-collapse:collapse;margin-top:1em"><tr><th>goal</th><th>value</th><th>target</th><th></th><th></th></tr>${rows}</table>\n`);

// where each side's CPU went, by kind of thread (bench/versus/threads.sh), per scenario
const runs = (sd) => [...Object.values(sd.fanout).map((f) => [`fan-out ${f.offered}/s`, f]), ['history newest', sd.historyLatest],
  ['history cursor', sd.historyCursor], ['acked sends', sd.send], ['idle', sd.idle]].filter(([, r]) => r && r.serverThreads);
const threadLines = [];
for (const [name, sd] of [['Parley', parley], ['peer', peer]]) {
  for (const [label, r] of runs(sd)) {
    const parts = Object.entries(r.serverThreads).map(([k, v]) => `${k} ${v}`).join(', ');
    threadLines.push(`${name} ${label}: ${r.serverCpuSeconds} CPU-s = ${parts}`);
  }
}
fs.appendFileSync(out.replace(/\.json$/, '.html'), `<h2>Where the servers' CPU went, by kind of thread (CPU-seconds)</h2><ul>${
  threadLines.map((l) => `<li>${esc(l)}</li>`).join('')}</ul>\n`);

console.log(`\n${'goal'.padEnd(62)} ${'value'.padStart(8)}  target`);
for (const g of goals) {
  console.log(`${(g.met ? 'met    ' : 'MISSED ') + g.name.padEnd(55)} ${String(g.value).padStart(8)}  ${g.target}${g.note ? '  (' + g.note + ')' : ''}`);
}
console.log('\n' + threadLines.join('\n'));
console.log(`\nwritten: ${out} and ${out.replace(/\.json$/, '.html')}`);
