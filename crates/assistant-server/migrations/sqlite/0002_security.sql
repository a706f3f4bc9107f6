-- Security review (issue #13). Keep in step with ../postgres/0002_security.sql.

-- A conversation exists on the server once the browser opens it (POST /v1/conversations). Only hashes of
-- its secret and of the tab's claim are kept; customer_seen_at tells a waiting customer who has gone.
CREATE TABLE conversations (
    id TEXT PRIMARY KEY,
    secret_sha256 TEXT NOT NULL,
    claim_sha256 TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    customer_seen_at BIGINT NOT NULL
);
CREATE INDEX conversations_created ON conversations (created_at);

-- Keys the server makes for itself (the stream-token HMAC key), shared by every instance on one database.
CREATE TABLE server_keys (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Who did what, for the bank's auditors. No message text is ever written here.
CREATE TABLE audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,             -- agent username, or "-" for a refused sign-in / the system
    action TEXT NOT NULL,            -- sign_in | sign_in_refused | take | reply | close | view | requeue | sign_out | delete | abandon
    conversation TEXT,               -- short hash of the conversation id, never the id
    ip TEXT,
    detail TEXT
);
CREATE INDEX audit_at ON audit (at);

-- The agent who wrote a stored event (agent replies, status changes they caused).
ALTER TABLE events ADD COLUMN actor TEXT;

-- Left messages can be marked handled.
ALTER TABLE left_messages ADD COLUMN handled_at BIGINT;
ALTER TABLE left_messages ADD COLUMN handled_by TEXT;

-- Feedback belongs to a conversation (whose secret the rating call carries): its key is the pair, so
-- nobody can overwrite someone else's rating by knowing a message id.
CREATE TABLE feedback_new (
    conversation_id TEXT NOT NULL,
    message_id TEXT NOT NULL,
    helpful BIGINT NOT NULL,
    comment TEXT,
    question_norm TEXT,
    intent TEXT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (conversation_id, message_id)
);
INSERT INTO feedback_new SELECT COALESCE(conversation_id, ''), message_id, helpful, comment, question_norm,
    intent, created_at FROM feedback;
DROP TABLE feedback;
ALTER TABLE feedback_new RENAME TO feedback;
CREATE INDEX feedback_helpful ON feedback (helpful, question_norm);

CREATE INDEX events_created ON events (created_at);
CREATE INDEX chat_replies_created ON chat_replies (created_at);
CREATE INDEX left_messages_created ON left_messages (created_at);
CREATE INDEX handoffs_updated ON handoffs (updated_at);
