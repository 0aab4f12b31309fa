// The console's client of the Helix HTTP API. The API is at the root of this origin: the console is
// served at <root>/console/, so the API's URLs are resolved against the page's parent directory
// (which also holds behind a reverse proxy that mounts the server under a path).

const TOKEN_KEY = 'helix.console.token';
const API_ROOT = new URL('../', document.baseURI);

/** The token when sessionStorage is not available. */
let memoryToken = null;

/** An answer of the API that was not a success: its status and problem details. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
  }

  get unauthorized() {
    return this.status === 401;
  }
}

/** The bearer token of this browser tab, or null. Kept in sessionStorage: gone with the tab. */
export function token() {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function setToken(value) {
  try {
    if (value) sessionStorage.setItem(TOKEN_KEY, value);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // storage unavailable: the token lives as long as the page
  }
  memoryToken = value || null;
}

function currentToken() {
  return token() || memoryToken;
}

/** The absolute URL of an API path such as "agent/runs" with query parameters (nulls left out). */
export function apiUrl(path, params = {}) {
  const url = new URL(path, API_ROOT);
  for (const [name, value] of Object.entries(params)) {
    if (value !== null && value !== undefined && value !== '') url.searchParams.set(name, value);
  }
  return url;
}

/**
 * A request to the API, answered as JSON. Sends the token as Authorization: Bearer. Fails with an
 * ApiError for any status but 2xx (its problem details when the body has them).
 */
export async function request(method, path, {params, body, signal} = {}) {
  const headers = {Accept: 'application/json'};
  const bearer = currentToken();
  if (bearer) headers.Authorization = `Bearer ${bearer}`;
  const init = {method, headers, signal, cache: 'no-store', credentials: 'omit'};
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(apiUrl(path, params), init);
  const text = await response.text();
  let json = null;
  if (text) {
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
  }
  if (!response.ok) throw new ApiError(response.status, json);
  return json;
}

export const api = {
  agents: () => request('GET', 'agent/agents'),
  runs: (filters, cursor, limit = 25) =>
    request('GET', 'agent/runs', {params: {...filters, cursor, limit}}),
  state: (runId, offset = 0, limit = 100) =>
    request('GET', `agent/state/${encodeURIComponent(runId)}`, {params: {offset, limit}}),
  result: (runId) => request('GET', `agent/result/${encodeURIComponent(runId)}`),
  execute: (agentType, message, sessionId = null) =>
    request('POST', 'agent/execute', {body: sessionId ? {agentType, message, sessionId} : {agentType, message}}),
  ticket: (runId) => request('POST', `agent/stream-ticket/${encodeURIComponent(runId)}`, {body: {}}),
  abort: (runId, reason) =>
    request('POST', `agent/abort/${encodeURIComponent(runId)}`, {body: reason ? {reason} : {}}),
  approve: (runId, approvalId, approved, reason) =>
    request('POST', `agent/approve/${encodeURIComponent(runId)}`,
      {body: reason ? {approvalId, approved, reason} : {approvalId, approved}}),
  toolResult: (runId, toolCallId, outcome) =>
    request('POST', `agent/tool-result/${encodeURIComponent(runId)}`, {body: {toolCallId, ...outcome}}),
  interrupt: (runId, reason) =>
    request('POST', `agent/interrupt/${encodeURIComponent(runId)}`, {body: reason ? {reason} : {}}),
  resume: (runId, message) =>
    request('POST', `agent/resume/${encodeURIComponent(runId)}`, {body: message ? {message} : {}}),
};

/** The statuses of a run that has not ended: it may still go on. */
export const LIVE_STATUSES = Object.freeze(['running', 'suspended', 'interrupted']);

/**
 * The URL of a run's Server-Sent Events stream from offset `from` (null: from the start). An
 * EventSource cannot set headers: with a token, the URL carries a stream ticket (POST
 * /agent/stream-ticket), which opens the stream once, rather than the token itself.
 */
export async function streamUrl(runId, from = null) {
  const path = `agent/stream/${encodeURIComponent(runId)}`;
  if (!currentToken()) return apiUrl(path, {from});
  const issued = await api.ticket(runId);
  return apiUrl(path, {from, ticket: issued.ticket});
}

/**
 * What a stream's URL answers now, without reading its body: the status (410 when the stream was
 * deleted after its retention, 204 past its end, 401 without a valid token...).
 */
export async function probeStream(runId, from) {
  const controller = new AbortController();
  const headers = {Accept: 'text/event-stream'};
  const bearer = currentToken();
  if (bearer) headers.Authorization = `Bearer ${bearer}`;
  try {
    const response = await fetch(apiUrl(`agent/stream/${encodeURIComponent(runId)}`, {from}), {
      headers,
      signal: controller.signal,
      cache: 'no-store',
      credentials: 'omit',
    });
    return response.status;
  } catch {
    return 0;
  } finally {
    controller.abort();
  }
}
