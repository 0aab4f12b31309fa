// Follows a Helix SSE stream with the `eventsource` package (WHATWG EventSource semantics), as a
// browser would: it reconnects by itself with Last-Event-ID whenever a response ends, and stops
// only on a 204 or an error status. Prints one JSON line at the end:
//   {"ids": [...], "opens": N, "state": readyState, "error": status or message}
// Usage: node follow.mjs URL MAX_SECONDS
import { EventSource } from 'eventsource';

const [url, maxSeconds] = [process.argv[2], Number(process.argv[3] ?? '30')];
const ids = [];
let opens = 0;
const source = new EventSource(url);
const finish = (error) => {
  source.close();
  console.log(JSON.stringify({ ids, opens, state: source.readyState, error }));
  process.exit(0);
};
source.onopen = () => { opens += 1; };
source.onmessage = (event) => { ids.push(Number(event.lastEventId)); };
source.onerror = (event) => {
  // the connection ended: EventSource decides to reconnect (CONNECTING) or to give up (CLOSED)
  if (source.readyState === EventSource.CLOSED) {
    finish(event.code ?? event.message ?? 'closed');
  }
};
setTimeout(() => finish('still connected after ' + maxSeconds + ' s'), maxSeconds * 1000);
