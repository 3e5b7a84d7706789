// portgate console: plain JavaScript over the same REST API the CLI uses.
const $ = (sel, root = document) => root.querySelector(sel);
const views = ['login', 'overview', 'forwards', 'connections', 'upnp', 'security', 'door', 'audit', 'settings'];
let csrf = '';
let role = 'admin';
let timer = null;
let bannerTimer = null;
let chart = null;

async function api(method, path, body) {
  const headers = { 'Accept': 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET') headers['X-CSRF-Token'] = csrf;
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  const text = await res.text();
  const data = text ? JSON.parse(text) : null;
  if (res.status === 401 && path !== '/api/v1/session') { showLogin(); throw new Error('not logged in'); }
  if (!res.ok) { const e = new Error(data && data.error ? data.error : 'HTTP ' + res.status); e.status = res.status; e.problems = (data && data.problems) || []; throw e; }
  return data;
}

// Binary units, as the chart's axis steps are.
function bytes(n) {
  if (n < 1024) return Math.round(n) + ' B';
  const u = ['KiB', 'MiB', 'GiB', 'TiB']; let i = -1;
  do { n /= 1024; i++; } while (n >= 1024 && i < u.length - 1);
  return (n >= 100 ? n.toFixed(0) : n.toFixed(1)) + ' ' + u[i];
}

function el(tag, text, cls) { const e = document.createElement(tag); if (text !== undefined && text !== null) e.textContent = text; if (cls) e.className = cls; return e; }
function cell(tr, text, cls) { const td = el('td', text, cls); tr.appendChild(td); return td; }
function button(label, cls, onClick) { const b = el('button', label, cls); b.type = 'button'; b.addEventListener('click', onClick); return b; }

/** Rows become cards on a phone: each cell carries its column's name. */
function labelCells(table) {
  const names = [...table.querySelectorAll('thead th')].map(th => th.textContent);
  table.querySelectorAll('tbody tr').forEach(tr => [...tr.children].forEach((td, i) => { td.dataset.label = names[i] || ''; }));
}

function fill(tableId, emptyId, items, render) {
  const table = $('#' + tableId);
  const body = table.querySelector('tbody');
  body.replaceChildren();
  for (const item of items) body.appendChild(render(item));
  labelCells(table);
  table.hidden = items.length === 0;
  if (emptyId) $('#' + emptyId).hidden = items.length > 0;
}

function when(iso) { return iso ? new Date(iso).toLocaleString() : '–'; }
function clock(iso) { return new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }); }

function show(view) {
  for (const v of views) $('#view-' + v).hidden = v !== view;
  $('#top').hidden = view === 'login';
  $('#top').classList.remove('open');
  $('#menu-button').setAttribute('aria-expanded', 'false');
  document.querySelectorAll('header nav a').forEach(a => {
    a.classList.toggle('active', a.id === 'nav-' + view);
    if (a.id === 'nav-' + view) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  });
  if (timer) { clearInterval(timer); timer = null; }
}

function showLogin() {
  show('login');
  $('#config-banner').hidden = true;
  if (bannerTimer) { clearInterval(bannerTimer); bannerTimer = null; }
  $('#login-password').focus();
}

$('#menu-button').addEventListener('click', () => {
  const open = $('#top').classList.toggle('open');
  $('#menu-button').setAttribute('aria-expanded', String(open));
});

async function route() {
  let view = (location.hash.replace('#/', '') || 'overview');
  // A door user sees the door page and nothing else.
  document.querySelectorAll('header nav a').forEach(a => { a.hidden = role === 'door' && a.id !== 'nav-door'; });
  if (role === 'door') view = 'door';
  const page = { overview: loadOverview, forwards: loadForwards, connections: loadConnections, upnp: loadUpnp, security: loadSecurity, door: loadDoor, audit: loadAudit, settings: loadSettings }[view] || loadOverview;
  show(views.includes(view) ? view : 'overview');
  if (role === 'admin' && !bannerTimer) { checkConfig(); bannerTimer = setInterval(checkConfig, 3000); }
  try { await page(); } catch (e) { if (e.message !== 'not logged in') console.error(e); }
  if (['overview', 'forwards', 'connections', 'upnp', 'security'].includes(view)) {
    timer = setInterval(() => { if (!$('#forward-dialog').open && !$('#traffic-dialog').open) page().catch(() => {}); }, 2000);
  }
}

// --- the config file's refusal, on every page until a good file is loaded ---
async function checkConfig(stats) {
  try {
    const s = stats || await api('GET', '/api/v1/stats');
    const r = s['config-refused'];
    const store = s.store && s.store.problem;
    $('#store-banner').hidden = !store;
    if (store) $('#store-banner-text').textContent = store;
    $('#config-banner').hidden = !r;
    if (r) {
      $('#config-banner-text').textContent = `${r.file} was changed at ${clock(r.at)} and has ${r.problems.length} problem${r.problems.length === 1 ? '' : 's'}:`;
      $('#config-banner-problems').replaceChildren(...r.problems.map(p => el('li', p)));
    }
  } catch (e) { /* shown on the next try */ }
}

// --- login ---
$('#login-form').addEventListener('submit', async ev => {
  ev.preventDefault();
  $('#login-error').textContent = '';
  try {
    const s = await api('POST', '/api/v1/session', { user: $('#login-user').value, password: $('#login-password').value });
    csrf = s.csrf;
    role = s.role || 'admin';
    $('#login-password').value = '';
    if (!location.hash || location.hash === '#/login') location.hash = role === 'door' ? '#/door' : '#/overview';
    route();
  } catch (e) {
    $('#login-error').textContent = e.message;
  }
});

