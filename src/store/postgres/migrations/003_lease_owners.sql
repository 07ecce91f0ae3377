-- Every process that holds leases says it is alive every few seconds (by the database's clock);
-- the living free the leases of a silent one at once instead of waiting for them to expire.
CREATE TABLE lease_owners (
  owner TEXT PRIMARY KEY,
  heartbeat_at BIGINT NOT NULL,
  started_at BIGINT NOT NULL
);
