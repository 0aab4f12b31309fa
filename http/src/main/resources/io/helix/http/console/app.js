// The run console: a single page with three views, chosen by the URL's fragment:
//   #/runs          the runs list
//   #/runs/<id>     a run
//   #/new           start a run (#/new?agent=<name> picks the agent)
// When the API answers 401 (it wants a bearer token: helix.http.auth.tokens), the page asks for a
// token, keeps it in this tab's sessionStorage and goes back to the view it was on.

import {api, ApiError, setToken, token} from './api.js';
import {announce, h, replace} from './dom.js';
import {renderRunView} from './run-view.js';
import {renderRuns} from './runs.js';
import {renderStart} from './start.js';

const main = document.getElementById('main');
const forget = document.getElementById('forget-token');
let dispose = null;
let signingIn = false;

function route() {
  const hash = location.hash.startsWith('#/') ? location.hash.slice(1) : '/runs';
  const [path, query] = hash.split('?');
  const parts = path.split('/').filter(Boolean).map((part) => {
    try {
      return decodeURIComponent(part);
    } catch {
      return part;
    }
  });
  if (parts[0] === 'runs' && parts[1]) return {name: 'run', runId: parts[1]};
  if (parts[0] === 'new') return {name: 'new', agent: new URLSearchParams(query || '').get('agent')};
  return {name: 'runs'};
}

const context = {unauthorized: (error) => askForToken(error)};

function show(moveFocus) {
  if (dispose) dispose();
  dispose = null;
  signingIn = false;
  const current = route();
  if (current.name === 'run') dispose = renderRunView(main, current.runId, context);
  else if (current.name === 'new') dispose = renderStart(main, context, current.agent);
  else dispose = renderRuns(main, context);
  for (const link of document.querySelectorAll('[data-nav]')) {
    if (link.dataset.nav === current.name) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  forget.hidden = !token();
  if (moveFocus) {
    const title = document.getElementById('view-title');
    if (title) title.focus();
    announce(document.title.replace(' · Helix console', ''));
  }
}

/** The API wants a token: a form for it, then the view again. */
function askForToken(error) {
  if (signingIn) return;
  signingIn = true;
  if (dispose) dispose();
  dispose = null;
  const rejected = Boolean(token()) || error?.problem?.detail?.includes('not valid');
  setToken(null);
  forget.hidden = true;
  const input = h('input', {id: 'token', name: 'token', type: 'password', autocomplete: 'off', spellcheck: 'false',
    required: true, 'aria-describedby': 'token-hint'});
  const message = h('p', {class: 'error-text', id: 'token-error', role: 'alert',
    text: rejected ? 'That token was not accepted: enter a valid one.' : ''});
  const submit = h('button', {type: 'submit', id: 'token-submit', text: 'Continue'});
  const form = h('form', {class: 'panel signin', 'aria-labelledby': 'view-title', onsubmit: async (event) => {
    event.preventDefault();
    const value = input.value.trim();
    if (!value) return;
    submit.disabled = true;
    setToken(value);
    try {
      await api.agents();
      show(true);
    } catch (e) {
      setToken(null);
      message.textContent = e instanceof ApiError && e.unauthorized
        ? 'That token was not accepted: enter a valid one.'
        : `Could not reach the server: ${e.message}`;
      input.focus();
    } finally {
      submit.disabled = false;
    }
  }},
  h('div', {class: 'field'}, h('label', {for: 'token', text: 'Access token'}), input,
    h('p', {class: 'hint', id: 'token-hint',
      text: 'One of the server\u2019s API tokens (helix.http.auth.tokens). It is kept in this browser tab only, and sent with each request to the API.'})),
  h('div', {class: 'actions'}, submit),
  message);
  replace(main, h('h1', {tabindex: '-1', id: 'view-title', text: 'Access token needed'}),
    h('p', {text: 'This server asks for a bearer token before it answers.'}), form);
  document.title = 'Access token · Helix console';
  input.focus();
}

forget.addEventListener('click', () => {
  setToken(null);
  announce('Token forgotten');
  show(true);
});

document.getElementById('skip-link').addEventListener('click', (event) => {
  event.preventDefault();
  main.focus();
});

window.addEventListener('hashchange', () => {
  if (location.hash === '' || location.hash.startsWith('#/')) show(true);
});

show(false);