$('#logout').addEventListener('click', async () => {
  try { await api('DELETE', '/api/v1/session'); } catch (e) { /* already gone */ }
  csrf = '';
  showLogin();
});

// --- overview ---
async function loadOverview() {
  const s = await api('GET', '/api/v1/stats');
  checkConfig(s);
  $('#ov-forwards').textContent = s.forwards;
  $('#ov-forwards-detail').textContent = `${s.listening} listening, ${s.failed} failed, ${s.disabled} disabled`;
  $('#ov-connections').textContent = s['connections-active'];
  $('#ov-rate-in').textContent = bytes(s['rate-in']) + '/s';
  $('#ov-rate-out').textContent = bytes(s['rate-out']) + '/s';
  $('#ov-total').textContent = bytes(s['bytes-in']) + ' / ' + bytes(s['bytes-out']);
  $('#ov-outside').textContent = s.outside ? s.outside.address : 'unknown';
  $('#ov-outside-source').textContent = s.outside ? 'from ' + s.outside.source : 'no router above is set up (upstream), and this machine has no public address';
  drawChart(s.history);
  const eps = await api('GET', '/api/v1/ssh-endpoints');
  $('#endpoints-card').hidden = eps.length === 0;
  fill('endpoints-table', null, eps, e => {
    const tr = el('tr');
    cell(tr, e.name); cell(tr, e.target);
    cell(tr, e.state + (e['retry-in-seconds'] !== undefined ? ` in ${e['retry-in-seconds']} s` : ''), e.state === 'connected' ? 'state-listening' : 'state-failed');
    cell(tr, e['last-error'] || '–');
    return tr;
  });
  loadTunnels();
  loadSites();
  if (s.store && s.store.shared) loadNodes();
}

async function loadNodes() {
  const nodes = await api('GET', '/api/v1/nodes');
  $('#nodes-card').hidden = false;
  fill('nodes-table', null, nodes, n => {
    const tr = el('tr');
    cell(tr, n.name + (n.self ? ' (this node' + (n.leader ? ', runs the timed jobs' : '') + ')' : ''));
    cell(tr, n.up ? 'up' : 'down', n.up ? 'state-listening' : 'state-failed');
    cell(tr, n.address || '–');
    cell(tr, n.link || '–', n.link && n.link.startsWith('connected') ? 'state-listening' : null);
    cell(tr, n.version); cell(tr, clock(n.heartbeat));
    const act = cell(tr, '');
    if (!n.up && !n.self) {
      act.appendChild(button('Forget', 'small danger forget', async () => {
        if (!confirm(`Forget node "${n.name}" for good? The forwards of its config file go (or pass to this node's file where it declares them too), and so do its leases. Do this only for a node you have shut down.`)) return;
        try {
          const done = await api('DELETE', '/api/v1/nodes/' + encodeURIComponent(n.name));
          if (done.kept.length) alert(`Kept, made for ${n.name} alone — delete or edit them: ${done.kept.join(', ')}`);
        } catch (e) { alert(e.message); }
        loadNodes();
      }));
    }
    return tr;
  });
}

async function loadSites() {
  const s = await api('GET', '/api/v1/sites');
  $('#sites-card').hidden = s.sites.length === 0;
  fill('sites-table', null, s.sites, x => {
    const tr = el('tr');
    cell(tr, x.url || x.host);
    cell(tr, x.target + (x.tls === 'passthrough' ? ' (its own TLS)' : ''));
    cell(tr, x.access === 'login' ? 'sign-in' : 'anyone', x.access === 'login' ? 'state-listening' : 'state-failed');
    const c = x.certificate;
    cell(tr, !c ? '–' : c.state === 'failed'
      ? `${c.source}: ${c.error}`
      : `${c.source}, ${c.state} until ${clock(c['not-after'])}`, c && c.state === 'failed' ? 'state-failed' : null);
    cell(tr, x['bytes-in'] === undefined ? '–' : bytes(x['bytes-in']) + ' / ' + bytes(x['bytes-out']));
    return tr;
  });
}

function rtt(ms) { return ms === null || ms === undefined ? '–' : ms.toFixed(1) + ' ms'; }

async function loadTunnels() {
  const t = await api('GET', '/api/v1/tunnels');
  $('#tunnel-endpoints-card').hidden = t.endpoints.length === 0;
  fill('tunnel-endpoints-table', null, t.endpoints, e => {
    const tr = el('tr');
    cell(tr, e.name); cell(tr, e.server);
    cell(tr, e.state + (e.state === 'connected' ? ' over ' + e.transport : ''), e.state === 'connected' ? 'state-listening' : 'state-failed');
    cell(tr, rtt(e['rtt-ms']));
    cell(tr, bytes(e['bytes-sent']) + ' / ' + bytes(e['bytes-received']));
    cell(tr, e.forwards.join(', ') || '–');
    cell(tr, e['last-error'] || '–');
    return tr;
  });
  $('#tunnel-clients-card').hidden = !t.server.running;
  $('#tunnel-server-line').textContent = t.server.running
    ? `Tunnel server on UDP port ${t.server.port}; clients pin its certificate ${t.server.fingerprint}. Their ports are listed under Port forwarding.`
    : '';
  fill('tunnel-clients-table', 'tunnel-clients-empty', t.server.clients, c => {
    const tr = el('tr');
    cell(tr, c.name); cell(tr, c.address); cell(tr, c.transport);
    cell(tr, rtt(c['rtt-ms']));
    cell(tr, bytes(c['bytes-sent']) + ' / ' + bytes(c['bytes-received']));
    cell(tr, clock(c.since));
    return tr;
  });
}

