// A chat turn that needs the user: sent with the AI SDK's DefaultChatTransport and read with
// readUIMessageStream, as useChat does. The first answer stops at a tool approval (or a client-
// executed tool); the script answers it as addToolApprovalResponse (or addToolOutput) would, sends
// the conversation again, and reads the continued message. Prints {first, final} as one JSON line.
// Usage: node chat-in-the-loop.mjs API_URL CHAT_ID AGENT_TYPE TEXT approve|deny|output:<json>
import { DefaultChatTransport, readUIMessageStream } from 'ai';

const [api, chatId, agentType, text, answer] = process.argv.slice(2);
const transport = new DefaultChatTransport({ api, body: { agentType } });
const user = { id: 'user-1', role: 'user', parts: [{ type: 'text', text }] };

async function read(stream, message) {
  let last;
  for await (const update of readUIMessageStream({ message, stream, onError: (e) => { throw e; } })) {
    last = update;
  }
  return last;
}

const first = await read(
  await transport.sendMessages({ chatId, messages: [user], trigger: 'submit-message' }));
let answered;
if (answer === 'approve' || answer === 'deny') {
  answered = {
    ...first,
    parts: first.parts.map((part) =>
      part.state === 'approval-requested'
        ? { ...part, state: 'approval-responded',
            approval: { ...part.approval, approved: answer === 'approve', reason: 'the user says ' + answer } }
        : part),
  };
} else {
  const output = JSON.parse(answer.substring('output:'.length));
  answered = {
    ...first,
    parts: first.parts.map((part) =>
      part.type.startsWith('tool-') && part.state === 'input-available'
        ? { ...part, state: 'output-available', output }
        : part),
  };
}
const final = await read(
  await transport.sendMessages({
    chatId, messages: [user, answered], trigger: 'submit-message', messageId: answered.id,
  }),
  answered);
console.log(JSON.stringify({ first, final }));
