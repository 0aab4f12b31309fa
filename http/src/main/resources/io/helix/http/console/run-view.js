// The view of one run: its summary (status, steps, usage, timing, output or error) with Interrupt,
// Resume and Abort buttons while it has not ended, what a suspended run waits for (approvals to
// decide, client-executed tools' results to give), its activity as streamed (text, tool calls,
// sub-agents, state patches, approvals), its sub-agent tree, its state patches and its
// conversation as the run history keeps it.

import {api, ApiError, LIVE_STATUSES} from './api.js';
import {continueForm} from './chat.js';
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

/** Chunks after which the run's status or what it waits for may have changed. */
const STATUS_CHUNKS = new Set([
  'tool_approval_request', 'tool_approval_decision', 'client_tool_request', 'run_status', 'run_interrupted', 'run_resumed',
]);

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
    /** The cards of the pending requests shown, by tool call id (kept while pending: typing survives). */
    this.pendingCards = new Map();
    this.pendingCount = 0;
  }

  render() {
    this.title = h('h1', {tabindex: '-1', id: 'view-title'}, h('span', {class: 'agent', text: 'Run'}), ' ',
      h('code', {class: 'id', text: this.runId}));
    this.status = h('span', {id: 'run-status', class: 'badge', text: '…'});
    this.abortReason = h('input', {id: 'abort-reason', name: 'reason', type: 'text', value: 'aborted from the console', autocomplete: 'off'});
    this.abortButton = h('button', {type: 'submit', class: 'danger', id: 'abort-button', text: 'Abort run'});
    this.abortForm = h('form', {class: 'abort', hidden: true, 'aria-label': 'Abort this run', onsubmit: (e) => this.abort(e)},
      h('label', {for: 'abort-reason', text: 'Abort reason'}), this.abortReason, this.abortButton);
    this.interruptButton = h('button', {type: 'button', class: 'secondary', id: 'interrupt-button', hidden: true,
      text: 'Interrupt', title: 'Stop the run softly; it can be resumed', onclick: () => this.interrupt()});
    this.resumeMessage = h('input', {id: 'resume-message', name: 'message', type: 'text', autocomplete: 'off',
      placeholder: 'Optional further message'});
    this.resumeButton = h('button', {type: 'submit', id: 'resume-button', text: 'Resume run'});
    this.resumeForm = h('form', {class: 'resume', hidden: true, 'aria-label': 'Resume this run', onsubmit: (e) => this.resume(e)},
      h('label', {for: 'resume-message', text: 'Message'}), this.resumeMessage, this.resumeButton);
    this.controlError = h('p', {class: 'error-text', id: 'control-error', role: 'alert'});
    this.pendingList = h('ol', {class: 'pending-list', id: 'pending'});
    this.pendingPanel = h('section', {class: 'panel pending', id: 'pending-panel', hidden: true, 'aria-labelledby': 'pending-title'},
      h('h2', {id: 'pending-title', text: 'Waiting for you'}),
      h('p', {class: 'hint', text: 'The run is suspended until each of these is answered.'}),
      this.pendingList);
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
    this.continuePanel = h('div', {id: 'continue-panel'});

    replace(
      this.main,
      h('nav', {class: 'crumbs', 'aria-label': 'Breadcrumb'},
        h('ol', {}, h('li', {}, h('a', {href: '#/runs', text: 'Runs'})), h('li', {'aria-current': 'page', text: this.runId}))),
      h('header', {class: 'run-head'}, h('div', {class: 'run-title'}, this.title, this.status),
        h('div', {class: 'run-controls'}, this.interruptButton, this.resumeForm, this.abortForm)),
      this.controlError,
      h('div', {class: 'run-grid'},
        this.pendingPanel,
        h('div', {class: 'run-main'},
          h('section', {'aria-labelledby': 'activity-title', class: 'panel'},
            h('h2', {id: 'activity-title', text: 'Activity'}), this.streamState, this.activity),
          h('section', {'aria-labelledby': 'conversation-title', class: 'panel'},
            h('h2', {id: 'conversation-title', text: 'Conversation'}), this.conversationNote, this.conversation, this.moreButton),
          this.continuePanel),
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
    const live = LIVE_STATUSES.includes(r.status);
    this.abortForm.hidden = !live;
    this.interruptButton.hidden = r.status !== 'running' && r.status !== 'suspended';
    this.resumeForm.hidden = r.status !== 'interrupted';
    this.showPending(r.pending || []);
    const duration =
      this.startedAt === null ? null : (this.endedAt ?? (live ? Date.now() : null)) - this.startedAt;
    const fact = (name, ...value) => [h('dt', {text: name}), h('dd', {}, ...value)];
    replace(
      this.facts,
      fact('Status', r.aborted ? `aborted${r.abortReason ? `: ${r.abortReason}` : ''}` : statusText(r)),
      fact('Agent', r.agentType),
      fact('Steps', String(r.steps)),
      fact('Tokens', h('span', {id: 'run-usage', text: formatUsage(r.usage)})),
      fact('Started', h('time', {text: formatTime(this.startedAt)})),
      fact(r.status === 'running' ? 'Running for' : live ? 'Since start' : 'Took', h('span', {id: 'run-duration', text: formatDuration(duration)})),
      r.parentRunId ? fact('Parent run', h('a', {href: `#/runs/${encodeURIComponent(r.parentRunId)}`, text: r.parentRunId})) : null,
      r.streamId && r.streamId !== this.runId ? fact('Stream', h('code', {text: r.streamId})) : null,
      r.sessionId ? fact('Session', h('code', {id: 'run-session', text: r.sessionId})) : null,
    );
    if (!this.continuePanel.firstChild || live) replace(this.continuePanel, continueForm(r, this.ctx));
    const outcome = [];
    if (r.status === 'completed' && r.output !== null && r.output !== undefined) {
      outcome.push(h('h3', {text: 'Output'}),
        typeof r.output === 'string' ? h('p', {class: 'body', text: r.output}) : h('pre', {class: 'json', text: pretty(r.output)}));
    }
    if (r.status === 'failed' && r.error) outcome.push(h('h3', {text: 'Error'}), h('p', {class: 'error-text', text: r.error}));
    if (r.state && Object.keys(r.state).length) outcome.push(h('h3', {text: 'State'}), h('pre', {class: 'json', text: pretty(r.state)}));
    replace(this.outcome, outcome);
    if (live && !this.ticking) {
      this.ticking = true;
      this.later(1000, () => this.tick());
    }
  }

  /** While the run has not ended: the duration counts up. */
  tick() {
    if (!LIVE_STATUSES.includes(this.result?.status) || this.startedAt === null) {
      this.ticking = false;
      return;
    }
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
      if (before !== this.result.status) {
        announce(`Run ${this.result.aborted ? 'aborted' : statusText(this.result)}`);
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
    if (STATUS_CHUNKS.has(chunk.type)) this.refreshResult();
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

  async interrupt() {
    this.controlError.textContent = '';
    this.interruptButton.disabled = true;
    this.interruptButton.textContent = 'Interrupting…';
    try {
      this.result = await api.interrupt(this.runId, 'interrupted from the console');
      if (this.disposed) return;
      this.showResult();
      announce('Run interrupted');
      if (!this.resumeForm.hidden) this.resumeMessage.focus();
      this.loadConversation(false);
    } catch (error) {
      this.controlFailed(error, 'Could not interrupt the run');
    } finally {
      this.interruptButton.disabled = false;
      this.interruptButton.textContent = 'Interrupt';
    }
  }

  async resume(event) {
    event.preventDefault();
    this.controlError.textContent = '';
    this.resumeButton.disabled = true;
    this.resumeButton.textContent = 'Resuming…';
    try {
      this.result = await api.resume(this.runId, this.resumeMessage.value.trim() || null);
      if (this.disposed) return;
      this.resumeMessage.value = '';
      this.showResult();
      announce('Run resumed');
      this.title.focus();
    } catch (error) {
      this.controlFailed(error, 'Could not resume the run');
    } finally {
      this.resumeButton.disabled = false;
      this.resumeButton.textContent = 'Resume run';
    }
  }

  /** A refused Interrupt or Resume: said next to the buttons (the run is read again). */
  controlFailed(error, what) {
    if (error instanceof ApiError && error.unauthorized) {
      this.ctx.unauthorized(error);
      return;
    }
    this.controlError.textContent = `${what}: ${error.message}`;
    this.refreshResult();
  }

  // ---- what a suspended run waits for

  /**
   * The pending requests as cards: new ones are added, answered ones removed, the others left as
   * they are (with what was typed into them).
   */
  showPending(pending) {
    const keys = new Set();
    for (const request of pending) {
      const key = request.toolCallId;
      keys.add(key);
      if (!this.pendingCards.has(key)) {
        const card = this.pendingCard(request);
        this.pendingCards.set(key, card);
        this.pendingList.append(card);
      }
    }
    for (const [key, card] of this.pendingCards) {
      if (!keys.has(key)) {
        card.remove();
        this.pendingCards.delete(key);
      }
    }
    this.pendingPanel.hidden = this.pendingCards.size === 0;
  }

  pendingCard(request) {
    const n = ++this.pendingCount;
    const approval = request.kind === 'approval';
    const error = h('p', {class: 'error-text', role: 'alert', id: `pending-error-${n}`});
    const input = h('pre', {class: 'json', tabindex: '0', 'aria-label': `Input of ${request.toolName}`, text: pretty(request.input ?? {})});
    const head = approval
      ? h('h3', {id: `pending-title-${n}`}, 'Allow ', h('code', {text: request.toolName}), ' to run?')
      : h('h3', {id: `pending-title-${n}`}, 'Give the result of ', h('code', {text: request.toolName}));
    const attrs = {
      class: `pending-item ${approval ? 'approval' : 'client-tool'}`,
      'data-tool-call-id': request.toolCallId,
      'data-kind': request.kind,
      'aria-labelledby': `pending-title-${n}`,
    };
    const runId = request.runId || this.runId;
    const sub = runId !== this.runId
      ? h('p', {class: 'hint'}, 'Asked by sub-agent run ', h('a', {href: `#/runs/${encodeURIComponent(runId)}`, text: runId}))
      : null;
    if (approval) {
      if (request.approvalId) attrs['data-approval-id'] = request.approvalId;
      const reason = h('input', {type: 'text', id: `pending-reason-${n}`, name: 'reason', class: 'reason', autocomplete: 'off',
        placeholder: 'Optional: the model hears it with a denial'});
      const approve = h('button', {type: 'button', class: 'approve', text: 'Approve'});
      const deny = h('button', {type: 'button', class: 'danger deny', text: 'Deny'});
      const decide = async (approved) => {
        error.textContent = '';
        approve.disabled = deny.disabled = true;
        try {
          this.result = await api.approve(runId, request.approvalId, approved, reason.value.trim() || null);
          if (this.disposed) return;
          announce(`${approved ? 'Approved' : 'Denied'} ${request.toolName}`);
          this.afterAnswer();
        } catch (e) {
          this.pendingFailed(e, error, approved ? 'Could not approve' : 'Could not deny');
        } finally {
          approve.disabled = deny.disabled = false;
        }
      };
      approve.addEventListener('click', () => decide(true));
      deny.addEventListener('click', () => decide(false));
      return h('li', attrs, h('p', {class: 'who', text: 'Approval'}), head, sub,
        h('h4', {text: 'Input'}), input,
        h('div', {class: 'field'}, h('label', {for: `pending-reason-${n}`, text: 'Reason (optional)'}), reason),
        h('div', {class: 'actions'}, approve, deny), error);
    }
    const result = h('textarea', {id: `pending-result-${n}`, name: 'result', class: 'result-json', rows: '4', spellcheck: 'false',
      'aria-describedby': `pending-result-hint-${n}`, placeholder: '{ }'});
    const submit = h('button', {type: 'submit', class: 'submit-result', text: 'Submit result'});
    const form = h('form', {'aria-label': `Result of ${request.toolName}`, onsubmit: async (e) => {
      e.preventDefault();
      error.textContent = '';
      let value;
      try {
        value = JSON.parse(result.value);
      } catch (parseError) {
        error.textContent = `Not JSON: ${parseError.message}`;
        result.focus();
        return;
      }
      submit.disabled = true;
      try {
        this.result = await api.toolResult(runId, request.toolCallId, {result: value});
        if (this.disposed) return;
        announce(`Result of ${request.toolName} given`);
        this.afterAnswer();
      } catch (failure) {
        this.pendingFailed(failure, error, 'The result was refused');
        result.focus();
      } finally {
        submit.disabled = false;
      }
    }},
    h('div', {class: 'field'},
      h('label', {for: `pending-result-${n}`, text: 'Result (JSON)'}),
      h('p', {class: 'hint', id: `pending-result-hint-${n}`, text: 'The tool runs on your side: give what it answers, as JSON. Ctrl+Enter submits.'}),
      result),
    h('div', {class: 'actions'}, submit));
    result.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        form.requestSubmit();
      }
    });
    return h('li', attrs, h('p', {class: 'who', text: 'Client-executed tool'}), head, sub,
      h('h4', {text: 'Input'}), input, form, error);
  }

  /** An approval or a result was taken: the run as answered, focus on what is next. */
  afterAnswer() {
    this.showResult();
    const next = this.pendingList.querySelector('input, textarea');
    if (next) next.focus();
    else this.title.focus();
    this.refreshResult();
  }

  pendingFailed(error, where, what) {
    if (error instanceof ApiError && error.unauthorized) {
      this.ctx.unauthorized(error);
      return;
    }
    where.textContent = `${what}: ${error.message}`;
    if (error instanceof ApiError && error.status !== 400) this.refreshResult();
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

/** A run's status for people: what a suspended run waits for. */
function statusText(result) {
  const pending = result.pending || [];
  if (result.status !== 'suspended' || !pending.length) return result.status;
  const approvals = pending.filter((p) => p.kind === 'approval').length;
  const tools = pending.length - approvals;
  const parts = [];
  if (approvals) parts.push(`${approvals} approval${approvals === 1 ? '' : 's'}`);
  if (tools) parts.push(`${tools} client tool result${tools === 1 ? '' : 's'}`);
  return `suspended: waits for ${parts.join(' and ')}`;
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
