-- Insights (issue #17). Keep in step with ../sqlite/0003_insights.sql.

-- Counters per UTC day (days since 1970-01-01) and intent ('' when none applies): no text, no ids.
-- Metrics named 'b.*' are added by the browser's telemetry as it arrives; 's.*' are recomputed from the
-- server's own tables (chat replies, hand-offs, feedback) while those still hold the whole day, and kept
-- as they were after. Kept `retention.insights_days`.
CREATE TABLE insight_counts (
    day BIGINT NOT NULL,
    intent TEXT NOT NULL,
    metric TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (day, intent, metric)
);
CREATE INDEX insight_counts_metric ON insight_counts (metric, day);
