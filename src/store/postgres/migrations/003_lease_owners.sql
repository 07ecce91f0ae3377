-- Every process that holds leases says it is alive every few seconds (by the database's clock)
-- and holds an advisory lock (OWNER_LOCK_SPACE, session_key) on its LISTEN session; the living
-- free the leases of a dead one at once instead of waiting for them to expire (owners.ts).
CREATE TABLE lease_owners (
  owner TEXT PRIMARY KEY,
  heartbeat_at BIGINT NOT NULL,
  started_at BIGINT NOT NULL,
  session_key INTEGER NOT NULL
);
