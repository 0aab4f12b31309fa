-- Owners and sessions: the principal a run belongs to (null: the shared principal, and every run
-- projected before owners existed) and the session of which it is a turn (null: none).
ALTER TABLE agent_state ADD COLUMN owner VARCHAR(255);
ALTER TABLE agent_state ADD COLUMN session_id VARCHAR(255);
-- a principal's runs, newest first
CREATE INDEX idx_agent_state_owner ON agent_state (owner, created_at);
