// portgate console: plain JavaScript over the same REST API the CLI uses.
const $ = (sel, root = document) => root.querySelector(sel);
const views = ['login', 'overview', 'forwards', 'connections', 'upnp', 'security', 'door', 'audit', 'settings'];
let csrf = '';
let role = 'admin';
let timer = null;
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

function bytes(n) {
  if (n < 1024) return n + ' B';
  const u = ['KiB', 'MiB', 'GiB', 'TiB']; let i = -1;
  do { n /= 1024; i++; } while (n >= 1024 && i < u.length - 1);
  return n.toFixed(1) + ' ' + u[i];
}

function cell(tr, text, cls) { const td = document.createElement('td'); td.textContent = text; if (cls) td.className = cls; tr.appendChild(td); return td; }
function button(label, cls, onClick) { const b = document.createElement('button'); b.type = 'button'; b.textContent = label; b.className = cls; b.addEventListener('click', onClick); return b; }

function show(view) {
  for (const v of views) $('#view-' + v).hidden = v !== view;
  $('#top').hidden = view === 'login';
  document.querySelectorAll('header nav a').forEach(a => a.classList.toggle('active', a.id === 'nav-' + view));
  if (timer) { clearInterval(timer); timer = null; }
}

function showLogin() { show('login'); $('#login-password').focus(); }

async function route() {
  let view = (location.hash.replace('#/', '') || 'overview');
  // A door user sees the door page and nothing else.
  document.querySelectorAll('header nav a').forEach(a => { a.hidden = role === 'door' && a.id !== 'nav-door'; });
  if (role === 'door') view = 'door';
  const page = { overview: loadOverview, forwards: loadForwards, connections: loadConnections, upnp: loadUpnp, security: loadSecurity, door: loadDoor, audit: loadAudit, settings: loadSettings }[view] || loadOverview;
  show(views.includes(view) ? view : 'overview');
  try { await page(); } catch (e) { if (e.message !== 'not logged in') console.error(e); }
  if (view === 'overview' || view === 'forwards' || view === 'connections' || view === 'upnp' || view === 'security') {
    timer = setInterval(() => page().catch(() => {}), 2000);
  }
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
  $('#ov-forwards').textContent = s.forwards;
  $('#ov-forwards-detail').textContent = `${s.listening} listening, ${s.failed} failed, ${s.disabled} disabled`;
  $('#ov-connections').textContent = s['connections-active'];
  $('#ov-rate-in').textContent = bytes(Math.round(s['rate-in'])) + '/s';
  $('#ov-rate-out').textContent = bytes(Math.round(s['rate-out'])) + '/s';
  $('#ov-total').textContent = bytes(s['bytes-in']) + ' / ' + bytes(s['bytes-out']);
  drawChart(s.history);
  const eps = await api('GET', '/api/v1/ssh-endpoints');
  $('#endpoints-card').hidden = eps.length === 0;
  const body = $('#endpoints-table tbody');
  body.replaceChildren();
  for (const e of eps) {
    const tr = document.createElement('tr');
    cell(tr, e.name); cell(tr, e.target);
    cell(tr, e.state + (e['retry-in-seconds'] !== undefined ? ` in ${e['retry-in-seconds']} s` : ''), e.state === 'connected' ? 'state-listening' : 'state-failed');
    cell(tr, e['last-error'] || '–');
    body.appendChild(tr);
  }
}

function drawChart(history) {
  if (!window.uPlot) return;
  const data = [history.map(p => p[0]), history.map(p => p[1]), history.map(p => p[2])];
  const el = $('#chart');
  if (!chart) {
    chart = new uPlot({
      width: Math.max(300, el.clientWidth || 800), height: 260,
      series: [{}, { label: 'in (B/s)', stroke: '#1565c0', width: 2 }, { label: 'out (B/s)', stroke: '#2e7d32', width: 2 }],
      axes: [{}, { values: (u, vals) => vals.map(v => bytes(v)) , size: 80 }],
    }, data, el);
  } else {
    chart.setData(data);
  }
}

// --- port forwarding ---
let editing = null;

