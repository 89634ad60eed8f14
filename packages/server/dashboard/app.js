// The longrun dashboard: a live table of jobs over Server-Sent Events (/v1/events),
// a job view with its log, cancel and artifacts, a form for any job type, and the
// named queues with their counts, each paused and resumed by a button.
// Plain DOM, no build step. Text from the server only ever goes into textContent.

const KEY_STORAGE = 'longrun.apiKey';
const PAGE = 50;
const QUEUES_EVERY_MS = 2000;

const $ = (id) => document.getElementById(id);
const state = {
  key: localStorage.getItem(KEY_STORAGE),
  jobs: new Map(),
  order: [],
  cursor: null,
  selected: null,
  logSeq: 0,
  types: [],
  stream: null,
  // Bumped by every read of the queues and every pause or resume: a read that
  // answers after a newer one began (say, a click) is stale and left unshown.
  queuesSeq: 0,
  queuesTimer: null,
};

class HttpError extends Error {
  constructor(status, body) {
    super(body?.error?.message ?? `HTTP ${status}`);
    this.status = status;
    this.code = body?.error?.code;
  }
}

function headers(extra = {}) {
  return state.key ? { authorization: `Bearer ${state.key}`, ...extra } : extra;
}

async function api(path, { method = 'GET', body } = {}) {
  const res = await fetch(path, {
    method,
    headers: headers(body === undefined ? {} : { 'content-type': 'application/json' }),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = res.status === 204 ? null : await res.json().catch(() => null);
  if (res.status === 401) askForKey();
  if (!res.ok) throw new HttpError(res.status, data);
  return data;
}

// --- API key -------------------------------------------------------------

function askForKey() {
  $('key-form').hidden = false;
  $('forget-key').hidden = true;
  setLive(false, 'API key needed');
}

$('key-form').addEventListener('submit', (e) => {
  e.preventDefault();
  state.key = $('key-input').value.trim();
  localStorage.setItem(KEY_STORAGE, state.key);
  $('key-input').value = '';
  $('key-form').hidden = true;
  start();
});

$('forget-key').addEventListener('click', () => {
  localStorage.removeItem(KEY_STORAGE);
  state.key = null;
  location.reload();
});

// --- Server-Sent Events over fetch (EventSource cannot send an API key) ----

async function* sseEvents(path, signal) {
  const res = await fetch(path, { headers: headers({ accept: 'text/event-stream' }), signal });
  if (res.status === 401) askForKey();
  if (!res.ok || !res.body) throw new HttpError(res.status, await res.json().catch(() => null));
  yield { event: 'open', data: '' };
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value.replace(/\r\n?/g, '\n');
    let cut = buffer.indexOf('\n\n');
    while (cut !== -1) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      cut = buffer.indexOf('\n\n');
      let event = 'message';
      let data = '';
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data += line.slice(5).replace(/^ /, '');
      }
      if (data) yield { event, data };
    }
  }
}

function setLive(on, text) {
  $('live').classList.toggle('on', on);
  $('live').textContent = text;
}

/**
 * Follow every change to our jobs. The list is read once the stream is open, so
 * no change falls between the two: events that arrive meanwhile wait in the
 * stream and are applied after, newest version winning. On a drop, the same again.
 */
async function follow() {
  state.stream?.abort();
  const controller = new AbortController();
  state.stream = controller;
  let backoff = 500;
  while (!controller.signal.aborted) {
    try {
      for await (const { event, data } of sseEvents('/v1/events', controller.signal)) {
        if (event === 'open') {
          await loadJobs();
          setLive(true, 'live');
          backoff = 500;
        } else if (event === 'job') upsert(JSON.parse(data));
      }
    } catch (err) {
      if (controller.signal.aborted || err?.status === 401) return;
    }
    setLive(false, 'reconnecting…');
    await new Promise((r) => setTimeout(r, backoff));
    backoff = Math.min(backoff * 2, 10_000);
  }
}

// --- The table --------------------------------------------------------------