/** Axis steps of whole binary units (1, 2, 4 … KiB/s), so the labels read 256 KiB/s, 512 KiB/s, 1 MiB/s. */
const RATE_STEPS = [];
for (let p = 0; p < 44; p++) RATE_STEPS.push(2 ** p);

function drawChart(history) {
  if (!window.uPlot) return;
  const data = [history.map(p => p[0]), history.map(p => p[1]), history.map(p => p[2])];
  const el_ = $('#chart');
  const width = Math.max(280, (el_.clientWidth || 800) - 4);
  if (!chart) {
    chart = rateChart(el_, width, 240);
    chart.setData(data);
  } else {
    if (Math.abs(chart.width - width) > 20) chart.setSize({ width, height: 240 });
    chart.setData(data);
  }
}

// --- port forwarding ---
let editing = null;
let presets = [];
let extraParts = [];

function healthText(f) {
  const h = f['target-health'];
  if (!h || h.state === 'unknown' || f.state !== 'listening') return null;
  if (h.state === 'reachable') return { bad: false, text: 'target answers' };
  return { bad: true, text: `target unreachable since ${clock(h.since)} — ${h.reason}` };
}

async function loadForwards() {
  const list = await api('GET', '/api/v1/forwards');
  fill('forwards-table', 'forwards-empty', list, f => {
    const tr = el('tr');
    tr.dataset.name = f.name;
    const name = cell(tr, f.name);
    if (f.origin === 'config') name.append(' ', el('span', 'config file', 'badge'));
    const proxy = f.kind === 'dynamic';
    if (proxy && f['open-proxy']) { const w = el('span', 'open proxy', 'badge warn'); w.title = 'anyone who reaches this port can use it'; name.append(' ', w); }
    if ((f.risks || []).length) {
      const a = el('a', `⚠ ${f.risks.length} warning${f.risks.length > 1 ? 's' : ''}`, 'badge warn');
      a.href = '#/security'; name.append(' ', a);
    }
    if (f.description) name.title = f.description;
    cell(tr, proxy ? f.protocols.join('+').toUpperCase() : (f.protocol || 'tcp').toUpperCase() + (f.via ? ' via ' + f.via : ''));
    cell(tr, f.listen || (f.host ? 'site ' + f.host : ''));
    cell(tr, proxy ? `proxy to ${f['permit-open'].join(', ')}` + (f.users.length ? ` (${f.users.length} user${f.users.length > 1 ? 's' : ''})` : '') : f.target);
    cell(tr, (f.allow || []).length ? f.allow.join(', ') : 'everyone');
    const health = healthText(f);
    const state = cell(tr, '', 'state');
    // A forward that listens but cannot reach its target is not healthy: the listening word is not green then.
    state.append(el('span', f.state + (f.error ? ': ' + f.error : ''), health && health.bad ? 'state-quiet' : 'state-' + f.state));
    if (f.plane) {
      // Which data plane carries it, and why not the kernel (hover for the reason).
      const b = el('span', f.plane, 'badge plane plane-' + f.plane);
      if (f['plane-reason']) b.title = f['plane-reason'];
      state.append(' ', b);
    }
    if (health) state.append(el('span', health.text, 'health ' + (health.bad ? 'bad' : 'good')));
    // In a cluster: how it runs on each node.
    if (f['on-nodes']) state.append(el('div', f['on-nodes'].map(n => `${n.node}: ${n.up ? n.state : 'down'}`).join(' · '), 'sub'));
    if (f.warning) state.append(el('div', f.warning, 'warning'));
    const share = cell(tr, '', 'share-cell');
    if (f.share) {
      const box = el('span', '', 'share');
      const looksLikeAddress = /^[\[\]0-9a-fA-F.:]+:[0-9-]+$/.test(f.share);
      if (looksLikeAddress) box.append(el('code', f.share));
      else {
        // The short reason in the table; the whole advice on hover and in the Test result.
        const [short, ...more] = f.share.split(': ');
        const s = el('span', short, 'muted'); if (more.length) s.title = more.join(': '); box.append(s);
      }
      if (looksLikeAddress) {
        const copy = button('Copy', 'small secondary copy', async () => {
          try { await navigator.clipboard.writeText(f.share); copy.textContent = 'Copied'; } catch (e) { copy.textContent = 'Select and copy'; }
        });
        copy.setAttribute('aria-label', 'Copy ' + f.share);
        box.append(copy);
      }
      share.append(box);
    }
    cell(tr, String(f.stats['connections-active'] ?? 0), 'conns');
    cell(tr, bytes(f.stats['bytes-in'] ?? 0), 'bytes-in');
    cell(tr, bytes(f.stats['bytes-out'] ?? 0), 'bytes-out');
    const on = cell(tr, '');
    const actions = cell(tr, '', 'actions');
    if (f.kind === 'port') actions.append(button('Test', 'small secondary test', () => runTest(f.name, $('#test-result'))), ' ');
    actions.append(button('Traffic', 'small secondary traffic', () => openTraffic(f.name, 'hour')), ' ');
    if (f.origin === 'config') {
      on.textContent = f.enabled ? 'yes' : 'no';
      actions.append(el('span', 'edit in the config file', 'muted'));
    } else {
      const toggle = document.createElement('input');
      toggle.type = 'checkbox'; toggle.checked = f.enabled; toggle.className = 'toggle';
      toggle.setAttribute('aria-label', `forward ${f.name} enabled`);
      toggle.addEventListener('change', async () => {
        try { await api('POST', `/api/v1/forwards/${encodeURIComponent(f.name)}/${toggle.checked ? 'enable' : 'disable'}`); } catch (e) { alert(e.message); }
        loadForwards();
      });
      on.appendChild(toggle);
      if (f.kind === 'port') actions.append(button('Edit', 'small secondary edit', () => openForm(f)), ' ');
      actions.append(
        button('Delete', 'small danger delete', async () => {
          if (!confirm(`Delete forward "${f.name}"? Its connections will close.`)) return;
          try { await api('DELETE', `/api/v1/forwards/${encodeURIComponent(f.name)}`); } catch (e) { alert(e.message); }
          loadForwards();
        }));
    }
    return tr;
  });
}

