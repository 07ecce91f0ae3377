-- Webhook health and auto-disable (API.md §9). Health lives in its own table, written by the
-- recorder in the transaction that ends a delivery, so a PATCH of the webhook row never races it.
ALTER TABLE webhooks ADD COLUMN auto_disable_after_failures INTEGER;
ALTER TABLE webhooks ADD COLUMN auto_disable_after_hours INTEGER;

CREATE TABLE webhook_health (
  webhook_id TEXT PRIMARY KEY,
  consecutive_failures INTEGER NOT NULL,
  failing_since INTEGER,
  disabled_reason TEXT
);
INSERT INTO webhook_health (webhook_id, consecutive_failures, failing_since, disabled_reason)
  SELECT id, 0, NULL, CASE WHEN enabled = 0 THEN 'manual' END FROM webhooks;

-- Recover with include_missed: the events of a webhook's types accepted in a window.
CREATE INDEX IF NOT EXISTS events_type_created ON events (event_type, created_at);
