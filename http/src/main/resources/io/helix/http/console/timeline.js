// The activity of a run as its chunks describe it, drawn as they arrive: streamed text, thinking,
// tool calls with their arguments and results, sub-agent runs nested in the call that started
// them, approvals asked and decided, client-executed tools' requests, suspensions, interrupts and
// resumptions, state patches, custom events, the output or the error. Sub-agent runs also form a tree
// (with links to their own views). Chunks of runs outside the viewed run's subtree (the viewed run
// may itself be a sub-agent's, on its root run's stream) are only used to know the tree.

import {compact, formatDuration, formatTime, h, pretty, setBadge, statusBadge} from './dom.js';

const SUB_AGENT_PREFIX = 'subagent__';

export class Timeline {
  /**
   * @param runId the viewed run
   * @param list the <ol> its activity goes in
   * @param tree the <ul> its sub-agent tree goes in
   * @param patches the <ol> its state patches go in
   * @param onRunEvent called with (runId, chunk) for each run_start, run_end and sub-agent change
   */
  constructor(runId, {list, tree, patches, onRunEvent}) {
    this.runId = runId;
    this.patches = patches;
    this.onRunEvent = onRunEvent || (() => {});
    this.nodes = new Map();
    const root = this.node(runId);
    root.list = list;
    root.treeChildren = tree;
  }

  /** The node of a run: where its items go (null when it is not drawn) and what is known of it. */
  node(runId) {
    let node = this.nodes.get(runId);
    if (!node) {
      node = {
        runId,
        agentType: null,
        parentId: null,
        status: null,
        list: null,
        treeChildren: null,
        treeBadge: null,
        tools: new Map(),
        lastText: null,
        lastThinking: null,
        startedAt: null,
        endedAt: null,
      };
      this.nodes.set(runId, node);
    }
    return node;
  }

  apply(chunk) {
    const node = this.node(chunk.runId);
    if (chunk.agentType && !node.agentType) node.agentType = chunk.agentType;
    const handler = HANDLERS[chunk.type];
    if (handler) handler.call(this, node, chunk);
    else if (node.list) this.add(node, chunk, 'other', h('p', {class: 'label', text: chunk.type}));
  }

  /** Adds an item to a drawn run's list. */
  add(node, chunk, kind, ...children) {
    if (!node.list) return null;
    const item = h('li', {class: `item ${kind}`, 'data-step': chunk.step, 'data-seq': chunk.seq}, ...children);
    node.list.append(item);
    return item;
  }

  // ---- the chunk types

  runStart(node, chunk) {
    node.startedAt = chunk.timestamp;
    node.status = 'running';
    this.add(
      node,
      chunk,
      'message user',
      h('p', {class: 'who'}, h('span', {text: node.runId === this.runId ? 'Message' : 'Task'}), ' ',
        h('time', {text: formatTime(chunk.timestamp)})),
      h('p', {class: 'body', text: chunk.message ?? ''}),
    );
    this.onRunEvent(node.runId, chunk);
  }

  textDelta(node, chunk) {
    if (!node.list) return;
    let last = node.lastText;
    if (!last || last.step !== chunk.step || node.list.lastElementChild !== last.item) {
      const body = document.createTextNode('');
      const item = this.add(
        node,
        chunk,
        'message assistant',
        h('p', {class: 'who'}, h('span', {text: node.agentType || 'assistant'}), ' ',
          h('span', {class: 'step', text: `step ${chunk.step}`})),
        h('p', {class: 'body streamed'}, body),
      );
      last = node.lastText = {step: chunk.step, item, body};
    }
    last.body.appendData(chunk.delta ?? '');
  }

  thinking(node, chunk) {
    if (!node.list) return;
    let last = node.lastThinking;
    if (!last || last.step !== chunk.step || node.list.lastElementChild !== last.item) {
      const body = document.createTextNode('');
      const item = this.add(
        node,
        chunk,
        'thinking',
        h('details', {}, h('summary', {text: `Thinking (step ${chunk.step})`}), h('p', {class: 'body'}, body)),
      );
      last = node.lastThinking = {step: chunk.step, item, body};
    }
    last.body.appendData(chunk.content ?? '');
  }