// --- one forward's traffic: last hour by the minute, last day by the quarter hour, totals since first seen ---
let trafficChart = null;
let trafficOf = null;

function rateChart(target, width, height) {
  const rate = (u, v) => v == null ? '–' : bytes(v) + '/s';
  const ink = getComputedStyle(document.body).color;
  return new uPlot({
    width, height,
    series: [{ value: (u, t) => t == null ? '–' : new Date(t * 1000).toLocaleString() },
      { label: 'in (clients → devices)', stroke: '#1e88e5', width: 2, value: rate },
      { label: 'out (devices → clients)', stroke: '#43a047', width: 2, value: rate }],
    axes: [{ stroke: ink, space: 90 }, { stroke: ink, incrs: RATE_STEPS, values: (u, vals) => vals.map(v => bytes(v) + '/s'), size: 90 }],
    // At least the last hour on the time axis: with one sample uPlot would otherwise spread it over years.
    scales: { x: { time: true, range: (u, min, max) => {
      const hi = max == null ? Date.now() / 1000 : max;
      return [Math.min(min == null ? hi : min, hi - 3600), hi];
    } } },
  }, [[], [], []], target);
}

async function openTraffic(name, range) {
  trafficOf = name;
  const t = await api('GET', `/api/v1/forwards/${encodeURIComponent(name)}/traffic?range=${range}`);
  $('#traffic-title').textContent = `Traffic of "${name}"`;
  $('#traffic-totals').textContent = t.since
    ? `In all: ${bytes(t['total-in'])} in, ${bytes(t['total-out'])} out since ${when(t.since)}`
    : 'Nothing carried yet.';
  $('#traffic-hour').setAttribute('aria-pressed', String(range === 'hour'));
  $('#traffic-day').setAttribute('aria-pressed', String(range === 'day'));
  if (!$('#traffic-dialog').open) $('#traffic-dialog').showModal();
  if (window.uPlot) {
    const box = $('#traffic-chart');
    if (!trafficChart) trafficChart = rateChart(box, Math.max(260, box.clientWidth - 4), 220);
    trafficChart.setData([t.points.map(p => p[0]), t.points.map(p => p[1]), t.points.map(p => p[2])]);
  }
}
$('#traffic-hour').addEventListener('click', () => openTraffic(trafficOf, 'hour'));
$('#traffic-day').addEventListener('click', () => openTraffic(trafficOf, 'day'));
$('#traffic-close').addEventListener('click', () => $('#traffic-dialog').close());

/** Says what a test could check from here, and what it could not. */
async function runTest(name, box) {
  box.hidden = false;
  box.replaceChildren(el('p', `Testing "${name}"…`));
  try {
    const r = await api('POST', `/api/v1/forwards/${encodeURIComponent(name)}/test`);
    const lines = [el('h2', `Test of "${name}"`)];
    for (const c of r.checks) {
      const mark = c.ok === true ? '✓ ' : c.ok === false ? '✗ ' : '? ';
      lines.push(el('p', mark + c.what + ': ' + c.text, c.ok === true ? 'ok' : c.ok === false ? 'bad' : 'muted'));
    }
    lines.push(el('p', 'Give to friends: ' + r.share));
    lines.push(el('p', 'Not tested: ' + r.cannot, 'muted'));
    box.replaceChildren(...lines);
  } catch (e) { box.replaceChildren(el('p', e.message, 'bad')); }
}

function splitHostPort(s) {
  const i = s.lastIndexOf(':');
  return i < 0 ? ['', s] : [s.slice(0, i).replace(/^\[|\]$/g, ''), s.slice(i + 1)];
}

function localInput(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
}

async function loadCatalogue() {
  try {
    if (!presets.length) {
      presets = await api('GET', '/api/v1/presets');
      const select = $('#f-preset');
      const groups = {};
      for (const p of presets) {
        if (!groups[p.category]) { groups[p.category] = document.createElement('optgroup'); groups[p.category].label = p.category; select.appendChild(groups[p.category]); }
        const o = el('option', p.name); o.value = p.id; groups[p.category].appendChild(o);
      }
    }
    const devices = await api('GET', '/api/v1/devices');
    $('#devices').replaceChildren(...devices.map(d => { const o = el('option', (d.name ? d.name + ' — ' : '') + d.seen.join(', ')); o.value = d.address; return o; }));
  } catch (e) { console.error(e); }
}

