// Starting a run: an agent (from GET /agent/agents) and a message; POST /agent/execute, then the
// run's view.

import {api, ApiError} from './api.js';
import {h, replace} from './dom.js';

/** Renders the start form into `main`, `preselected` the agent to pick first (or null). */
export function renderStart(main, ctx, preselected) {
  let disposed = false;
  const agent = h('select', {id: 'agent', name: 'agentType', required: true, 'aria-describedby': 'agent-about'});
  const about = h('div', {class: 'hint', id: 'agent-about'});
  const message = h('textarea', {id: 'message', name: 'message', rows: '5', required: true,
    'aria-describedby': 'message-hint', placeholder: 'What should the agent do?'});
  const session = h('input', {id: 'session', name: 'sessionId', type: 'text', autocomplete: 'off',
    spellcheck: 'false', 'aria-describedby': 'session-hint'});
  const submit = h('button', {type: 'submit', id: 'start-button', text: 'Start run'});
  const error = h('p', {class: 'error-text', id: 'start-error', role: 'alert'});
  let agents = [];

  const form = h('form', {class: 'panel start', 'aria-labelledby': 'view-title', onsubmit: (e) => start(e)},
    h('div', {class: 'field'}, h('label', {for: 'agent', text: 'Agent'}), agent, about),
    h('div', {class: 'field'}, h('label', {for: 'message', text: 'Message'}), message,
      h('p', {class: 'hint', id: 'message-hint', text: 'Ctrl+Enter starts the run.'})),
    h('div', {class: 'field'}, h('label', {for: 'session', text: 'Session (optional)'}), session,
      h('p', {class: 'hint', id: 'session-hint',
        text: 'A conversation: the run is its next turn and sees its earlier turns. Letters, digits, . _ : -'})),
    h('div', {class: 'actions'}, submit),
    error);
  replace(main, h('h1', {tabindex: '-1', id: 'view-title', text: 'Start a run'}), form);
  document.title = 'Start a run · Helix console';

  message.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) form.requestSubmit();
  });
  agent.addEventListener('change', describe);

  function describe() {
    const chosen = agents.find((a) => a.name === agent.value);
    if (!chosen) {
      replace(about);
      return;
    }
    const tools = (chosen.tools || []).filter((t) => t.kind === 'tool').map((t) => t.name);
    replace(about,
      chosen.description ? h('p', {text: chosen.description}) : null,
      h('p', {}, `Model ${chosen.model} · at most ${chosen.maxSteps} steps`,
        tools.length ? ` · tools: ${tools.join(', ')}` : '',
        chosen.subAgents?.length ? ` · sub-agents: ${chosen.subAgents.join(', ')}` : ''));
  }

  api.agents().then((answer) => {
    if (disposed) return;
    agents = answer.agents || [];
    replace(agent, agents.map((a) =>
      h('option', {value: a.name, selected: a.name === preselected, text: a.name})));
    if (!agents.length) error.textContent = 'This server has no agents.';
    describe();
  }).catch((e) => {
    if (e instanceof ApiError && e.unauthorized) ctx.unauthorized(e);
    else error.textContent = `Could not load the agents: ${e.message}`;
  });

  async function start(event) {
    event.preventDefault();
    error.textContent = '';
    if (!message.value.trim()) {
      error.textContent = 'Write a message for the agent.';
      message.focus();
      return;
    }
    submit.disabled = true;
    submit.textContent = 'Starting…';
    try {
      const started = await api.execute(agent.value, message.value, session.value.trim() || null);
      if (!disposed) location.hash = `#/runs/${encodeURIComponent(started.runId)}`;
    } catch (e) {
      if (e instanceof ApiError && e.unauthorized) ctx.unauthorized(e);
      else error.textContent = `The run did not start: ${e.message}`;
    } finally {
      submit.disabled = false;
      submit.textContent = 'Start run';
    }
  }

  return () => {
    disposed = true;
  };
}
