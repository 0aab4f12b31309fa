// Continuing a session as a chat: under a run that is a turn of a session and has ended, a form
// for the next message; it starts the session's next turn (POST /agent/execute with the
// sessionId), then shows that run.

import {api, ApiError, LIVE_STATUSES} from './api.js';
import {h} from './dom.js';

/** The form that continues `run`'s session, or null when the run is no turn or still active. */
export function continueForm(run, ctx) {
  if (!run.sessionId || run.parentRunId || LIVE_STATUSES.includes(run.status)) return null;
  const message = h('textarea', {id: 'continue-message', name: 'message', rows: '3', required: true,
    'aria-describedby': 'continue-hint', placeholder: 'Your next message'});
  const submit = h('button', {type: 'submit', id: 'continue-button', text: 'Send'});
  const error = h('p', {class: 'error-text', id: 'continue-error', role: 'alert'});
  const form = h('form', {class: 'panel continue', id: 'continue-form', 'aria-labelledby': 'continue-title',
    onsubmit: (e) => send(e)},
  h('h2', {id: 'continue-title', text: 'Continue the conversation'}),
  h('div', {class: 'field'}, h('label', {for: 'continue-message', text: 'Message'}), message,
    h('p', {class: 'hint', id: 'continue-hint',
      text: `The next turn of session ${run.sessionId}: the agent sees the conversation so far. Ctrl+Enter sends.`})),
  h('div', {class: 'actions'}, submit), error);
  message.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) form.requestSubmit();
  });

  async function send(event) {
    event.preventDefault();
    error.textContent = '';
    if (!message.value.trim()) {
      error.textContent = 'Write a message.';
      message.focus();
      return;
    }
    submit.disabled = true;
    submit.textContent = 'Sending…';
    try {
      const started = await api.execute(run.agentType, message.value, run.sessionId);
      location.hash = `#/runs/${encodeURIComponent(started.runId)}`;
    } catch (e) {
      if (e instanceof ApiError && e.unauthorized) ctx.unauthorized(e);
      else error.textContent = `The turn did not start: ${e.message}`;
    } finally {
      submit.disabled = false;
      submit.textContent = 'Send';
    }
  }
  return form;
}