$('#f-preset').addEventListener('change', () => {
  const p = presets.find(x => x.id === $('#f-preset').value);
  extraParts = [];
  if (!p) { $('#preset-info').textContent = ''; return; }
  const [first, ...rest] = p.ports;
  $('#f-protocol').value = first.protocol;
  $('#f-listen-port').value = first.ports;
  $('#f-target-port').value = first.ports;
  if (!$('#f-name').value || $('#f-name').dataset.fromPreset) { $('#f-name').value = p.id; $('#f-name').dataset.fromPreset = 'yes'; }
  extraParts = rest;
  const info = [];
  if (rest.length) info.push(`Needs ${p.ports.length} rules (${p.ports.map(x => x.protocol.toUpperCase() + ' ' + x.ports).join(', ')}): they are added together.`);
  if (p.risk) info.push('Risk: ' + p.risk + '.');
  if (p.note) info.push(p.note + '.');
  $('#preset-info').textContent = info.join(' ');
});

function openForm(f) {
  editing = f ? f.name : null;
  extraParts = [];
  const form = $('#forward-form');
  form.reset();
  clearErrors(form);
  $('#f-name').dataset.fromPreset = '';
  $('#preset-info').textContent = '';
  $('#form-fields').hidden = false;
  $('#after-save').hidden = true;
  $('#forward-save').hidden = false;
  $('#forward-cancel').textContent = 'Cancel';
  $('#forward-form-title').textContent = f ? `Edit rule "${f.name}"` : 'Add rule';
  $('#f-name').disabled = !!f;
  $('#preset-label').hidden = !!f;
  $('#advanced').open = false;
  if (f) {
    const [la, lp] = splitHostPort(f.listen);
    const [th, tp] = splitHostPort(f.target);
    $('#f-name').value = f.name; $('#f-protocol').value = f.protocol;
    $('#f-listen-address').value = la === '0.0.0.0' ? '' : la; $('#f-listen-port').value = lp;
    $('#f-target-host').value = th; $('#f-target-port').value = tp;
    $('#f-allow').value = f.allow.join(', '); $('#f-deny').value = f.deny.join(', ');
    $('#f-idle').value = f['idle-timeout'] === '0' ? '' : f['idle-timeout'];
    $('#f-max').value = f['max-connections'] ? String(f['max-connections']) : '';
    $('#f-proxy').value = f['proxy-protocol']; $('#f-enabled').checked = f.enabled;
    $('#f-description').value = f.description;
    $('#f-access').value = f.access || 'open';
    $('#f-open-for').value = f['open-for'] || '';
    $('#f-knock-key').value = f['knock-key'] || '';
    $('#f-close-idle').value = f['close-when-idle'] || '';
    $('#f-expires').value = localInput(f.expires);
    $('#f-rate').value = f['rate-limit'] || '';
    $('#f-bandwidth').value = f.bandwidth || '';
    $('#f-tls-cert').value = f['tls-certificate'] || ''; $('#f-tls-key').value = f['tls-key'] || '';
    $('#f-tls-client-ca').value = f['tls-client-ca'] || '';
    $('#f-target-tls').checked = !!f['target-tls']; $('#f-target-ca').value = f['target-ca'] || '';
    $('#f-plane').value = f['data-plane'] || 'auto';
    const advanced = ['allow', 'deny', 'access', 'rate-limit', 'bandwidth', 'expires', 'close-when-idle', 'target-tls'].some(k => f[k] && f[k].length !== 0 && f[k] !== 'open')
      || f['proxy-protocol'] !== 'none' || (f['data-plane'] && f['data-plane'] !== 'auto') || f['max-connections'] > 0 || f['idle-timeout'] !== '0';
    $('#advanced').open = advanced;
  }
  loadCatalogue();
  $('#forward-dialog').showModal();
}

function clearErrors(root) { root.querySelectorAll('.field-error').forEach(e => e.textContent = ''); $('#form-error').textContent = ''; }

function formJson(part) {
  const v = id => $(id).value.trim();
  const list = s => s.split(/[\s,]+/).map(x => x.trim()).filter(Boolean);
  const host = v('#f-listen-address');
  const bracket = h => h.includes(':') ? `[${h}]` : h;
  const out = {
    name: editing || v('#f-name'),
    protocol: $('#f-protocol').value,
    listen: host ? `${bracket(host)}:${v('#f-listen-port')}` : v('#f-listen-port'),
    target: `${bracket(v('#f-target-host'))}:${v('#f-target-port')}`,
    allow: list($('#f-allow').value), deny: list($('#f-deny').value),
    'idle-timeout': v('#f-idle') || '0', 'max-connections': v('#f-max') || '0',
    'proxy-protocol': $('#f-proxy').value, 'data-plane': $('#f-plane').value,
    enabled: $('#f-enabled').checked, description: v('#f-description'),
  };
  const access = $('#f-access').value;
  if (access !== 'open') out.access = access;
  if ((access === 'knock' || access === 'login') && v('#f-open-for')) out['open-for'] = v('#f-open-for');
  if (v('#f-knock-key')) out['knock-key'] = v('#f-knock-key');
  if (v('#f-close-idle')) out['close-when-idle'] = v('#f-close-idle');
  if (v('#f-expires')) out.expires = new Date(v('#f-expires')).toISOString().replace('.000Z', 'Z');
  if (v('#f-rate')) out['rate-limit'] = v('#f-rate');
  if (v('#f-bandwidth')) out.bandwidth = v('#f-bandwidth');
  if (v('#f-tls-cert')) out['tls-certificate'] = v('#f-tls-cert');
  if (v('#f-tls-key')) out['tls-key'] = v('#f-tls-key');
  if (v('#f-tls-client-ca')) out['tls-client-ca'] = v('#f-tls-client-ca');
  if ($('#f-target-tls').checked) out['target-tls'] = true;
  if (v('#f-target-ca')) out['target-ca'] = v('#f-target-ca');
  if (part) {
    // Another part of a preset: the same device and options, its own protocol and ports.
    out.name = out.name + '-' + part.protocol + '-' + part.ports.split('-')[0];
    out.protocol = part.protocol;
    out.listen = host ? `${bracket(host)}:${part.ports}` : part.ports;
    out.target = `${bracket(v('#f-target-host'))}:${part.ports}`;
  }
  return out;
}

