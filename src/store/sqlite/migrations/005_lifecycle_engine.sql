-- API.md §9: backoff, rate limit per webhook; an index for retention's oldest-events-first scan.
ALTER TABLE webhooks ADD COLUMN retry_backoff TEXT NOT NULL DEFAULT 'fixed';
ALTER TABLE webhooks ADD COLUMN retry_max_delay_seconds INTEGER NOT NULL DEFAULT 3600;
ALTER TABLE webhooks ADD COLUMN rate_limit_per_second INTEGER;
CREATE INDEX IF NOT EXISTS events_created_at ON events (created_at);