async function loadForwards() {
  const list = await api('GET', '/api/v1/forwards');
  const body = $('#forwards-table tbody');
  body.replaceChildren();
  $('#forwards-empty').hidden = list.length > 0;
  for (const f of list) {
    const tr = document.createElement('tr');
    tr.dataset.name = f.name;
    const name = cell(tr, f.name);
    if (f.origin === 'config') { const b = document.createElement('span'); b.className = 'badge'; b.textContent = 'config file'; name.append(' ', b); }
    const proxy = f.kind === 'dynamic';
    if (proxy && f['open-proxy']) { const w = document.createElement('span'); w.className = 'badge warn'; w.textContent = 'open proxy'; w.title = 'anyone who reaches this port can use it'; name.append(' ', w); }
    if (f.description) { name.title = f.description; }
    cell(tr, proxy ? f.protocols.join('+').toUpperCase() : (f.protocol || 'tcp').toUpperCase() + (f.via ? ' via ' + f.via : ''));
    cell(tr, f.listen);
    cell(tr, proxy ? `proxy to ${f['permit-open'].join(', ')}` + (f.users.length ? ` (${f.users.length} user${f.users.length > 1 ? 's' : ''})` : '') : f.target);
    cell(tr, (f.allow || []).length ? f.allow.join(', ') : 'everyone');
    const state = cell(tr, f.state + (f.error ? ': ' + f.error : ''), 'state-' + f.state);
    if (f.plane) {
      // Which data plane carries it, and why not the kernel (hover for the reason).
      const b = document.createElement('span');
      b.className = 'badge plane plane-' + f.plane; b.textContent = f.plane;
      if (f['plane-reason']) b.title = f['plane-reason'];
      state.append(' ', b);
    }
    if (f.warning) { const w = document.createElement('div'); w.className = 'warning'; w.textContent = f.warning; state.append(w); }
    cell(tr, String(f.stats['connections-active'] ?? 0), 'conns');
    cell(tr, bytes(f.stats['bytes-in'] ?? 0), 'bytes-in');
    cell(tr, bytes(f.stats['bytes-out'] ?? 0), 'bytes-out');
    const on = cell(tr, '');
    const actions = cell(tr, '');
    if (f.origin === 'config') {
      on.textContent = f.enabled ? 'yes' : 'no';
      actions.textContent = 'edit in the config file';
      actions.className = 'muted';
    } else {
      const toggle = document.createElement('input');
      toggle.type = 'checkbox'; toggle.checked = f.enabled; toggle.className = 'toggle'; toggle.title = 'enabled';
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
    body.appendChild(tr);
  }
}

function splitHostPort(s) {
  const i = s.lastIndexOf(':');
  return i < 0 ? ['', s] : [s.slice(0, i).replace(/^\[|\]$/g, ''), s.slice(i + 1)];
}

function openForm(f) {
  editing = f ? f.name : null;
  const form = $('#forward-form');
  form.reset();
  clearErrors(form);
  $('#forward-form-title').textContent = f ? `Edit rule "${f.name}"` : 'Add rule';
  $('#f-name').disabled = !!f;
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
  }
  $('#forward-dialog').showModal();
}

function clearErrors(root) { root.querySelectorAll('.field-error').forEach(e => e.textContent = ''); $('#form-error').textContent = ''; }

function formJson() {
  const v = id => $(id).value.trim();
  const list = s => s.split(/[\s,]+/).map(x => x.trim()).filter(Boolean);
  const host = v('#f-listen-address');
  const bracket = h => h.includes(':') ? `[${h}]` : h;
  return {
    name: editing || v('#f-name'),
    protocol: $('#f-protocol').value,
    listen: host ? `${bracket(host)}:${v('#f-listen-port')}` : v('#f-listen-port'),
    target: `${bracket(v('#f-target-host'))}:${v('#f-target-port')}`,
    allow: list($('#f-allow').value), deny: list($('#f-deny').value),
    'idle-timeout': v('#f-idle') || '0', 'max-connections': v('#f-max') || '0',
    'proxy-protocol': $('#f-proxy').value, enabled: $('#f-enabled').checked, description: v('#f-description'),
  };
}