function filters() {
  return { status: $('filter-status').value, type: $('filter-type').value };
}

function matches(job) {
  const f = filters();
  return (!f.status || job.status === f.status) && (!f.type || job.type === f.type);
}

async function loadJobs({ more = false } = {}) {
  const f = filters();
  const q = new URLSearchParams({ limit: String(PAGE) });
  if (f.status) q.set('status', f.status);
  if (f.type) q.set('type', f.type);
  if (more && state.cursor) q.set('cursor', state.cursor);
  const page = await api(`/v1/jobs?${q}`);
  const known = state.jobs;
  if (!more) {
    state.jobs = new Map();
    state.order = [];
  }
  for (const listed of page.data) {
    // An event may already have brought a newer version than the list.
    const seen = known.get(listed.id);
    const job = seen && seen.version > listed.version ? seen : listed;
    if (!state.jobs.has(job.id)) state.order.push(job.id);
    state.jobs.set(job.id, job);
  }
  state.cursor = page.next_cursor;
  $('more').hidden = !state.cursor;
  render();
}

function upsert(job) {
  const known = state.jobs.get(job.id);
  if (known && known.version >= job.version) return;
  if (state.selected === job.id) renderDetail(job);
  if (!matches(job)) {
    // It left the filtered set (say, from running to completed): drop its row.
    if (known) {
      state.jobs.delete(job.id);
      state.order = state.order.filter((id) => id !== job.id);
      document.querySelector(`tr[data-id="${CSS.escape(job.id)}"]`)?.remove();
      updateCount();
    }
    return;
  }
  if (!known) state.order.unshift(job.id);
  state.jobs.set(job.id, job);
  renderRow(job);
}

function age(iso) {
  return seconds((Date.now() - Date.parse(iso)) / 1000);
}