  /** The deltas of the step streamed so far are void: the model call is made again. */
  resync(node, chunk) {
    if (!node.list) return;
    for (const item of [...node.list.children]) {
      const streamed =
        item.classList.contains('assistant') ||
        item.classList.contains('thinking') ||
        (item.classList.contains('tool') && item.dataset.state === 'preparing');
      if (streamed && Number(item.dataset.step) === chunk.step) {
        item.remove();
        if (item.dataset.toolCallId) node.tools.delete(item.dataset.toolCallId);
      }
    }
    node.lastText = null;
    node.lastThinking = null;
    this.add(node, chunk, 'note', h('p', {text: `Step ${chunk.step} is streamed again: ${chunk.reason || ''}`}));
  }

  /** A tool call's card: made when its arguments start streaming, or at tool_start. */
  tool(node, chunk) {
    let tool = node.tools.get(chunk.toolCallId);
    if (tool || !node.list) return tool || null;
    const name = chunk.toolName || '';
    const subAgent = name.startsWith(SUB_AGENT_PREFIX);
    const badge = h('span', {class: 'badge status-running', text: 'running'});
    const args = h('pre', {class: 'json args', tabindex: '0', 'aria-label': `Arguments of ${name}`});
    const result = h('div', {class: 'result'});
    const nested = h('div', {class: 'nested'});
    const hitl = h('div', {class: 'hitl'});
    const summary = h(
      'summary',
      {},
      h('span', {class: 'kind', text: subAgent ? 'Sub-agent' : 'Tool'}),
      ' ',
      h('code', {class: 'name', text: subAgent ? name.slice(SUB_AGENT_PREFIX.length) : name}),
      ' ',
      badge,
    );
    const item = this.add(
      node,
      chunk,
      subAgent ? 'tool subagent-call' : 'tool',
      h('details', {open: true}, summary, h('h4', {text: 'Arguments'}), args, hitl, nested, result),
    );
    item.dataset.toolCallId = chunk.toolCallId;
    item.dataset.state = 'preparing';
    tool = {item, badge, args, result, nested, hitl, name};
    node.tools.set(chunk.toolCallId, tool);
    return tool;
  }

  toolArgStreamStart(node, chunk) {
    this.tool(node, chunk);
  }

  toolArgStreamDelta(node, chunk) {
    const tool = node.tools.get(chunk.toolCallId);
    if (tool && tool.item.dataset.state === 'preparing') tool.args.append(chunk.delta ?? '');
  }

  toolStart(node, chunk) {
    const tool = this.tool(node, chunk);
    if (!tool) return;
    tool.item.dataset.state = 'running';
    tool.args.textContent = pretty(chunk.arguments ?? {});
  }

  toolEnd(node, chunk) {
    const tool = this.tool(node, chunk);
    if (!tool) return;
    tool.item.dataset.state = chunk.success ? 'ok' : 'error';
    tool.badge.className = `badge status-${chunk.success ? 'completed' : 'failed'}`;
    tool.badge.textContent = chunk.success ? 'ok' : 'error';
    tool.result.replaceChildren(
      h('h4', {text: chunk.success ? 'Result' : 'Error'}),
      chunk.success
        ? h('pre', {class: 'json', tabindex: '0', 'aria-label': `Result of ${tool.name}`, text: pretty(chunk.result)})
        : h('p', {class: 'error-text', text: chunk.error || 'failed'}),
    );
  }

  /** A tool call that waits for a person: its card says so (and keeps what was decided). */
  toolWaits(node, chunk, label, ...note) {
    const tool = this.tool(node, chunk);
    if (!tool) return;
    tool.item.dataset.state = 'waiting';
    tool.badge.className = 'badge status-suspended';
    tool.badge.textContent = label;
    tool.hitl.append(h('p', {class: 'hitl-note waiting'}, ...note));
  }

