-- Member-aware delivery (API.md §10): per-member ordering, superseding, member lookup, erasure.
ALTER TABLE webhooks ADD COLUMN ordering TEXT NOT NULL DEFAULT 'none';
ALTER TABLE webhooks ADD COLUMN supersede TEXT NOT NULL DEFAULT '[]';
-- The member of the delivery's event (copied so the claim and the lookups need no join), and the
-- acceptance sequence (a multi-row INSERT takes its values in row order).
ALTER TABLE deliveries ADD COLUMN user_id TEXT;
ALTER TABLE deliveries ADD COLUMN seq BIGSERIAL;
-- Event ids are unique per tenant (004 runs first: migrations apply in file-name order).
UPDATE deliveries d SET user_id = e.user_id FROM events e WHERE e.tenant_id = d.tenant_id AND e.event_id = d.event_id AND e.user_id IS NOT NULL;
-- One member's pending deliveries to one webhook, oldest first: the ordered claim and superseding.
CREATE INDEX deliveries_member_queue ON deliveries (webhook_id, user_id, seq) WHERE status = 'pending' AND user_id IS NOT NULL;
-- Member lookup: GET /v1/deliveries?user_id=, GET /v1/events?user_id=, erasure.
CREATE INDEX deliveries_user ON deliveries (user_id, id) WHERE user_id IS NOT NULL;
CREATE INDEX events_user ON events (user_id, created_at, event_id) WHERE user_id IS NOT NULL;
CREATE INDEX events_created ON events (created_at, event_id);
CREATE INDEX events_type ON events (event_type, created_at, event_id);
-- GET /v1/events lists one tenant's events, newest first (also created by 004 where it runs after this).
CREATE INDEX IF NOT EXISTS events_tenant_created ON events (tenant_id, created_at, event_id);
