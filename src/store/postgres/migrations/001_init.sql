CREATE TABLE meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE webhooks (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  name_key TEXT NOT NULL,
  url TEXT NOT NULL,
  method TEXT NOT NULL,
  description TEXT,
  enabled INTEGER NOT NULL,
  auth_type TEXT NOT NULL,
  auth_username TEXT,
  secret_hint TEXT,
  auth_sealed TEXT,
  event_types TEXT NOT NULL,
  filter TEXT,
  retry_attempts INTEGER NOT NULL,
  retry_delay_seconds INTEGER NOT NULL,
  retry_timeout_seconds INTEGER NOT NULL,
  headers TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  deleted_at BIGINT
);
CREATE UNIQUE INDEX webhooks_live_name ON webhooks (name_key) WHERE deleted_at IS NULL;
CREATE INDEX webhooks_created_at ON webhooks (created_at);

CREATE TABLE webhook_stats (
  webhook_id TEXT NOT NULL,
  shard INTEGER NOT NULL,
  total BIGINT NOT NULL,
  succeeded BIGINT NOT NULL,
  failed BIGINT NOT NULL,
  last_success_at BIGINT,
  last_failure_at BIGINT,
  PRIMARY KEY (webhook_id, shard)
);

CREATE TABLE events (
  event_id TEXT PRIMARY KEY,
  event_type TEXT NOT NULL,
  user_id TEXT,
  event_timestamp TEXT NOT NULL,
  body TEXT NOT NULL,
  delivery_count INTEGER NOT NULL,
  created_at BIGINT NOT NULL
);

CREATE TABLE deliveries (
  id TEXT PRIMARY KEY,
  event_id TEXT NOT NULL,
  webhook_id TEXT NOT NULL,
  event_type TEXT NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  round_tries INTEGER NOT NULL,
  status_code INTEGER,
  error TEXT,
  delivered_at BIGINT,
  created_at BIGINT NOT NULL,
  next_attempt_at BIGINT,
  lease_owner TEXT,
  lease_until BIGINT
);
CREATE INDEX deliveries_due ON deliveries (webhook_id, next_attempt_at) WHERE status = 'pending';
CREATE INDEX deliveries_webhook ON deliveries (webhook_id, id);
CREATE INDEX deliveries_event ON deliveries (event_id);
-- Most deliveries end as success: index only the others (the list scans by id for success).
CREATE INDEX deliveries_unfinished ON deliveries (status, id) WHERE status <> 'success';
CREATE INDEX deliveries_event_type ON deliveries (event_type, id);

CREATE TABLE attempts (
  delivery_id TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  started_at BIGINT NOT NULL,
  duration_ms INTEGER NOT NULL,
  status_code INTEGER,
  error TEXT,
  response_body TEXT
);
CREATE INDEX attempts_delivery ON attempts (delivery_id, attempt);

CREATE TABLE rate_limits (
  key TEXT NOT NULL,
  window_start BIGINT NOT NULL,
  hits INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (key, window_start)
);

INSERT INTO meta (key, value) VALUES ('config_revision', '0');
