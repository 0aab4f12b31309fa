// Sends one chat turn to a Helix server with the AI SDK's own DefaultChatTransport and reads the
// answer with readUIMessageStream, as useChat does; prints the assistant message (UIMessage) and
// what a reconnect to the chat's stream then answers, as one JSON line.
// Usage: node chat.mjs API_URL CHAT_ID AGENT_TYPE TEXT
import { DefaultChatTransport, readUIMessageStream } from 'ai';

const [api, chatId, agentType, text] = process.argv.slice(2);
const transport = new DefaultChatTransport({ api, body: { agentType } });
const stream = await transport.sendMessages({
  chatId,
  messages: [{ id: 'user-1', role: 'user', parts: [{ type: 'text', text }] }],
  trigger: 'submit-message',
  messageId: undefined,
  abortSignal: undefined,
});
let message;
for await (const update of readUIMessageStream({ stream, onError: (e) => { throw e; } })) {
  message = update;
}
const reconnect = await transport.reconnectToStream({ chatId });
console.log(JSON.stringify({ message, reconnected: reconnect !== null }));