  toolApprovalRequest(node, chunk) {
    this.toolWaits(node, chunk, 'awaits approval', 'Waits for approval · ', h('time', {text: formatTime(chunk.timestamp)}));
  }

  toolApprovalDecision(node, chunk) {
    const tool = this.tool(node, chunk);
    if (!tool) return;
    tool.item.dataset.state = chunk.approved ? 'approved' : 'denied';
    tool.badge.className = `badge status-${chunk.approved ? 'running' : 'failed'}`;
    tool.badge.textContent = chunk.approved ? 'approved' : 'denied';
    tool.hitl.append(h('p', {class: `hitl-note ${chunk.approved ? 'approved' : 'denied'}`},
      chunk.approved ? 'Approved' : 'Denied', chunk.reason ? `: ${chunk.reason}` : '', ' · ', h('time', {text: formatTime(chunk.timestamp)})));
  }

  clientToolRequest(node, chunk) {
    this.toolWaits(node, chunk, 'awaits client', 'Executed by the client: waits for its result · ',
      h('time', {text: formatTime(chunk.timestamp)}));
  }

  /** The run's status short of its end: noted when it changes. */
  runStatus(node, chunk) {
    if (!chunk.status || chunk.status === node.status) return;
    node.status = chunk.status;
    if (node.treeBadge) setBadge(node.treeBadge, chunk.status);
    if (chunk.status === 'suspended') {
      const names = (chunk.pending || []).map((p) => `${p.toolName} (${p.kind === 'approval' ? 'approval' : 'result'})`);
      this.add(node, chunk, 'status suspended', h('p', {},
        h('strong', {text: 'Suspended'}), names.length ? `: waits for ${names.join(', ')}` : '', ' · ',
        h('time', {text: formatTime(chunk.timestamp)})));
    } else if (chunk.status !== 'interrupted') {
      this.add(node, chunk, 'note', h('p', {}, `Run ${chunk.status} · `, h('time', {text: formatTime(chunk.timestamp)})));
    }
    this.onRunEvent(node.runId, chunk);
  }

  runInterrupted(node, chunk) {
    node.status = 'interrupted';
    node.lastText = null;
    if (node.treeBadge) setBadge(node.treeBadge, 'interrupted');
    this.add(node, chunk, 'status interrupted', h('p', {},
      h('strong', {text: 'Interrupted'}), chunk.reason ? `: ${chunk.reason}` : '', ' · ', h('time', {text: formatTime(chunk.timestamp)})));
    this.onRunEvent(node.runId, chunk);
  }

  runResumed(node, chunk) {
    node.status = 'running';
    node.lastText = null;
    if (node.treeBadge) setBadge(node.treeBadge, 'running');
    this.add(node, chunk, 'message user resumed',
      h('p', {class: 'who'}, h('span', {text: 'Resumed'}), ' ', h('time', {text: formatTime(chunk.timestamp)})),
      chunk.message ? h('p', {class: 'body', text: chunk.message}) : h('p', {class: 'body hint', text: 'No further message.'}));
    this.onRunEvent(node.runId, chunk);
  }

  subagentStart(parent, chunk) {
    const child = this.node(chunk.subAgentId);
    child.parentId = parent.runId;
    child.agentType = chunk.subAgentType;
    child.status = child.status || 'running';
    const tool = parent.list ? this.tool(parent, {...chunk, toolName: SUB_AGENT_PREFIX + chunk.subAgentType}) : null;
    if (tool) {
      child.list = h('ol', {class: 'timeline', 'aria-label': `Activity of sub-agent ${chunk.subAgentType}`});
      tool.nested.replaceChildren(
        h('p', {class: 'child-link'}, 'Run ', h('a', {href: `#/runs/${encodeURIComponent(child.runId)}`, text: child.runId})),
        child.list,
      );
    }
    if (parent.treeChildren) {
      child.treeBadge = statusBadge(child.status);
      child.treeChildren = h('ul', {});
      parent.treeChildren.append(
        h(
          'li',
          {'data-run-id': child.runId},
          h('a', {href: `#/runs/${encodeURIComponent(child.runId)}`},
            h('span', {class: 'agent', text: chunk.subAgentType}), ' ', h('code', {class: 'id', text: child.runId})),
          ' ',
          child.treeBadge,
          child.treeChildren,
        ),
      );
    }
    this.onRunEvent(child.runId, chunk);
  }

