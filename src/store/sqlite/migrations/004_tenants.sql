-- Tenants and API keys (API.md §8). Every webhook, event and delivery belongs to a tenant
-- (attempts belong to one through their delivery); rows from before move into `default`.
-- Uniqueness (live webhook names, event_id) is per tenant; list indexes lead with the tenant.
CREATE TABLE tenants (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
INSERT INTO tenants (id, name, created_at) VALUES ('default', 'Default', CAST(strftime('%s', 'now') AS INTEGER) * 1000);

CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  scopes TEXT NOT NULL,
  tenant_id TEXT,
  key_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_used_at INTEGER,
  revoked_at INTEGER
);
CREATE UNIQUE INDEX api_keys_hash ON api_keys (key_hash);
CREATE INDEX api_keys_tenant ON api_keys (tenant_id, id);

ALTER TABLE webhooks ADD COLUMN tenant_id TEXT NOT NULL DEFAULT 'default';
DROP INDEX webhooks_live_name;
CREATE UNIQUE INDEX webhooks_live_name ON webhooks (tenant_id, name_key) WHERE deleted_at IS NULL;
CREATE INDEX webhooks_tenant ON webhooks (tenant_id, id);

-- event_id is unique per tenant: SQLite cannot change a primary key, so the table is rebuilt.
CREATE TABLE events_by_tenant (
  tenant_id TEXT NOT NULL DEFAULT 'default',
  event_id TEXT NOT NULL,
  event_type TEXT NOT NULL,
  user_id TEXT,
  event_timestamp TEXT NOT NULL,
  body TEXT NOT NULL,
  delivery_count INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, event_id)
);
INSERT INTO events_by_tenant (tenant_id, event_id, event_type, user_id, event_timestamp, body, delivery_count, created_at)
  SELECT 'default', event_id, event_type, user_id, event_timestamp, body, delivery_count, created_at FROM events;
DROP TABLE events;
ALTER TABLE events_by_tenant RENAME TO events;

ALTER TABLE deliveries ADD COLUMN tenant_id TEXT NOT NULL DEFAULT 'default';
DROP INDEX deliveries_event;
DROP INDEX deliveries_unfinished;
DROP INDEX deliveries_event_type;
CREATE INDEX deliveries_tenant ON deliveries (tenant_id, id);
CREATE INDEX deliveries_event ON deliveries (tenant_id, event_id);
CREATE INDEX deliveries_unfinished ON deliveries (tenant_id, status, id) WHERE status <> 'success';
CREATE INDEX deliveries_event_type ON deliveries (tenant_id, event_type, id);
-- Events of some types in a window of one tenant (recover with include_missed, API.md §9).
CREATE INDEX events_tenant_type_created ON events (tenant_id, event_type, created_at);

INSERT INTO meta (key, value) VALUES ('access_revision', '0');
-- GET /v1/events (API.md §10) lists one tenant's events, newest first (007 creates it too, for
-- databases that had 004 before 007 existed).
CREATE INDEX IF NOT EXISTS events_tenant_created ON events (tenant_id, created_at, event_id);
-- Rebuilding events dropped the indexes of 005-007 where those ran before this (a database from
-- before tenants); they come back here. On a new database 005-007 run after this and skip them.
CREATE INDEX IF NOT EXISTS events_created_at ON events (created_at);
CREATE INDEX IF NOT EXISTS events_type_created ON events (event_type, created_at);
CREATE INDEX IF NOT EXISTS events_user ON events (user_id, created_at, event_id) WHERE user_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS events_created ON events (created_at, event_id);
CREATE INDEX IF NOT EXISTS events_type ON events (event_type, created_at, event_id);