/** A warning's fix: most are one PATCH; "close at a set time" asks for the time in the form. */
async function applyFix(f, fix, after) {
  if (fix.id === 'close-at') {
    const full = await api('GET', '/api/v1/forwards/' + encodeURIComponent(f));
    if ($('#forward-dialog').open) $('#forward-dialog').close();
    openForm(full);
    $('#advanced').open = true;
    $('#f-expires').value = localInput(new Date(Date.now() + 2 * 3600 * 1000).toISOString());
    $('#f-expires').focus();
    return;
  }
  try { await api('PATCH', '/api/v1/forwards/' + encodeURIComponent(f), fix.patch); } catch (e) { alert(e.message); }
  if (after) after();
}

function riskItems(forward, risks, editable, after) {
  return risks.map(r => {
    const li = el('li', r.text);
    li.dataset.code = r.code;
    const fixes = el('div', '', 'fixes');
    for (const fix of r.fixes) {
      if (editable) {
        const b = button(fix.label, 'small fix fix-' + fix.id, () => applyFix(forward, fix, after));
        fixes.append(b);
      } else {
        fixes.append(el('span', 'in the config file: ' + Object.entries(fix.patch).map(([k, v]) => k + ': ' + JSON.stringify(v)).join(', '), 'muted'));
      }
    }
    li.append(fixes);
    return li;
  });
}

async function afterSave(saved) {
  $('#form-fields').hidden = true;
  $('#forward-save').hidden = true;
  $('#forward-cancel').textContent = 'Done';
  $('#after-save').hidden = false;
  $('#after-save-text').textContent = `Saved "${saved.name}".` + ((saved.risks || []).length ? ' But:' : '');
  const refresh = async () => {
    const now = await api('GET', '/api/v1/forwards/' + encodeURIComponent(saved.name));
    $('#after-save-text').textContent = `Saved "${saved.name}".` + (now.risks.length ? ' But:' : ' No warnings.');
    $('#after-save-risks').replaceChildren(...riskItems(saved.name, now.risks, true, refresh));
  };
  $('#after-save-risks').replaceChildren(...riskItems(saved.name, saved.risks || [], true, refresh));
  if (saved.kind === 'port' && saved.enabled) await runTest(saved.name, $('#after-save-test'));
  else $('#after-save-test').replaceChildren();
}

$('#add-forward').addEventListener('click', () => openForm(null));
$('#forward-cancel').addEventListener('click', () => { $('#forward-dialog').close(); loadForwards(); });
$('#forward-form').addEventListener('submit', async ev => {
  ev.preventDefault();
  const form = $('#forward-form');
  clearErrors(form);
  try {
    let saved;
    if (editing) saved = await api('PUT', `/api/v1/forwards/${encodeURIComponent(editing)}`, formJson());
    else {
      saved = await api('POST', '/api/v1/forwards', formJson());
      for (const part of extraParts) await api('POST', '/api/v1/forwards', formJson(part));
    }
    loadForwards();
    await afterSave(saved);
  } catch (e) {
    let placed = false;
    for (const p of e.problems) {
      const slot = form.querySelector(`.field-error[data-for="${p.field}"]`);
      if (slot) {
        slot.textContent = p.message.replace(/^forward "[^"]*": /, ''); placed = true;
        if (slot.closest('details')) slot.closest('details').open = true;
      }
    }
    $('#form-error').textContent = placed ? 'Please correct the fields marked below.' : e.message;
  }
});

// --- connections ---
async function loadConnections() {
  const list = await api('GET', '/api/v1/connections');
  fill('connections-table', 'connections-empty', list, c => {
    const tr = el('tr');
    if (c.plane === 'kernel') {
      // Carried by the kernel: conntrack knows the client and the state, not the bytes or the age.
      tr.dataset.kernel = 'yes';
      cell(tr, c.forward); cell(tr, c.protocol.toUpperCase()); cell(tr, c.client); cell(tr, c.target);
      cell(tr, '–'); cell(tr, '–'); cell(tr, 'kernel' + (c.state ? ' · ' + c.state : '') + (c.unreplied ? ' · no reply' : ''));
      cell(tr, '');
      return tr;
    }
    tr.dataset.id = c.id;
    cell(tr, c.forward); cell(tr, c.protocol.toUpperCase()); cell(tr, c.client); cell(tr, c.target);
    cell(tr, bytes(c['bytes-in'])); cell(tr, bytes(c['bytes-out'])); cell(tr, c['age-seconds'] + ' s');
    cell(tr, '').appendChild(button('Close', 'small danger', async () => {
      try { await api('DELETE', '/api/v1/connections/' + c.id); } catch (e) { alert(e.message); }
      loadConnections();
    }));
    return tr;
  });
}

// --- UPnP / NAT-PMP / PCP ---
function duration(s) {
  if (s === undefined) return '–';
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  return (h ? h + ' h ' : '') + (h || m ? m + ' min ' : '') + sec + ' s';
}

