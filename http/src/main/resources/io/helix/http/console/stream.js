// Follows a run's stream of chunks over Server-Sent Events (the browser's EventSource), with no gap
// and no repeat across dropped connections.
//
// - The browser reconnects by itself after a dropped connection and sends Last-Event-ID (the last
//   chunk's seq): the server goes on from the next chunk.
// - When the browser gives up (an error status, or 204 past the end of a stream), the stream's URL
//   is probed for the reason: 401 asks for a token, 410 means the stream was deleted after its
//   retention, 204 that it has ended; anything else is retried from the next chunk (?from=), with
//   a growing pause. With a token, each connection's URL carries a new single-use stream ticket,
//   so the browser's own reconnection (same URL) is refused and the follower reconnects itself.
// - Every chunk is de-duplicated by its seq: one already seen is dropped, whatever the connection.
// - The stream ends with its root run's run_end chunk: then the follower closes the connection
//   itself, rather than let the browser reconnect to a stream that has ended.

import {probeStream, streamUrl} from './api.js';

/** The states a follower reports: what the connection is doing. */
export const StreamState = Object.freeze({
  CONNECTING: 'connecting',
  LIVE: 'live',
  RECONNECTING: 'reconnecting',
  ENDED: 'ended',
  DELETED: 'deleted',
  UNAUTHORIZED: 'unauthorized',
  NOT_FOUND: 'not-found',
});

const MAX_PAUSE_MS = 15000;

export class StreamFollower {
  /**
   * @param runId the run whose stream to follow (a sub-agent's run gives its root run's stream)
   * @param streamId the stream's id: its root run's id, whose run_end ends the stream
   * @param onChunk called with each chunk (parsed JSON), once per seq, in order
   * @param onState called with a StreamState when the connection's state changes
   */
  constructor(runId, streamId, {onChunk, onState}) {
    this.runId = runId;
    this.streamId = streamId;
    this.onChunk = onChunk;
    this.onState = onState;
    this.next = 0;
    this.source = null;
    this.stopped = false;
    this.pauseMs = 1000;
    this.retryTimer = null;
    this.state = null;
    /** How many times a connection opened: more than once after a reconnection. */
    this.connections = 0;
  }

  start() {
    this.open(null);
    return this;
  }

  /** Closes the connection for good. */
  stop() {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    if (this.source) this.source.close();
    this.source = null;
  }

  async open(from) {
    if (this.stopped) return;
    this.setState(this.next === 0 ? StreamState.CONNECTING : StreamState.RECONNECTING);
    let url;
    try {
      url = await streamUrl(this.runId, from);
    } catch (error) {
      // no ticket: find out why, as after a failed connection
      this.source = null;
      return this.gaveUp(null);
    }
    if (this.stopped) return;
    const source = new EventSource(url);
    this.source = source;
    source.onopen = () => {
      this.pauseMs = 1000;
      this.connections++;
      this.state = null; // a new connection is news, also when the state was live before
      this.setState(StreamState.LIVE);
    };
    source.onmessage = (event) => this.receive(event.data);
    // the server ended the response early (it is shutting down, or the client fell behind):
    // the browser reconnects with its Last-Event-ID
    source.addEventListener('resume', () => this.setState(StreamState.RECONNECTING));
    source.onerror = () => this.failed(source);
  }

  receive(data) {
    let chunk;
    try {
      chunk = JSON.parse(data);
    } catch {
      return;
    }
    if (typeof chunk.seq !== 'number' || chunk.seq < this.next) return; // seen already
    this.next = chunk.seq + 1;
    if (this.streamId === null && chunk.seq === 0) this.streamId = chunk.runId;
    this.onChunk(chunk);
    if (chunk.type === 'run_end' && chunk.runId === this.streamId) this.finish(StreamState.ENDED);
  }

  async failed(source) {
    if (this.stopped || source !== this.source) return;
    if (source.readyState === EventSource.CONNECTING) {
      // a dropped connection: the browser reconnects by itself, with Last-Event-ID
      this.setState(StreamState.RECONNECTING);
      return;
    }
    // the browser gave up (a ticket opens a stream once: its own reconnection is refused): find
    // out why
    source.close();
    return this.gaveUp(source);
  }

  async gaveUp(source) {
    const status = await probeStream(this.runId, this.next);
    if (this.stopped || source !== this.source) return;
    if (status === 401) {
      this.finish(StreamState.UNAUTHORIZED);
    } else if (status === 410) {
      this.finish(StreamState.DELETED);
    } else if (status === 404) {
      this.finish(StreamState.NOT_FOUND);
    } else if (status === 204) {
      this.finish(StreamState.ENDED);
    } else {
      this.setState(StreamState.RECONNECTING);
      this.retryTimer = setTimeout(() => this.open(this.next), this.pauseMs);
      this.pauseMs = Math.min(this.pauseMs * 2, MAX_PAUSE_MS);
    }
  }

  finish(state) {
    this.stop();
    this.setState(state);
  }

  setState(state) {
    if (state === this.state) return;
    this.state = state;
    this.onState(state);
  }
}
