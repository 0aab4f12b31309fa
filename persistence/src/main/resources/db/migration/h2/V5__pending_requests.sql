-- A person in the loop: agent_state.status also takes 'suspended' (the run waits for an approval
-- or a client tool's result) and 'interrupted' (it waits to be resumed). What a suspended run waits
-- for is the JSON array pending: [{kind, runId, toolCallId, approvalId, toolName, input}], null
-- when nothing.
ALTER TABLE agent_state ADD COLUMN pending TEXT;
