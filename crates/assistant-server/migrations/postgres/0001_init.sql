-- Initial schema (PostgreSQL). Keep in step with ../sqlite/0001_init.sql: the same tables, columns and
-- meaning; only the auto-increment column differs. Times are Unix milliseconds (BIGINT) and booleans
-- 0/1 integers, so the same queries run on both through sqlx's Any driver.

CREATE TABLE chat_replies (
    conversation_id TEXT NOT NULL,
    message_id TEXT NOT NULL,
    question TEXT NOT NULL,          -- masked
    question_norm TEXT NOT NULL,     -- masked + normalised, for the report
    reply TEXT NOT NULL,             -- the ChatResponse JSON, returned again on retries
    source TEXT NOT NULL,
    intent TEXT,
    answered BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (conversation_id, message_id)
);
CREATE INDEX chat_replies_message ON chat_replies (message_id);
CREATE INDEX chat_replies_unanswered ON chat_replies (answered, question_norm);

CREATE TABLE handoffs (
    conversation_id TEXT PRIMARY KEY,
    ticket_id TEXT NOT NULL,
    state TEXT NOT NULL,             -- queued | active | closed | cancelled
    reason TEXT NOT NULL,
    locale TEXT NOT NULL,
    text_size TEXT NOT NULL,
    queued_at BIGINT NOT NULL,
    agent TEXT,
    agent_name TEXT,
    updated_at BIGINT NOT NULL
);
CREATE INDEX handoffs_state ON handoffs (state, queued_at);

CREATE TABLE events (
    id BIGSERIAL PRIMARY KEY,
    conversation_id TEXT NOT NULL,
    client_message_id TEXT,          -- customer messages: idempotency key
    kind TEXT NOT NULL,              -- transcript | message | status
    role TEXT,
    data TEXT NOT NULL,              -- the ConversationEvent JSON
    created_at BIGINT NOT NULL
);
CREATE INDEX events_conversation ON events (conversation_id, id);
CREATE UNIQUE INDEX events_client_message ON events (conversation_id, client_message_id);

CREATE TABLE feedback (
    message_id TEXT PRIMARY KEY,
    conversation_id TEXT,
    helpful BIGINT NOT NULL,
    comment TEXT,
    question_norm TEXT,
    intent TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX feedback_helpful ON feedback (helpful, question_norm);

CREATE TABLE left_messages (
    conversation_id TEXT NOT NULL,
    message_id TEXT NOT NULL,
    text TEXT NOT NULL,
    locale TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (conversation_id, message_id)
);

CREATE TABLE sessions (
    token_sha256 TEXT PRIMARY KEY,
    agent TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
