-- What the service team decided about unanswered questions (issue #17): a training phrase of an intent,
-- or a new topic. Keep in step with ../postgres/0004_cluster_decisions.sql. The question is masked
-- text: deleted with the unanswered questions (`retention.unanswered_days`).
CREATE TABLE cluster_decisions (
    question_norm TEXT PRIMARY KEY,
    decision TEXT NOT NULL,          -- an intent label, or '*new_topic'
    decided_by TEXT NOT NULL,
    decided_at BIGINT NOT NULL
);
CREATE INDEX cluster_decisions_at ON cluster_decisions (decided_at);