function seconds(n) {
  const s = Math.max(0, Math.round(n));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86400)}d`;
}

function cell(text, className) {
  const td = document.createElement('td');
  if (className) td.className = className;
  td.textContent = text ?? '';
  return td;
}

function progressCell(job) {
  const td = document.createElement('td');
  const bar = document.createElement('div');
  bar.className = 'bar';
  const fill = document.createElement('span');
  fill.style.width = `${job.progress}%`;
  bar.append(fill);
  const pct = document.createElement('span');
  pct.className = 'pct';
  pct.textContent = `${job.progress}%`;
  td.append(bar, pct);
  return td;
}

function rowFor(job) {
  const tr = document.createElement('tr');
  tr.dataset.id = job.id;
  tr.dataset.status = job.status;
  tr.className = state.selected === job.id ? 'selected' : '';
  tr.append(
    cell(job.id, 'id'),
    cell(job.type),
    cell(job.status, `status ${job.status}`),
    progressCell(job),
    cell(job.stage),
    cell(job.error ? `${job.error.code}: ${job.error.message}` : job.message),
    cell(age(job.created_at), 'age'),
  );
  tr.firstChild.title = job.id;
  tr.addEventListener('click', () => select(job.id));
  return tr;
}

function renderRow(job) {
  const existing = document.querySelector(`tr[data-id="${CSS.escape(job.id)}"]`);
  const row = rowFor(job);
  if (existing) existing.replaceWith(row);
  else $('rows').prepend(row);
  updateCount();
}

function render() {
  const rows = state.order
    .map((id) => state.jobs.get(id))
    .filter(Boolean)
    .map(rowFor);
  $('rows').replaceChildren(...rows);
  updateCount();
}

function updateCount() {
  $('count').textContent = `${state.order.length} job${state.order.length === 1 ? '' : 's'}`;
}

$('filter-status').addEventListener('change', () => loadJobs());
$('filter-type').addEventListener('change', () => loadJobs());
$('more').addEventListener('click', () => loadJobs({ more: true }));
setInterval(() => {
  for (const td of document.querySelectorAll('#rows tr')) {
    const job = state.jobs.get(td.dataset.id);
    if (job) td.querySelector('.age').textContent = age(job.created_at);
  }
}, 1000);

// --- Queues ------------------------------------------------------------------

// Counts change with every job that starts or ends, so they are read again every
// 2 s while the page is visible, rather than worked out from the job events.
async function loadQueues() {
  const seq = ++state.queuesSeq;
  try {
    const { data } = await api('/v1/queues');
    if (seq !== state.queuesSeq) return;
    $('queue-rows').replaceChildren(...data.map(queueRow));
    $('queues-scope').hidden = !data.some((q) => q.scope === 'tenant');
  } catch (err) {
    if (seq === state.queuesSeq && err?.status !== 401) $('queues-error').textContent = err.message;
  }
}

function pollQueues() {
  clearTimeout(state.queuesTimer);
  state.queuesTimer = null;
  if (document.visibilityState !== 'visible') return;
  loadQueues().finally(() => {
    state.queuesTimer ??= setTimeout(pollQueues, QUEUES_EVERY_MS);
  });
}

document.addEventListener('visibilitychange', pollQueues);

function queueRow(q) {
  const tr = document.createElement('tr');
  tr.dataset.queue = q.name;
  tr.dataset.paused = String(q.paused);
  const button = document.createElement('button');
  button.type = 'button';
  button.className = q.paused ? 'resume' : 'pause';
  button.textContent = q.paused ? 'Resume' : 'Pause';
  button.addEventListener('click', () => setPaused(q.name, !q.paused, button));
  const action = document.createElement('td');
  action.append(button);
  tr.append(
    cell(q.name, 'name'),
    cell(q.kind),
    cell(q.paused ? 'paused' : 'active', q.paused ? 'state paused' : 'state'),
    cell(String(q.queued), 'queued'),
    cell(String(q.scheduled), 'scheduled'),
    cell(String(q.running), 'running'),
    cell(String(q.concurrency)),
    cell(q.global_limit === null ? '—' : String(q.global_limit)),
    cell(q.oldest_queued_age_seconds === null ? '—' : seconds(q.oldest_queued_age_seconds)),
    cell(String(q.finished_last_minute)),
    action,
  );
  tr.title = q.types.length ? `default queue of ${q.types.join(', ')}` : '';
  return tr;
}

async function setPaused(name, paused, button) {
  button.disabled = true;
  $('queues-error').textContent = '';
  state.queuesSeq++;
  try {
    const q = await api(`/v1/queues/${encodeURIComponent(name)}/${paused ? 'pause' : 'resume'}`, {
      method: 'POST',
    });
    document.querySelector(`tr[data-queue="${CSS.escape(name)}"]`)?.replaceWith(queueRow(q));
  } catch (err) {
    button.disabled = false;
    // A 403 (forbidden) says that pausing needs an operator key.
    $('queues-error').textContent = `${paused ? 'Pause' : 'Resume'} ${name}: ${err.message}`;
  }
}

// --- One job ---------------------------------------------------------------

async function select(id) {
  state.selected = id;
  state.logSeq = 0;
  for (const tr of document.querySelectorAll('#rows tr'))
    tr.classList.toggle('selected', tr.dataset.id === id);
  $('log').textContent = '';
  $('detail-error').textContent = '';
  $('detail').hidden = false;
  const job = await api(`/v1/jobs/${encodeURIComponent(id)}`);
  if (state.selected !== id) return;
  // The read and the event stream race: an event may have brought a newer version
  // while the read was under way, or the read a newer one than the stream has yet
  // (whose event must then not be taken for old news). The newer wins, row and view.
  const known = state.jobs.get(id);
  if (known && known.version >= job.version) renderDetail(known);
  else upsert(job);
}

async function appendLogs(id) {
  for (;;) {
    const q = new URLSearchParams({ limit: '1000' });
    if (state.logSeq > 0) q.set('cursor', String(state.logSeq));
    const page = await api(`/v1/jobs/${encodeURIComponent(id)}/logs?${q}`);
    if (state.selected !== id) return;
    for (const line of page.data) {
      $('log').textContent += `${line.timestamp.slice(11, 23)}  ${line.line}\n`;
      state.logSeq = line.seq;
    }
    $('log').scrollTop = $('log').scrollHeight;
    if (!page.next_cursor) return;
  }
}

let logFetch = Promise.resolve();
function renderDetail(job) {
  $('detail-id').textContent = job.id;
  $('detail-bar').style.width = `${job.progress}%`;
  const fields = {
    status: job.status,
    progress: `${job.progress}%`,
    stage: job.stage ?? '—',
    message: job.message ?? '—',
    attempt: `${job.attempt} of ${job.max_attempts}`,
    eta: job.eta ?? '—',
    created: job.created_at,
    finished: job.finished_at ?? '—',
    error: job.error ? `${job.error.code}: ${job.error.message}` : '—',
  };
  const dl = $('detail-fields');
  dl.replaceChildren();
  for (const [k, v] of Object.entries(fields)) {
    const dt = document.createElement('dt');
    dt.textContent = k;
    const dd = document.createElement('dd');
    dd.textContent = v;
    dd.dataset.field = k;
    dl.append(dt, dd);
  }
  $('cancel').disabled = !['queued', 'running'].includes(job.status);
  renderArtifacts(job);
  logFetch = logFetch.then(() => appendLogs(job.id)).catch(() => {});
}

function bytes(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

function renderArtifacts(job) {
  const box = $('artifacts');
  box.replaceChildren();
  for (const artifact of job.output?.artifacts ?? []) {
    const a = document.createElement('a');
    a.href = artifact.url;
    a.textContent = `${artifact.name} (${bytes(artifact.size)})`;
    a.download = artifact.name;
    if (state.key) {
      // A plain link cannot carry the key: fetch the file, then hand the browser a blob.
      a.addEventListener('click', async (e) => {
        e.preventDefault();
        const res = await fetch(artifact.url, { headers: headers() });
        const url = URL.createObjectURL(await res.blob());
        const tmp = document.createElement('a');
        tmp.href = url;
        tmp.download = artifact.name;
        tmp.click();
        setTimeout(() => URL.revokeObjectURL(url), 10_000);
      });
    }
    box.append(a);
  }
}

$('cancel').addEventListener('click', async () => {
  if (!state.selected) return;
  $('cancel').disabled = true;
  $('detail-error').textContent = '';
  try {
    upsert(await api(`/v1/jobs/${encodeURIComponent(state.selected)}/cancel`, { method: 'POST' }));
  } catch (err) {
    $('cancel').disabled = false;
    $('detail-error').textContent = err.message;
  }
});

// --- Submit form, built from each type's JSON Schema -------------------------

function fieldFor(name, schema, required) {
  const label = document.createElement('label');
  label.textContent = `${name}${required ? ' *' : ''} `;
  if (schema.description) label.title = schema.description;
  let input;
  const types = [].concat(schema.type ?? 'string');
  if (schema.enum) {
    input = document.createElement('select');
    if (!required) input.append(new Option('', ''));
    for (const v of schema.enum) input.append(new Option(String(v), String(v)));
  } else if (types.includes('boolean')) {
    input = document.createElement('input');
    input.type = 'checkbox';
    input.checked = schema.default === true;
  } else if (types.includes('number') || types.includes('integer')) {
    input = document.createElement('input');
    input.type = 'number';
    input.step = types.includes('integer') ? '1' : 'any';
    if (schema.minimum !== undefined) input.min = String(schema.minimum);
    if (schema.maximum !== undefined) input.max = String(schema.maximum);
  } else if (types.includes('object') || types.includes('array')) {
    input = document.createElement('textarea');
    input.rows = 3;
    input.placeholder = 'JSON';
  } else if ((schema.maxLength ?? 0) > 500) {
    input = document.createElement('textarea');
    input.rows = 4;
  } else {
    input = document.createElement('input');
    input.type = schema.format === 'uri' ? 'url' : 'text';
  }
  input.name = name;
  input.dataset.kind = types.includes('integer')
    ? 'integer'
    : types.includes('number')
      ? 'number'
      : types.includes('boolean')
        ? 'boolean'
        : types.includes('object') || types.includes('array')
          ? 'json'
          : 'string';
  if (schema.default !== undefined && input.type !== 'checkbox')
    input.value =
      typeof schema.default === 'object' ? JSON.stringify(schema.default) : String(schema.default);
  if (required) input.required = true;
  label.append(input);
  // A field that takes an uploaded file (its pattern names file ids): a file picker beside it
  // uploads through /v1/files and puts the new file's id in the field.
  if (typeof schema.pattern === 'string' && schema.pattern.includes('file_')) label.append(uploadFor(input));
  return label;
}

function uploadFor(field) {
  const picker = document.createElement('input');
  picker.type = 'file';
  picker.className = 'upload';
  picker.setAttribute('aria-label', `Upload a file for ${field.name}`);
  const status = document.createElement('span');
  status.className = 'upload-status';
  picker.addEventListener('change', async () => {
    const file = picker.files?.[0];
    if (!file) return;
    status.textContent = `uploading ${file.name}…`;
    try {
      const res = await fetch(`/v1/files?filename=${encodeURIComponent(file.name)}`, {
        method: 'POST',
        headers: headers({ 'content-type': file.type || 'application/octet-stream' }),
        body: file,
      });
      const data = await res.json().catch(() => null);
      if (res.status === 401) askForKey();
      if (!res.ok) throw new HttpError(res.status, data);
      field.value = data.id;
      status.textContent = `uploaded ${data.filename} (${data.bytes} bytes)`;
    } catch (err) {
      status.textContent = '';
      $('submit-error').textContent = err.message;
    }
  });
  const wrap = document.createElement('span');
  wrap.append(picker, status);
  return wrap;
}

function renderFields() {
  const type = state.types.find((t) => t.type === $('submit-type').value);
  $('fields').replaceChildren();
  $('type-description').textContent = type
    ? type.description + (type.available ? '' : ` — unavailable: ${type.unavailable_reason}`)
    : '';
  if (!type) return;
  const props = type.input_schema.properties ?? {};
  const required = new Set(type.input_schema.required ?? []);
  for (const [name, schema] of Object.entries(props))
    $('fields').append(fieldFor(name, schema, required.has(name)));
}

function readInput() {
  const input = {};
  for (const el of $('fields').querySelectorAll('input, select, textarea')) {
    if (el.type === 'file') continue;
    const kind = el.dataset.kind;
    if (kind === 'boolean') {
      input[el.name] = el.checked;
      continue;
    }
    if (el.value === '') continue;
    if (kind === 'integer' || kind === 'number') input[el.name] = Number(el.value);
    else if (kind === 'json') input[el.name] = JSON.parse(el.value);
    else input[el.name] = el.value;
  }
  return input;
}

$('submit-type').addEventListener('change', renderFields);
$('submit-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  $('submit-error').textContent = '';
  try {
    const job = await api('/v1/jobs', {
      method: 'POST',
      body: { type: $('submit-type').value, input: readInput() },
    });
    upsert(job);
    select(job.id);
  } catch (err) {
    $('submit-error').textContent = err.message;
  }
});

async function loadTypes() {
  const { data } = await api('/v1/types');
  state.types = data;
  const filter = $('filter-type');
  const submit = $('submit-type');
  filter.replaceChildren(new Option('all', ''));
  submit.replaceChildren();
  for (const t of data) {
    filter.append(new Option(t.type, t.type));
    submit.append(new Option(t.type + (t.available ? '' : ' (unavailable)'), t.type));
  }
  renderFields();
}

async function start() {
  try {
    await loadTypes();
  } catch (err) {
    if (err?.status !== 401) setLive(false, err.message);
    return;
  }
  $('forget-key').hidden = !state.key;
  follow();
  pollQueues();
}

start();
