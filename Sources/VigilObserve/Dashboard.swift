/// The controller's dashboard (`GET /`): one self-contained page, inline CSS and JS, no build
/// step and no external assets, so it works offline and from an air-gapped incident laptop.
/// It loads `/status` once for a first paint, then lives on `/ws/status`; if the socket drops
/// it polls `/status` every 2 s and reconnects with backoff (never reloads the page).
///
/// Stable hooks for tests and scripts: `#primary` holds the primary's name, each instance row
/// has `data-instance` and `data-role`, `#conn` says live / polling.
public enum Dashboard {
    public static let html = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Vigil</title>
<style>
:root { --bg:#0f1419; --panel:#182029; --line:#2a3541; --fg:#e6edf3; --dim:#8b98a5; --ok:#3fb950; --bad:#f85149;
        --warn:#d29922; --pri:#58a6ff; --rep:#a371f7; }
* { box-sizing:border-box; }
body { margin:0; font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif; background:var(--bg); color:var(--fg); }
header { display:flex; gap:16px; align-items:baseline; padding:12px 20px; border-bottom:1px solid var(--line); flex-wrap:wrap; }
header h1 { font-size:18px; margin:0; }
.pill { padding:2px 8px; border-radius:10px; background:var(--panel); border:1px solid var(--line); font-size:12px; }
.pill.ok { border-color:var(--ok); color:var(--ok); } .pill.bad { border-color:var(--bad); color:var(--bad); }
.pill.warn { border-color:var(--warn); color:var(--warn); }
main { display:grid; grid-template-columns: 1fr 1fr; gap:16px; padding:16px 20px; }
section { background:var(--panel); border:1px solid var(--line); border-radius:8px; padding:12px 14px; min-width:0; }
section.wide { grid-column: 1 / -1; }
h2 { font-size:13px; text-transform:uppercase; letter-spacing:.06em; color:var(--dim); margin:0 0 8px; }
table { width:100%; border-collapse:collapse; }
th, td { text-align:left; padding:5px 8px; border-bottom:1px solid var(--line); vertical-align:top; }
th { color:var(--dim); font-weight:500; font-size:12px; }
td.mono, .mono { font-family:ui-monospace,SFMono-Regular,Menlo,monospace; font-size:12px; word-break:break-all; }
.role-primary { color:var(--pri); font-weight:600; } .role-replica { color:var(--rep); }
.role-fenced { color:var(--warn); } .role-down { color:var(--bad); }
.dot { display:inline-block; width:9px; height:9px; border-radius:50%; margin-right:6px; }
.dot.ok { background:var(--ok); } .dot.bad { background:var(--bad); }
.site { margin-bottom:10px; } .site h3 { margin:4px 0; font-size:13px; color:var(--dim); }
.big { font-size:22px; font-weight:600; }
.bar { position:relative; height:18px; background:#0b0f13; border-radius:3px; margin:2px 0; }
.bar span { position:absolute; top:0; height:18px; border-radius:3px; background:var(--pri); min-width:2px; }
.bar span.failed { background:var(--bad); } .bar span.running { background:var(--warn); }
.steps td { padding:3px 6px; } .steps td:first-child { width:34%; }
.events { max-height:340px; overflow:auto; }
.events td { font-size:12px; }
.k-failover, .k-switchover { color:var(--warn); font-weight:600; }
.dim { color:var(--dim); }
</style>
</head>
<body>
<header>
  <h1>Vigil <span id="group" class="dim"></span></h1>
  <span>primary <b id="primary" class="role-primary">—</b></span>
  <span id="state" class="pill">—</span>
  <span id="term" class="pill">term —</span>
  <span id="cooldown" class="pill">no cooldown</span>
  <span id="conn" class="pill warn">connecting</span>
  <span id="updated" class="dim"></span>
</header>
<main>
  <section class="wide"><h2>Sites and instances</h2><div id="sites"></div></section>
  <section><h2>Traffic</h2><div id="traffic"></div></section>
  <section><h2>Controller</h2><div id="controller"></div></section>
  <section class="wide"><h2>Failover timeline</h2><div id="timeline"><span class="dim">no failover or switchover yet</span></div></section>
  <section class="wide"><h2>Last events</h2><div class="events"><table><tbody id="events"></tbody></table></div></section>
</main>
<script>
"use strict";
const $ = (id) => document.getElementById(id);
const esc = (v) => String(v == null ? "" : v).replace(/[&<>"']/g, (c) => ({"&":"&amp;","<":"&lt;",">":"&gt;","\"":"&quot;","'":"&#39;"}[c]));
const fmtMs = (ms) => ms == null ? "…" : (ms < 1000 ? ms + " ms" : (ms / 1000).toFixed(2) + " s");
let last = null, cooldownUntil = null;

function render(msg) {
  const g = (msg.groups || [])[0];
  if (!g) return;
  last = g;
  const s = g.status || {};
  $("group").textContent = g.name || s.group || "";
  $("primary").textContent = s.primary || "none";
  document.body.dataset.primary = s.primary || "";
  const c = s.controller || {};
  const st = $("state");
  st.textContent = c.state || s.phase || "—";
  st.className = "pill " + (c.state === "healthy" ? "ok" : (c.state ? "warn" : ""));
  $("term").textContent = "term " + (c.term == null ? "—" : c.term);
  cooldownUntil = s.cooldownUntil ? Date.parse(s.cooldownUntil) : null;
  tickCooldown();
  $("updated").textContent = "updated " + new Date(msg.at || s.updatedAt || Date.now()).toLocaleTimeString();
  renderSites(s);
  renderTraffic(s);
  renderController(s);
  renderTimeline(g.operation, s.lastFailover);
  renderEvents(g.events || []);
}

function renderSites(s) {
  const bySite = {};
  for (const i of s.instances || []) (bySite[i.site || "-"] = bySite[i.site || "-"] || []).push(i);
  let html = "";
  for (const site of Object.keys(bySite).sort()) {
    html += `<div class="site"><h3>site ${esc(site)}</h3><table><thead><tr><th>instance</th><th>role</th><th>health</th>` +
      `<th>lag</th><th>GTID position</th><th>port</th><th>pid</th><th>restarts</th></tr></thead><tbody>`;
    for (const i of bySite[site]) {
      const lag = i.lagSeconds == null ? (i.role === "primary" ? "—" : "?") : i.lagSeconds + " s";
      html += `<tr data-instance="${esc(i.name)}" data-role="${esc(i.role)}"><td><b>${esc(i.name)}</b></td>` +
        `<td class="role-${esc(i.role)}">${esc(i.role)}${i.quarantinedErrantGTIDs ? " (quarantined: " + esc(i.quarantinedErrantGTIDs) + ")" : ""}</td>` +
        `<td><span class="dot ${i.healthy ? "ok" : "bad"}"></span>${i.healthy ? "healthy" : "unhealthy"}</td>` +
        `<td>${esc(lag)}</td><td class="mono">${esc(i.gtid || "—")}</td><td>${esc(i.port)}</td><td>${esc(i.pid || "—")}</td>` +
        `<td>${esc(i.restarts || 0)}</td></tr>`;
    }
    html += "</tbody></table></div>";
  }
  $("sites").innerHTML = html || '<span class="dim">no instances</span>';
}

function renderTraffic(s) {
  const r = s.router;
  if (!r) { $("traffic").innerHTML = '<span class="dim">no router</span>'; return; }
  const conns = r.connections || {};
  const ro = (r.readOnlyTargets || []).map((t) => `${esc(t)} <span class="dim">(${conns[t] || 0} conns)</span>`).join(", ") || '<span class="dim">none</span>';
  $("traffic").innerHTML = `<table>` +
    `<tr><th>read-write ${esc(r.readWrite)}</th><td id="rw-target" class="role-primary">${esc(r.readWriteTarget || "none (writes refused)")}` +
    `${r.readWriteTarget ? ` <span class="dim">(${conns[r.readWriteTarget] || 0} conns)</span>` : ""}</td></tr>` +
    `<tr><th>read-only ${esc(r.readOnly)}</th><td>${ro}</td></tr></table>`;
}

function renderController(s) {
  const c = s.controller || {};
  const lf = s.lastFailover;
  $("controller").innerHTML = `<table>` +
    `<tr><th>state</th><td>${esc(c.state || "—")}</td></tr>` +
    `<tr><th>word names</th><td>${esc(c.designatedPrimary || "—")}</td></tr>` +
    `<tr><th>operation</th><td>${esc(c.operation || "none")}</td></tr>` +
    `<tr><th>why</th><td class="mono">${esc(c.reason || "—")}</td></tr>` +
    `<tr><th>last ${esc(lf ? lf.kind || "failover" : "failover")}</th><td>${lf ? esc(lf.from) + " → " + esc(lf.to) + " in " + fmtMs(lf.durationMs) +
      ' <span class="dim">' + esc(lf.reason) + " at " + esc(lf.startedAt) + "</span>" : '<span class="dim">none</span>'}</td></tr>` +
    `<tr><th>mode</th><td>${esc(s.mode || "—")}, phase ${esc(s.phase || "—")}</td></tr></table>`;
}

function bars(steps, total) {
  return steps.map((p) => {
    const dur = p.durationMs == null ? Math.max(0, total - p.offsetMs) : p.durationMs;
    const left = total > 0 ? Math.min(100, 100 * p.offsetMs / total) : 0;
    const width = total > 0 ? Math.max(0.3, Math.min(100 - left, 100 * dur / total)) : 100;
    return `<tr><td>${esc(p.name)}${p.instance ? ' <span class="dim">' + esc(p.instance) + "</span>" : ""}</td>` +
      `<td style="width:50%"><div class="bar"><span class="${esc(p.outcome)}" style="left:${left}%;width:${width}%"></span></div></td>` +
      `<td>+${fmtMs(p.offsetMs)}</td><td>${fmtMs(p.durationMs)}${p.outcome === "failed" ? ' <span class="role-down">failed</span>' : ""}</td></tr>`;
  }).join("");
}

function renderTimeline(op, lf) {
  if (!op) {
    $("timeline").innerHTML = lf ? `<span class="dim">last: ${esc(lf.kind || "failover")} ${esc(lf.from)} → ${esc(lf.to)} in ${fmtMs(lf.durationMs)} (steps not recorded by this controller run)</span>`
                                 : '<span class="dim">no failover or switchover yet</span>';
    return;
  }
  const total = op.durationMs != null ? op.durationMs : Math.max(1, Date.now() - op.startedAtMs);
  $("timeline").innerHTML =
    `<div><span class="big">${esc(op.kind)} ${esc(op.from || "—")} → ${esc(op.to || "?")}</span> ` +
    `<span class="pill ${op.outcome === "completed" ? "ok" : (op.outcome === "running" ? "warn" : "bad")}">${esc(op.outcome)}</span> ` +
    `${fmtMs(op.durationMs)} <span class="dim">${esc(op.reason)} · started ${new Date(op.startedAtMs).toLocaleTimeString()}</span></div>` +
    `<h2 style="margin-top:10px">steps</h2><table class="steps">${bars(op.phases || [], total)}</table>` +
    `<h2 style="margin-top:10px">actions</h2><table class="steps">${bars(op.actions || [], total)}</table>`;
}

function renderEvents(events) {
  $("events").innerHTML = events.slice().reverse().map((e) =>
    `<tr><td class="dim">${esc(new Date(e.at).toLocaleTimeString())}</td><td class="k-${esc(e.kind)}">${esc(e.kind)}</td>` +
    `<td>${esc(e.instance || "")}</td><td class="dim">${e.decision != null ? "#" + esc(e.decision) : ""}</td><td>${esc(e.text)}</td></tr>`).join("") ||
    '<tr><td class="dim">no events yet</td></tr>';
}

function tickCooldown() {
  const el = $("cooldown");
  const left = cooldownUntil ? Math.round((cooldownUntil - Date.now()) / 1000) : 0;
  if (left > 0) { el.textContent = "cooldown " + Math.floor(left / 60) + "m " + (left % 60) + "s"; el.className = "pill warn"; }
  else { el.textContent = "no cooldown"; el.className = "pill"; }
}
setInterval(tickCooldown, 1000);

let poll = null, backoff = 500;
function setConn(text, cls) { const c = $("conn"); c.textContent = text; c.className = "pill " + cls; }
async function fetchStatus() {
  try {
    const r = await fetch("status", { cache: "no-store" });
    const s = await r.json();
    render({ at: new Date().toISOString(), groups: [{ name: s.group, status: s, events: last ? last.events : [], operation: last ? last.operation : null }] });
  } catch (e) { setConn("controller unreachable", "bad"); }
}
function connect() {
  const url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + location.pathname.replace(/[^/]*$/, "") + "ws/status";
  let ws;
  try { ws = new WebSocket(url); } catch (e) { retry(); return; }
  ws.onopen = () => { backoff = 500; setConn("live", "ok"); if (poll) { clearInterval(poll); poll = null; } };
  ws.onmessage = (ev) => { try { render(JSON.parse(ev.data)); } catch (e) {} };
  ws.onclose = () => retry();
}
function retry() {
  setConn("polling (WebSocket down)", "warn");
  if (!poll) poll = setInterval(fetchStatus, 2000);
  setTimeout(connect, backoff);
  backoff = Math.min(backoff * 2, 10000);
}
fetchStatus();
connect();
</script>
</body>
</html>
"""#
}