async function loadUpnp() {
  const [igd, leases, up] = await Promise.all([api('GET', '/api/v1/igd'), api('GET', '/api/v1/leases'), api('GET', '/api/v1/upstream')]);
  $('#igd-summary').textContent = igd.running
    ? 'Serving ' + igd.lan.join(', ') + ' · external address ' + (igd['external-address'] || 'unknown') + ' · ' + (igd['secure-mode'] ? 'secure mode' : 'secure mode OFF')
      + (igd['description-url'] ? ' · ' + igd['description-url'] : '')
    : 'Not running: the config has no igd section.';
  const switches = $('#igd-switches');
  switches.replaceChildren();
  for (const [name, p] of Object.entries(igd.protocols)) {
    const label = document.createElement('label');
    const box = document.createElement('input');
    box.type = 'checkbox'; box.id = 'igd-' + name; box.checked = p.on; box.disabled = !p.configured;
    box.addEventListener('change', async () => {
      try { await api('PUT', '/api/v1/igd/protocols/' + name, { enabled: box.checked }); } catch (e) { alert(e.message); }
      loadUpnp();
    });
    label.append(box, ' ' + name.toUpperCase() + (p.configured ? '' : ' (not in config)'));
    switches.appendChild(label);
  }
  fill('leases-table', 'leases-empty', leases, l => {
    const tr = el('tr');
    tr.dataset.name = l.name;
    cell(tr, l.protocol.toUpperCase()); cell(tr, String(l['external-port']), 'ext-port'); cell(tr, l.device, 'device');
    cell(tr, String(l['internal-port'])); cell(tr, l.description); cell(tr, duration(l['remaining-seconds']), 'remaining');
    cell(tr, l.via, 'via'); cell(tr, l.state);
    cell(tr, '').appendChild(button('Delete', 'small danger delete', async () => {
      if (!confirm('Delete the lease of ' + l.device + ' on ' + l.protocol.toUpperCase() + ' port ' + l['external-port'] + '?')) return;
      try { await api('DELETE', '/api/v1/leases/' + encodeURIComponent(l.name)); } catch (e) { alert(e.message); }
      loadUpnp();
    }));
    return tr;
  });
  $('#upstream-summary').textContent = up.configured
    ? (up.router ? 'Router: ' + up.router : 'Looking for the router (' + up.method + ')') + (up['external-address'] ? ' · its external address ' + up['external-address'] : '')
      + (up.error ? ' · ' + up.error : '')
    : 'No upstream section in the config: portgate does not open ports on the router above.';
  fill('upstream-table', null, up.configured ? up.mappings : [], m => {
    const tr = el('tr');
    cell(tr, m.forward); cell(tr, m.protocol.toUpperCase()); cell(tr, String(m['internal-port']));
    cell(tr, m['external-port'] ? String(m['external-port']) : '–'); cell(tr, m.state + (m.error ? ': ' + m.error : ''));
    cell(tr, duration(m['remaining-seconds']));
    return tr;
  });
}

// --- security ---
async function loadSecurity() {
  const [report, bans, doors, triggers, forwards] = await Promise.all([api('GET', '/api/v1/security'), api('GET', '/api/v1/bans'),
    api('GET', '/api/v1/doors'), api('GET', '/api/v1/triggers'), api('GET', '/api/v1/forwards')]);
  const origin = Object.fromEntries(forwards.map(f => [f.name, f.origin]));
  fill('triggers-table', 'triggers-empty', triggers, t => {
    const tr = el('tr');
    tr.dataset.name = t.name;
    cell(tr, t.name); cell(tr, t.trigger); cell(tr, t.open.join(', ')); cell(tr, t['open-for']);
    cell(tr, t['held-by'] || '–', 'held-by'); cell(tr, t.until ? new Date(t.until).toLocaleTimeString() : '–');
    return tr;
  });
  $('#security-summary').textContent = (report.warnings ? report.warnings + ' warning(s): each has its fix beside it. ' : 'No warnings. ')
    + 'Everyone may connect ' + (report.firewall.allow.length ? 'only from ' + report.firewall.allow.join(', ') : 'from anywhere')
    + (report.firewall.deny.length ? ', except ' + report.firewall.deny.join(', ') : '') + '; addresses are banned ' + report.firewall.ban + '.';
  fill('security-table', 'security-empty', report.forwards, f => {
    const tr = el('tr');
    tr.dataset.name = f.forward;
    if (f.warnings.length) tr.className = 'warn';
    cell(tr, f.forward); cell(tr, f.listen); cell(tr, f.state); cell(tr, f.reach, 'reach');
    cell(tr, f.access + (f.guarded ? ' ✓' : ''), 'access'); cell(tr, f.service || '–');
    const w = cell(tr, f.warnings.length ? '' : '–', 'warnings');
    if (f.warnings.length) {
      const ul = el('ul', '', 'risks');
      ul.append(...riskItems(f.forward, f.warnings, origin[f.forward] !== 'config', () => loadSecurity()));
      w.append(ul);
    }
    return tr;
  });
  fill('bans-table', 'bans-empty', bans, b => {
    const tr = el('tr');
    tr.dataset.address = b.address;
    cell(tr, b.address); cell(tr, when(b.until)); cell(tr, b.reason);
    cell(tr, '').appendChild(button('Unban', 'small unban', async () => {
      try { await api('DELETE', '/api/v1/bans/' + encodeURIComponent(b.address)); } catch (e) { alert(e.message); }
      loadSecurity();
    }));
    return tr;
  });
  fill('doors-table', 'doors-empty', doors, d => {
    const tr = el('tr');
    cell(tr, d.forward); cell(tr, d.address); cell(tr, new Date(d.until).toLocaleTimeString()); cell(tr, d.by);
    return tr;
  });
}

