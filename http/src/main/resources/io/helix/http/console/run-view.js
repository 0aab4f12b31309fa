// The view of one run: its summary (status, steps, usage, timing, output or error) with an Abort
// button while it runs, its activity as streamed (text, tool calls, sub-agents, state patches),
// its sub-agent tree, its state patches and its conversation as the run history keeps it.

import {api, ApiError} from './api.js';
import {announce, formatDuration, formatTime, formatUsage, h, pretty, replace, setBadge} from './dom.js';
import {StreamFollower, StreamState} from './stream.js';
import {Timeline} from './timeline.js';

const STREAM_STATE_TEXT = {
  [StreamState.CONNECTING]: 'Connecting to the stream…',
  [StreamState.LIVE]: 'Live: following the stream.',
  [StreamState.RECONNECTING]: 'Connection lost: reconnecting, from where it left off…',
  [StreamState.ENDED]: 'The stream has ended.',
  [StreamState.DELETED]: 'The stream was deleted after its retention period; the conversation below is kept.',
  [StreamState.UNAUTHORIZED]: 'The stream needs a valid token.',
  [StreamState.NOT_FOUND]: 'No stream for this run.',
};

/** A page of the conversation. */
const MESSAGES_PAGE = 100;

/**
 * Renders the run `runId` into `main`; answers a function that stops its timers and its stream.
 * `ctx.unauthorized(error)` is called when the API wants a token.
 */
export function renderRunView(main, runId, ctx) {
  const view = new RunView(main, runId, ctx);
  view.render();
  view.load();
  return () => view.dispose();
}

class RunView {
  constructor(main, runId, ctx) {
    this.main = main;
    this.runId = runId;
    this.ctx = ctx;
    this.disposed = false;
    this.timers = new Set();
    this.result = null;
    this.follower = null;
    this.startedAt = null;
    this.endedAt = null;
    this.conversationLoaded = 0;
  }

  render() {
    this.title = h('h1', {tabindex: '-1', id: 'view-title'}, h('span', {class: 'agent', text: 'Run'}), ' ',
      h('code', {class: 'id', text: this.runId}));
    this.status = h('span', {id: 'run-status', class: 'badge', text: '…'});
    this.abortReason = h('input', {id: 'abort-reason', name: 'reason', type: 'text', value: 'aborted from the console', autocomplete: 'off'});
    this.abortButton = h('button', {type: 'submit', class: 'danger', id: 'abort-button', text: 'Abort run'});
    this.abortForm = h('form', {class: 'abort', hidden: true, 'aria-label': 'Abort this run', onsubmit: (e) => this.abort(e)},
      h('label', {for: 'abort-reason', text: 'Reason'}), this.abortReason, this.abortButton);
    this.facts = h('dl', {class: 'facts', id: 'run-facts'});
    this.outcome = h('div', {class: 'outcome', id: 'run-outcome'});
    this.streamState = h('p', {class: 'stream-state', id: 'stream-state', role: 'status'});
    this.activity = h('ol', {class: 'timeline', id: 'activity', 'aria-label': 'Activity, as streamed'});
    this.tree = h('ul', {class: 'tree', id: 'subagent-tree'});
    this.treeEmpty = h('p', {class: 'hint', text: 'No sub-agent runs.'});
    this.patches = h('ol', {class: 'patches', id: 'state-patches'});
    this.patchesEmpty = h('p', {class: 'hint', text: 'No state patches.'});
    this.conversation = h('ol', {class: 'conversation', id: 'conversation'});
    this.conversationNote = h('p', {class: 'hint', id: 'conversation-note'});
    this.moreButton = h('button', {type: 'button', hidden: true, text: 'Load more messages', onclick: () => this.loadConversation(true)});

    replace(
      this.main,
      h('nav', {class: 'crumbs', 'aria-label': 'Breadcrumb'},
        h('ol', {}, h('li', {}, h('a', {href: '#/runs', text: 'Runs'})), h('li', {'aria-current': 'page', text: this.runId}))),
      h('header', {class: 'run-head'}, h('div', {class: 'run-title'}, this.title, this.status), this.abortForm),
      h('div', {class: 'run-grid'},
        h('div', {class: 'run-main'},
          h('section', {'aria-labelledby': 'activity-title', class: 'panel'},
            h('h2', {id: 'activity-title', text: 'Activity'}), this.streamState, this.activity),
          h('section', {'aria-labelledby': 'conversation-title', class: 'panel'},
            h('h2', {id: 'conversation-title', text: 'Conversation'}), this.conversationNote, this.conversation, this.moreButton)),
        h('aside', {class: 'run-side', 'aria-label': 'Run details'},
          h('section', {'aria-labelledby': 'summary-title', class: 'panel'},
            h('h2', {id: 'summary-title', text: 'Summary'}), this.facts, this.outcome),
          h('section', {'aria-labelledby': 'tree-title', class: 'panel'},
            h('h2', {id: 'tree-title', text: 'Sub-agents'}), this.treeEmpty, this.tree),
          h('section', {'aria-labelledby': 'patches-title', class: 'panel'},
            h('h2', {id: 'patches-title', text: 'State patches'}), this.patchesEmpty, this.patches))),
    );
    this.timeline = new Timeline(this.runId, {
      list: this.activity,
      tree: this.tree,
      patches: this.patches,
      onRunEvent: (id, chunk) => this.onRunEvent(id, chunk),
    });
  }

