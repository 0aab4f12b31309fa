// The runs list: GET /agent/runs with its filters (status, agent type, top-level runs only), newest
// first, a page at a time by cursor. While a run on the page is running, the page is read again
// every few seconds.

import {api, ApiError, LIVE_STATUSES} from './api.js';
import {append, formatDuration, formatTime, formatUsage, h, replace, statusBadge} from './dom.js';

const PAGE = 25;
const POLL_MS = 2000;
const IDLE_POLL_MS = 15000;

/** Filters and paging outlive the view (back from a run finds the list as it was). */
const state = {
  filters: {status: '', agentType: '', rootsOnly: false},
  cursors: [null],
};

/** Renders the runs list into `main`; answers a function that stops its polling. */
export function renderRuns(main, ctx) {
  let disposed = false;
  let timer = null;
  let loading = null;

  const status = h('select', {id: 'filter-status', name: 'status'},
    ['', 'running', 'suspended', 'interrupted', 'completed', 'failed'].map((value) =>
      h('option', {value, selected: state.filters.status === value, text: value || 'Any status'})));
  const agentType = h('select', {id: 'filter-agent', name: 'agentType'}, h('option', {value: '', text: 'Any agent'}));
  const rootsOnly = h('input', {id: 'filter-roots', name: 'rootsOnly', type: 'checkbox', checked: state.filters.rootsOnly});
  const filters = h('form', {class: 'filters', 'aria-label': 'Filter runs', onsubmit: (e) => e.preventDefault()},
    h('div', {class: 'field'}, h('label', {for: 'filter-status', text: 'Status'}), status),
    h('div', {class: 'field'}, h('label', {for: 'filter-agent', text: 'Agent'}), agentType),
    h('div', {class: 'field check'}, rootsOnly, h('label', {for: 'filter-roots', text: 'Top-level runs only'})));
  const note = h('p', {class: 'hint', id: 'runs-note', 'aria-live': 'polite'});
  const body = h('tbody', {id: 'runs-body'});
  const table = h('table', {class: 'runs', id: 'runs-table'},
    h('caption', {class: 'visually-hidden', text: 'Runs, newest first'}),
    h('thead', {}, h('tr', {}, ['Run', 'Agent', 'Status', 'Steps', 'Tokens', 'Started', 'Took'].map((name) =>
      h('th', {scope: 'col', text: name})))),
    body);
  const pager = h('nav', {class: 'pager', 'aria-label': 'Pages of runs'});
  const newer = h('button', {type: 'button', id: 'runs-newer', text: '← Newer', onclick: () => page(-1)});
  const older = h('button', {type: 'button', id: 'runs-older', text: 'Older →', onclick: () => page(1)});
  const refresh = h('button', {type: 'button', id: 'runs-refresh', class: 'secondary', text: 'Refresh', onclick: () => load()});
  const openId = h('input', {id: 'open-run-id', name: 'runId', type: 'text', autocomplete: 'off', spellcheck: 'false', required: true});
  const open = h('form', {class: 'open-run', 'aria-label': 'Open a run by its id', onsubmit: (e) => {
    e.preventDefault();
    const id = openId.value.trim();
    if (id) location.hash = `#/runs/${encodeURIComponent(id)}`;
  }}, h('label', {for: 'open-run-id', text: 'Open a run by id'}), openId, h('button', {type: 'submit', class: 'secondary', text: 'Open'}));

  replace(main,
    h('div', {class: 'view-head'},
      h('h1', {tabindex: '-1', id: 'view-title', text: 'Runs'}),
      h('a', {class: 'button', href: '#/new', text: 'Start a run'})),
    filters,
    h('div', {class: 'list-bar'}, note, refresh),
    h('div', {class: 'table-wrap'}, table),
    append(pager, [newer, older]),
    open);
  document.title = 'Runs · Helix console';

  const onFilter = () => {
    state.filters = {status: status.value, agentType: agentType.value, rootsOnly: rootsOnly.checked};
    state.cursors = [null];
    load();
  };
  status.addEventListener('change', onFilter);
  agentType.addEventListener('change', onFilter);
  rootsOnly.addEventListener('change', onFilter);

  api.agents().then((answer) => {
    if (disposed) return;
    for (const agent of answer.agents || []) {
      agentType.append(h('option', {value: agent.name, selected: state.filters.agentType === agent.name, text: agent.name}));
    }
  }).catch(() => {});

  function page(direction) {
    if (direction > 0 && state.next) state.cursors.push(state.next);
    if (direction < 0 && state.cursors.length > 1) state.cursors.pop();
    load();
  }

  async function load() {
    clearTimeout(timer);
    const mine = (loading = {});
    const cursor = state.cursors[state.cursors.length - 1];
    const f = state.filters;
    let answer;
    try {
      answer = await api.runs({status: f.status, agentType: f.agentType, rootsOnly: f.rootsOnly ? 'true' : null}, cursor, PAGE);
    } catch (error) {
      if (disposed || mine !== loading) return;
      if (error instanceof ApiError && error.unauthorized) {
        ctx.unauthorized(error);
      } else if (error instanceof ApiError && error.status === 503) {
        replace(body);
        note.textContent = 'This server keeps no run history, so there is no list of runs: start a run, or open one by its id.';
      } else {
        note.textContent = `Could not load the runs: ${error.message}`;
        timer = setTimeout(load, POLL_MS * 3);
      }
      return;
    }
    if (disposed || mine !== loading) return;
    const runs = answer.runs || [];
    state.next = answer.nextCursor || null;
    replace(body, runs.map(row));
    if (!runs.length) {
      body.append(h('tr', {class: 'empty'}, h('td', {colspan: '7'}, 'No runs here yet. ', h('a', {href: '#/new', text: 'Start one'}), '.')));
    }
    newer.disabled = state.cursors.length <= 1;
    older.disabled = !state.next;
    pager.hidden = newer.disabled && older.disabled;
    const running = runs.filter((r) => r.status === 'running').length;
    const waiting = runs.filter((r) => r.status === 'suspended').length;
    const pageNo = state.cursors.length;
    note.textContent = `${runs.length} run${runs.length === 1 ? '' : 's'} on page ${pageNo}` +
      (running ? ` · ${running} running: refreshing every ${POLL_MS / 1000} s` : '') +
      (waiting ? ` · ${waiting} waiting for a person` : '');
    // running runs are followed closely; the first page looks for new runs now and then
    if (running) timer = setTimeout(load, POLL_MS);
    else if (state.cursors.length === 1) timer = setTimeout(load, IDLE_POLL_MS);
  }

  load();
  return () => {
    disposed = true;
    clearTimeout(timer);
  };
}

/** A run's row: its id links to its view. */
function row(run) {
  const ended = !LIVE_STATUSES.includes(run.status);
  const took = ended && run.createdAt && run.updatedAt ? Date.parse(run.updatedAt) - Date.parse(run.createdAt) : null;
  const cell = (label, ...content) => h('td', {'data-label': label}, h('span', {class: 'cell'}, ...content));
  return h('tr', {'data-run-id': run.runId},
    cell('Run', h('a', {href: `#/runs/${encodeURIComponent(run.runId)}`}, h('code', {text: run.runId})),
      run.parentAgentId ? h('span', {class: 'sub', text: ' sub-agent'}) : null),
    cell('Agent', run.agentType),
    cell('Status', statusBadge(run.status, run.aborted)),
    cell('Steps', String(run.stepCount ?? '—')),
    cell('Tokens', formatUsage(run.usage)),
    cell('Started', h('time', {datetime: run.createdAt, text: formatTime(run.createdAt)})),
    cell('Took', ended ? formatDuration(took) : run.status === 'suspended' ? 'waiting' : run.status));
}