// --- open a door ---
async function loadDoor() {
  const d = await api('GET', '/api/v1/door');
  $('#door-address').textContent = d.address;
  fill('door-table', 'door-empty', d.doors, door => {
    const tr = el('tr');
    tr.dataset.name = door.name;
    cell(tr, door.name); cell(tr, door.listen); cell(tr, door.description || '–'); cell(tr, door['open-for']);
    cell(tr, door.open ? 'open for you' : 'closed', 'state');
    cell(tr, '').appendChild(button('Open', 'small open', async () => {
      try { await api('POST', '/api/v1/door/' + encodeURIComponent(door.name) + '/open'); } catch (e) { alert(e.message); }
      loadDoor();
    }));
    return tr;
  });
}

// --- audit ---
const show_ = v => v === undefined ? '—' : typeof v === 'string' ? v : JSON.stringify(v);

/** What changed, key by key, instead of two walls of JSON. */
function changeList(before, after) {
  const ul = el('ul', '', 'change');
  const keys = [...new Set([...Object.keys(before || {}), ...Object.keys(after || {})])].filter(k => k !== 'name');
  for (const k of keys) {
    const was = before ? before[k] : undefined, now = after ? after[k] : undefined;
    if (JSON.stringify(was) === JSON.stringify(now)) continue;
    // A new forward lists only what differs from the defaults.
    if (!before && [undefined, '', '0', 0, 'none', 'auto', true].includes(now)) continue;
    if (!before && Array.isArray(now) && now.length === 0) continue;
    const li = el('li', k + ': ');
    if (before && was !== undefined) li.append(el('span', show_(was), 'was'), ' → ');
    li.append(el('span', show_(now), 'now'));
    ul.append(li);
  }
  return ul;
}

async function loadAudit() {
  const list = await api('GET', '/api/v1/audit?limit=200');
  fill('audit-table', 'audit-empty', list, a => {
    const tr = el('tr');
    cell(tr, when(a.at)); cell(tr, a.actor); cell(tr, a.source || '–'); cell(tr, a.action); cell(tr, a.subject);
    const change = cell(tr, '');
    if (a.before || a.after) change.append(changeList(a.before, a.after));
    else change.textContent = a.detail || '–';
    return tr;
  });
}

// --- settings ---
async function loadUsers() {
  // The admin is not a door user: only the people added here are listed.
  const users = (await api('GET', '/api/v1/users')).filter(u => u.role === 'door');
  fill('users-table', 'users-empty', users, u => {
    const tr = el('tr');
    tr.dataset.name = u.name;
    cell(tr, u.name);
    cell(tr, '').appendChild(button('Remove', 'small danger', async () => {
      if (!confirm(`Remove door user "${u.name}"?`)) return;
      try { await api('DELETE', '/api/v1/users/' + encodeURIComponent(u.name)); } catch (e) { alert(e.message); }
      loadUsers();
    }));
    return tr;
  });
}

$('#user-form').addEventListener('submit', async ev => {
  ev.preventDefault();
  $('#user-message').textContent = '';
  const name = $('#user-name').value.trim();
  if (!name) { $('#user-message').textContent = 'give the door user a name'; $('#user-name').focus(); return; }
  try {
    await api('POST', '/api/v1/users', { name, password: $('#user-password').value });
    $('#user-message').textContent = 'added ' + name;
    $('#user-name').value = ''; $('#user-password').value = '';
    loadUsers();
  } catch (e) { $('#user-message').textContent = e.message; }
});

async function loadSettings() {
  loadUsers().catch(() => {});
  const list = await api('GET', '/api/v1/tokens');
  fill('tokens-table', 'tokens-empty', list, t => {
    const tr = el('tr');
    tr.dataset.name = t.name;
    cell(tr, t.name); cell(tr, when(t.created)); cell(tr, t['last-used'] ? when(t['last-used']) : 'never', 'last-used');
    cell(tr, '').appendChild(button('Revoke', 'small danger', async () => {
      if (!confirm(`Revoke token "${t.name}"?`)) return;
      try { await api('DELETE', '/api/v1/tokens/' + encodeURIComponent(t.name)); } catch (e) { alert(e.message); }
      loadSettings();
    }));
    return tr;
  });
}

$('#password-form').addEventListener('submit', async ev => {
  ev.preventDefault();
  clearErrors($('#password-form'));
  $('#password-message').textContent = '';
  try {
    await api('POST', '/api/v1/account/password', { current: $('#pw-current').value, new: $('#pw-new').value });
    $('#password-form').reset();
    $('#password-message').textContent = 'Password changed.';
  } catch (e) {
    for (const p of e.problems) { const s = $(`#password-form .field-error[data-for="${p.field}"]`); if (s) s.textContent = p.message; }
    if (!e.problems.length) $('#password-message').textContent = e.message;
  }
});

$('#token-form').addEventListener('submit', async ev => {
  ev.preventDefault();
  try {
    const t = await api('POST', '/api/v1/tokens', { name: $('#token-name').value.trim() });
    $('#token-secret').textContent = `Token "${t.name}": ${t.token} — copy it now, it is not shown again.`;
    $('#token-name').value = '';
    loadSettings();
  } catch (e) { $('#token-secret').textContent = e.message; $('#token-name').focus(); }
});

// --- start ---
window.addEventListener('hashchange', () => { if (csrf) route(); });
(async () => {
  try {
    const s = await api('GET', '/api/v1/session');
    csrf = s.csrf;
    role = s.role || 'admin';
    route();
  } catch (e) { showLogin(); }
})();