  async load() {
    try {
      this.result = await api.result(this.runId);
    } catch (error) {
      this.failed(error, 'Could not load this run');
      return;
    }
    if (this.disposed) return;
    this.showResult();
    this.follower = new StreamFollower(this.runId, this.result.streamId || null, {
      onChunk: (chunk) => {
        this.timeline.apply(chunk);
        this.onChunk(chunk);
      },
      onState: (state) => this.onStreamState(state),
    }).start();
    this.loadConversation(false);
  }

  failed(error, what) {
    if (error instanceof ApiError && error.unauthorized) {
      this.ctx.unauthorized(error);
      return;
    }
    const detail = error instanceof ApiError && error.status === 404 ? 'There is no run with this id.' : error.message;
    replace(this.outcome, h('p', {class: 'error-text', role: 'alert', text: `${what}: ${detail}`}));
  }

  dispose() {
    this.disposed = true;
    if (this.follower) this.follower.stop();
    for (const timer of this.timers) clearTimeout(timer);
  }

  later(ms, fn) {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.disposed) fn();
    }, ms);
    this.timers.add(timer);
  }

  // ---- summary

  showResult() {
    const r = this.result;
    this.title.querySelector('.agent').textContent = r.agentType;
    document.title = `${r.agentType} ${this.runId} · Helix console`;
    setBadge(this.status, r.status, r.aborted);
    this.abortForm.hidden = r.status !== 'running';
    const duration =
      this.startedAt === null ? null : (this.endedAt ?? (r.status === 'running' ? Date.now() : null)) - this.startedAt;
    const fact = (name, ...value) => [h('dt', {text: name}), h('dd', {}, ...value)];
    replace(
      this.facts,
      fact('Status', r.aborted ? `aborted${r.abortReason ? `: ${r.abortReason}` : ''}` : r.status),
      fact('Agent', r.agentType),
      fact('Steps', String(r.steps)),
      fact('Tokens', h('span', {id: 'run-usage', text: formatUsage(r.usage)})),
      fact('Started', h('time', {text: formatTime(this.startedAt)})),
      fact(r.status === 'running' ? 'Running for' : 'Took', h('span', {id: 'run-duration', text: formatDuration(duration)})),
      r.parentRunId ? fact('Parent run', h('a', {href: `#/runs/${encodeURIComponent(r.parentRunId)}`, text: r.parentRunId})) : null,
      r.streamId && r.streamId !== this.runId ? fact('Stream', h('code', {text: r.streamId})) : null,
    );
    const outcome = [];
    if (r.status === 'completed' && r.output !== null && r.output !== undefined) {
      outcome.push(h('h3', {text: 'Output'}),
        typeof r.output === 'string' ? h('p', {class: 'body', text: r.output}) : h('pre', {class: 'json', text: pretty(r.output)}));
    }
    if (r.status === 'failed' && r.error) outcome.push(h('h3', {text: 'Error'}), h('p', {class: 'error-text', text: r.error}));
    if (r.state && Object.keys(r.state).length) outcome.push(h('h3', {text: 'State'}), h('pre', {class: 'json', text: pretty(r.state)}));
    replace(this.outcome, outcome);
    if (r.status === 'running') this.later(1000, () => this.tick());
  }

  /** While the run runs: the duration counts up. */
  tick() {
    if (this.result?.status !== 'running' || this.startedAt === null) return;
    const el = document.getElementById('run-duration');
    if (el) el.textContent = formatDuration(Date.now() - this.startedAt);
    this.later(1000, () => this.tick());
  }

  async refreshResult() {
    if (this.refreshing) {
      this.refreshAgain = true;
      return;
    }
    this.refreshing = true;
    try {
      const before = this.result?.status;
      this.result = await api.result(this.runId);
      if (this.disposed) return;
      this.showResult();
      if (before === 'running' && this.result.status !== 'running') {
        announce(`Run ${this.result.aborted ? 'aborted' : this.result.status}`);
        this.loadConversation(false);
      }
    } catch (error) {
      this.failed(error, 'Could not refresh this run');
    } finally {
      this.refreshing = false;
      if (this.refreshAgain && !this.disposed) {
        this.refreshAgain = false;
        this.later(300, () => this.refreshResult());
      }
    }
  }

  /**
   * A new step of the viewed run: its steps, usage and conversation are read again (at most once a
   * second).
   */
  onChunk(chunk) {
    if (chunk.runId !== this.runId || chunk.step <= (this.lastStep ?? 0)) return;
    this.lastStep = chunk.step;
    if (!this.stepRefreshPending) {
      this.stepRefreshPending = true;
      this.later(1000, () => {
        this.stepRefreshPending = false;
        this.refreshResult();
        if (this.conversationLoaded <= MESSAGES_PAGE) this.loadConversation(false);
      });
    }
  }

  onRunEvent(id, chunk) {
    if (chunk.type === 'subagent_start') {
      this.treeEmpty.hidden = this.tree.children.length > 0;
    }
    if (this.patches.children.length) this.patchesEmpty.hidden = true;
    if (id !== this.runId) return;
    if (chunk.type === 'run_start') {
      this.startedAt = chunk.timestamp;
      if (this.result) this.showResult();
    } else if (chunk.type === 'run_end') {
      this.endedAt = chunk.timestamp;
      this.refreshResult();
    }
  }

  onStreamState(state) {
    const connections = this.follower?.connections ?? 0;
    const reconnected = connections > 1 ? ` (reconnected ${connections - 1} time${connections > 2 ? 's' : ''})` : '';
    this.streamState.textContent = (STREAM_STATE_TEXT[state] || state) + reconnected;
    this.streamState.dataset.state = state;
    this.streamState.dataset.connections = String(connections);
    if (this.patches.children.length) this.patchesEmpty.hidden = true;
    if (state === StreamState.UNAUTHORIZED) this.ctx.unauthorized(new ApiError(401, {}));
  }

  async abort(event) {
    event.preventDefault();
    this.abortButton.disabled = true;
    this.abortButton.textContent = 'Aborting…';
    try {
      this.result = await api.abort(this.runId, this.abortReason.value.trim() || null);
      if (this.disposed) return;
      this.showResult();
      announce('Run aborted');
      this.title.focus();
      this.loadConversation(false);
    } catch (error) {
      this.failed(error, 'Could not abort the run');
    } finally {
      this.abortButton.disabled = false;
      this.abortButton.textContent = 'Abort run';
    }
  }

  // ---- conversation

  /**
   * The conversation from the run history: the first page, or (more) the next one. The history
   * trails the run: while it has not caught up with the run's status, it is asked again.
   */
  async loadConversation(more, attempt = 0) {
    const offset = more ? this.conversationLoaded : 0;
    let page;
    try {
      page = await api.state(this.runId, offset, MESSAGES_PAGE);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) {
        this.conversationNote.textContent = 'The run history does not know this run.';
        return;
      }
      this.failed(error, 'Could not load the conversation');
      return;
    }
    if (this.disposed) return;
    if (!more) {
      this.conversation.replaceChildren();
      this.conversationLoaded = 0;
    }
    for (const message of page.messages || []) this.conversation.append(messageItem(message));
    this.conversationLoaded += (page.messages || []).length;
    this.moreButton.hidden = !page.hasMore;
    const behind = !page.projected || (this.result && page.status !== this.result.status);
    if (!page.projected) {
      this.conversationNote.textContent = 'The run history has not recorded this run yet.';
    } else {
      this.conversationNote.textContent = `${page.total} message${page.total === 1 ? '' : 's'}.`;
    }
    if (!more && behind && attempt < 40 && !this.conversationRetry) {
      // one retry at a time, however many loads asked for one
      this.conversationRetry = true;
      this.later(Math.min(500 * (attempt + 1), 3000), () => {
        this.conversationRetry = false;
        this.loadConversation(false, attempt + 1);
      });
    }
  }
}

/** A message of the conversation (user, assistant with its tool calls, tool result). */
function messageItem(message) {
  const role = message.role;
  const who =
    role === 'tool' ? `Tool result · ${message.toolName || ''}` : role === 'assistant' ? 'Assistant' : 'User';
  const parts = [h('p', {class: 'who'}, h('span', {text: who}), ' ', h('time', {text: formatTime(message.createdAt)}))];
  if (role === 'tool') {
    parts.push(message.error
      ? h('p', {class: 'error-text', text: message.error})
      : h('pre', {class: 'json', text: prettyText(message.content)}));
  } else if (message.content) {
    parts.push(h('p', {class: 'body', text: message.content}));
  }
  for (const call of message.toolCalls || []) {
    parts.push(h('p', {class: 'call'}, 'Calls ', h('code', {text: call.name}), ' ', h('code', {class: 'args', text: JSON.stringify(call.arguments)})));
  }
  return h('li', {class: `message ${role}`}, ...parts);
}

/** A tool result's JSON text, indented. */
function prettyText(text) {
  try {
    return pretty(JSON.parse(text));
  } catch {
    return text ?? '';
  }
}