$('#add-forward').addEventListener('click', () => openForm(null));
$('#forward-cancel').addEventListener('click', () => $('#forward-dialog').close());
$('#forward-form').addEventListener('submit', async ev => {
  ev.preventDefault();
  const form = $('#forward-form');
  clearErrors(form);
  try {
    if (editing) await api('PUT', `/api/v1/forwards/${encodeURIComponent(editing)}`, formJson());
    else await api('POST', '/api/v1/forwards', formJson());
    $('#forward-dialog').close();
    loadForwards();
  } catch (e) {
    let placed = false;
    for (const p of e.problems) {
      const slot = form.querySelector(`.field-error[data-for="${p.field}"]`);
      if (slot) { slot.textContent = p.message.replace(/^forward "[^"]*": /, ''); placed = true; }
    }
    $('#form-error').textContent = placed ? 'Please correct the fields marked below.' : e.message;
  }
});

// --- connections ---
async function loadConnections() {
  const list = await api('GET', '/api/v1/connections');
  const body = $('#connections-table tbody');
  body.replaceChildren();
  $('#connections-empty').hidden = list.length > 0;
  for (const c of list) {
    const tr = document.createElement('tr');
    if (c.plane === 'kernel') {
      // Carried by the kernel: conntrack knows the client and the state, not the bytes or the age.
      tr.dataset.kernel = 'yes';
      cell(tr, c.forward); cell(tr, c.protocol.toUpperCase()); cell(tr, c.client); cell(tr, c.target);
      cell(tr, '–'); cell(tr, '–'); cell(tr, 'kernel' + (c.state ? ' · ' + c.state : '') + (c.unreplied ? ' · no reply' : ''));
      cell(tr, '');
      body.appendChild(tr);
      continue;
    }
    tr.dataset.id = c.id;
    cell(tr, c.forward); cell(tr, c.protocol.toUpperCase()); cell(tr, c.client); cell(tr, c.target);
    cell(tr, bytes(c['bytes-in'])); cell(tr, bytes(c['bytes-out'])); cell(tr, c['age-seconds'] + ' s');
    cell(tr, '').appendChild(button('Close', 'small danger', async () => {
      try { await api('DELETE', '/api/v1/connections/' + c.id); } catch (e) { alert(e.message); }
      loadConnections();
    }));
    body.appendChild(tr);
  }
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
  const body = $('#leases-table tbody');
  body.replaceChildren();
  $('#leases-empty').hidden = leases.length > 0;
  for (const l of leases) {
    const tr = document.createElement('tr');
    tr.dataset.name = l.name;
    cell(tr, l.protocol.toUpperCase()); cell(tr, String(l['external-port']), 'ext-port'); cell(tr, l.device, 'device');
    cell(tr, String(l['internal-port'])); cell(tr, l.description); cell(tr, duration(l['remaining-seconds']), 'remaining');
    cell(tr, l.via, 'via'); cell(tr, l.state);
    cell(tr, '').appendChild(button('Delete', 'small danger delete', async () => {
      if (!confirm('Delete the lease of ' + l.device + ' on ' + l.protocol.toUpperCase() + ' port ' + l['external-port'] + '?')) return;
      try { await api('DELETE', '/api/v1/leases/' + encodeURIComponent(l.name)); } catch (e) { alert(e.message); }
      loadUpnp();
    }));
    body.appendChild(tr);
  }
  $('#upstream-summary').textContent = up.configured
    ? (up.router ? 'Router: ' + up.router : 'Looking for the router (' + up.method + ')') + (up['external-address'] ? ' · its external address ' + up['external-address'] : '')
      + (up.error ? ' · ' + up.error : '')
    : 'No upstream section in the config: portgate does not open ports on the router above.';
  $('#upstream-table').hidden = !up.configured;
  const ub = $('#upstream-table tbody');
  ub.replaceChildren();
  for (const m of up.mappings) {
    const tr = document.createElement('tr');
    cell(tr, m.forward); cell(tr, m.protocol.toUpperCase()); cell(tr, String(m['internal-port']));
    cell(tr, m['external-port'] ? String(m['external-port']) : '–'); cell(tr, m.state + (m.error ? ': ' + m.error : ''));
    cell(tr, duration(m['remaining-seconds']));
    ub.appendChild(tr);
  }
}

// --- security ---
async function loadSecurity() {
  const [report, bans, doors, triggers] = await Promise.all([api('GET', '/api/v1/security'), api('GET', '/api/v1/bans'),
    api('GET', '/api/v1/doors'), api('GET', '/api/v1/triggers')]);
  const tb = $('#triggers-table tbody');
  tb.replaceChildren();
  for (const t of triggers) {
    const tr = document.createElement('tr');
    tr.dataset.name = t.name;
    cell(tr, t.name); cell(tr, t.trigger); cell(tr, t.open.join(', ')); cell(tr, t['open-for']);
    cell(tr, t['held-by'] || '–', 'held-by'); cell(tr, t.until ? new Date(t.until).toLocaleTimeString() : '–');
    tb.appendChild(tr);
  }
  $('#security-summary').textContent = (report.warnings ? report.warnings + ' warning(s). ' : 'No warnings. ')
    + 'Firewall: allow ' + (report.firewall.allow.length ? report.firewall.allow.join(', ') : 'everyone')
    + (report.firewall.deny.length ? ', deny ' + report.firewall.deny.join(', ') : '') + '; bans ' + report.firewall.ban + '.';
  const body = $('#security-table tbody');
  body.replaceChildren();
  for (const f of report.forwards) {
    const tr = document.createElement('tr');
    tr.dataset.name = f.forward;
    if (f.warnings.length) tr.className = 'warn';
    cell(tr, f.forward); cell(tr, f.listen); cell(tr, f.state); cell(tr, f.reach, 'reach');
    cell(tr, f.access + (f.guarded ? ' ✓' : ''), 'access'); cell(tr, f.service || '–');
    cell(tr, f.warnings.join(' · ') || '–', 'warnings');
    body.appendChild(tr);
  }
  const bb = $('#bans-table tbody');
  bb.replaceChildren();
  $('#bans-empty').hidden = bans.length > 0;
  for (const b of bans) {
    const tr = document.createElement('tr');
    tr.dataset.address = b.address;
    cell(tr, b.address); cell(tr, new Date(b.until).toLocaleString()); cell(tr, b.reason);
    cell(tr, '').appendChild(button('Unban', 'small unban', async () => {
      try { await api('DELETE', '/api/v1/bans/' + encodeURIComponent(b.address)); } catch (e) { alert(e.message); }
      loadSecurity();
    }));
    bb.appendChild(tr);
  }
  const db = $('#doors-table tbody');
  db.replaceChildren();
  for (const d of doors) {
    const tr = document.createElement('tr');
    cell(tr, d.forward); cell(tr, d.address); cell(tr, new Date(d.until).toLocaleTimeString()); cell(tr, d.by);
    db.appendChild(tr);
  }
}

// --- open a door ---
async function loadDoor() {
  const d = await api('GET', '/api/v1/door');
  $('#door-address').textContent = d.address;
  const body = $('#door-table tbody');
  body.replaceChildren();
  $('#door-empty').hidden = d.doors.length > 0;
  for (const door of d.doors) {
    const tr = document.createElement('tr');
    tr.dataset.name = door.name;
    cell(tr, door.name); cell(tr, door.listen); cell(tr, door.description || '–'); cell(tr, door['open-for']);
    cell(tr, door.open ? 'open for you' : 'closed', 'state');
    cell(tr, '').appendChild(button('Open', 'small open', async () => {
      try { await api('POST', '/api/v1/door/' + encodeURIComponent(door.name) + '/open'); } catch (e) { alert(e.message); }
      loadDoor();
    }));
    body.appendChild(tr);
  }
}

// --- audit ---
async function loadAudit() {
  const list = await api('GET', '/api/v1/audit?limit=200');
  const body = $('#audit-table tbody');
  body.replaceChildren();
  for (const a of list) {
    const tr = document.createElement('tr');
    cell(tr, new Date(a.at).toLocaleString()); cell(tr, a.actor); cell(tr, a.source || '–'); cell(tr, a.action); cell(tr, a.subject);
    const change = cell(tr, '');
    if (a.before || a.after) {
      const pre = document.createElement('pre'); pre.className = 'change';
      pre.textContent = (a.before ? 'before: ' + JSON.stringify(a.before) + '\n' : '') + (a.after ? 'after: ' + JSON.stringify(a.after) : '');
      change.appendChild(pre);
    } else { change.textContent = a.detail; }
    body.appendChild(tr);
  }
}

// --- settings ---
async function loadUsers() {
  const users = await api('GET', '/api/v1/users');
  const body = $('#users-table tbody');
  body.replaceChildren();
  for (const u of users) {
    const tr = document.createElement('tr');
    tr.dataset.name = u.name;
    cell(tr, u.name); cell(tr, u.role);
    const c = cell(tr, '');
    if (u.role === 'door') {
      c.appendChild(button('Remove', 'small danger', async () => {
        if (!confirm(`Remove door user "${u.name}"?`)) return;
        try { await api('DELETE', '/api/v1/users/' + encodeURIComponent(u.name)); } catch (e) { alert(e.message); }
        loadUsers();
      }));
    }
    body.appendChild(tr);
  }
}

$('#user-form').addEventListener('submit', async ev => {
  ev.preventDefault();
  $('#user-message').textContent = '';
  try {
    await api('POST', '/api/v1/users', { name: $('#user-name').value, password: $('#user-password').value });
    $('#user-message').textContent = 'added ' + $('#user-name').value;
    $('#user-name').value = ''; $('#user-password').value = '';
    loadUsers();
  } catch (e) { $('#user-message').textContent = e.message; }
});

async function loadSettings() {
  loadUsers().catch(() => {});
  const list = await api('GET', '/api/v1/tokens');
  const body = $('#tokens-table tbody');
  body.replaceChildren();
  for (const t of list) {
    const tr = document.createElement('tr');
    cell(tr, t.name); cell(tr, new Date(t.created).toLocaleString()); cell(tr, t['last-used'] ? new Date(t['last-used']).toLocaleString() : 'never');
    cell(tr, '').appendChild(button('Revoke', 'small danger', async () => {
      if (!confirm(`Revoke token "${t.name}"?`)) return;
      try { await api('DELETE', '/api/v1/tokens/' + encodeURIComponent(t.name)); } catch (e) { alert(e.message); }
      loadSettings();
    }));
    body.appendChild(tr);
  }
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
  } catch (e) { $('#token-secret').textContent = e.message; }
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