  subagentEnd(parent, chunk) {
    const child = this.node(chunk.subAgentId);
    child.status = chunk.status;
    if (child.treeBadge) setBadge(child.treeBadge, chunk.status);
    this.onRunEvent(child.runId, chunk);
  }

  statePatch(node, chunk) {
    const json = pretty(chunk.patch);
    this.add(node, chunk, 'patch', h('p', {class: 'label', text: 'State patch'}), h('pre', {class: 'json', text: json}));
    if (node.list && this.patches) {
      this.patches.append(
        h('li', {}, h('p', {class: 'label'}, `${node.agentType || ''} · step ${chunk.step} · `, h('time', {text: formatTime(chunk.timestamp)})),
          h('pre', {class: 'json', text: json})),
      );
    }
  }

  custom(node, chunk) {
    this.add(node, chunk, 'custom', h('p', {class: 'label'}, 'Event ', h('code', {text: chunk.eventName || ''})),
      h('pre', {class: 'json', text: compact(chunk.data, 2000)}));
  }

  output(node, chunk) {
    const text = typeof chunk.output === 'string';
    this.add(node, chunk, 'output', h('p', {class: 'label', text: 'Output'}),
      text ? h('p', {class: 'body', text: chunk.output}) : h('pre', {class: 'json', text: pretty(chunk.output)}));
  }

  error(node, chunk) {
    this.add(node, chunk, 'failure', h('p', {class: 'label', text: chunk.aborted ? 'Aborted' : 'Error'}),
      h('p', {class: 'body', text: chunk.error || ''}));
  }

  runEnd(node, chunk) {
    node.status = chunk.status;
    node.endedAt = chunk.timestamp;
    const took = node.startedAt === null ? null : chunk.timestamp - node.startedAt;
    this.add(node, chunk, 'end', h('p', {},
      `Run ${chunk.status}`, took === null ? '' : ` after ${formatDuration(took)}`, ' · ', h('time', {text: formatTime(chunk.timestamp)})));
    if (node.treeBadge) setBadge(node.treeBadge, chunk.status);
    this.onRunEvent(node.runId, chunk);
  }
}

const HANDLERS = {
  run_start: Timeline.prototype.runStart,
  text_delta: Timeline.prototype.textDelta,
  thinking: Timeline.prototype.thinking,
  stream_resync: Timeline.prototype.resync,
  tool_arg_stream_start: Timeline.prototype.toolArgStreamStart,
  tool_arg_stream_delta: Timeline.prototype.toolArgStreamDelta,
  tool_start: Timeline.prototype.toolStart,
  tool_end: Timeline.prototype.toolEnd,
  subagent_start: Timeline.prototype.subagentStart,
  subagent_end: Timeline.prototype.subagentEnd,
  state_patch: Timeline.prototype.statePatch,
  custom: Timeline.prototype.custom,
  output: Timeline.prototype.output,
  error: Timeline.prototype.error,
  run_end: Timeline.prototype.runEnd,
  tool_approval_request: Timeline.prototype.toolApprovalRequest,
  tool_approval_decision: Timeline.prototype.toolApprovalDecision,
  client_tool_request: Timeline.prototype.clientToolRequest,
  run_status: Timeline.prototype.runStatus,
  run_interrupted: Timeline.prototype.runInterrupted,
  run_resumed: Timeline.prototype.runResumed,
};
