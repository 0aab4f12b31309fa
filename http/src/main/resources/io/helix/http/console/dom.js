// DOM helpers of the console. Everything shown is built as elements and text nodes: the console
// never writes HTML as text (the page's Content-Security-Policy requires Trusted Types for that).

/**
 * An element: h('a', {href: '#/runs', class: 'link'}, 'Runs', otherElement).
 * Attributes: `class`, `text` (text content), `on<event>` (a listener), `hidden`/`disabled`/...
 * (booleans), anything else as an attribute; null and false values are left out. Children: nodes,
 * strings (as text), arrays of those, and null (skipped).
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === 'text') {
      el.textContent = String(value);
    } else if (name.startsWith('on') && typeof value === 'function') {
      el.addEventListener(name.slice(2), value);
    } else if (value === true) {
      el.setAttribute(name, '');
    } else {
      el.setAttribute(name, String(value));
    }
  }
  append(el, children);
  return el;
}

/** Appends children (nodes, strings, arrays, null) to `el`. */
export function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) {
      append(el, child);
    } else if (child instanceof Node) {
      el.appendChild(child);
    } else {
      el.appendChild(document.createTextNode(String(child)));
    }
  }
  return el;
}

/** Replaces the children of `el`. */
export function replace(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

/** JSON for people: indented; a string stays as it is. */
export function pretty(value) {
  if (value === undefined) return '';
  if (typeof value === 'string') return value;
  return JSON.stringify(value, null, 2);
}

/** A compact one-line JSON, cut at `max` characters. */
export function compact(value, max = 120) {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  if (text === undefined) return '';
  return text.length > max ? text.slice(0, max - 1) + '…' : text;
}

/** A status badge: running, completed, failed (and aborted when the run was aborted). */
export function statusBadge(status, aborted = false, attrs = {}) {
  return setBadge(h('span', attrs), status, aborted);
}

/** Makes `el` the badge of this status (the same element: no flicker, no lost reference). */
export function setBadge(el, status, aborted = false) {
  const label = aborted && status === 'failed' ? 'aborted' : status || 'unknown';
  el.className = `badge status-${label}`;
  el.textContent = label;
  return el;
}

/** "12:03:04" today, else "2026-01-31 12:03". */
export function formatTime(value) {
  if (value === null || value === undefined) return '—';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return '—';
  const now = new Date();
  const pad = (n) => String(n).padStart(2, '0');
  const time = `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
  if (date.toDateString() === now.toDateString()) return time;
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${time.slice(0, 5)}`;
}

/** "850 ms", "12.3 s", "4 min 05 s", "2 h 03 min". */
export function formatDuration(ms) {
  if (ms === null || ms === undefined || Number.isNaN(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${String(Math.floor(seconds % 60)).padStart(2, '0')} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/** "1,234 in / 56 out". */
export function formatUsage(usage) {
  if (!usage) return '—';
  const n = (v) => Number(v || 0).toLocaleString('en');
  return `${n(usage.inputTokens)} in / ${n(usage.outputTokens)} out`;
}

/** Says `message` to screen readers through the page's live region. */
export function announce(message) {
  const region = document.getElementById('announcer');
  if (!region) return;
  region.textContent = '';
  // a change the screen reader notices even when the text repeats
  setTimeout(() => {
    region.textContent = message;
  }, 50);
}
