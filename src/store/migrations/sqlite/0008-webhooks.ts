/**
 * Webhooks (issue 13): static webhooks per tenant, the outbox of events that `recordResults`
 * queues in the transaction that ends a batch, the deliveries fanned out from them (each sent
 * under a lease, like a shard), and the RS256 keys that sign dynamic deliveries. JSON is kept
 * as TEXT. A delivery's webhook_id has no foreign key: deleting a webhook drops its pending
 * deliveries, while its finished ones stay until pruned.
 */
export const sql = `
CREATE TABLE webhooks (
  id                TEXT    PRIMARY KEY,
  tenant_id         TEXT    NOT NULL,
  name              TEXT    NOT NULL,
  uri               TEXT    NOT NULL,
  subscribed_events TEXT    NOT NULL,
  state             TEXT    NOT NULL,
  signing_secrets   TEXT    NOT NULL,
  create_time_ms    INTEGER NOT NULL,
  update_time_ms    INTEGER NOT NULL
);
-- Paging newest first; listSubscribed (oldest first) reads the same index backwards.
CREATE INDEX webhooks_by_tenant_time ON webhooks (tenant_id, create_time_ms DESC, id DESC);

CREATE TABLE webhook_events (
  id             TEXT    PRIMARY KEY,
  tenant_id      TEXT    NOT NULL,
  type           TEXT    NOT NULL,
  data           TEXT    NOT NULL,
  user_metadata  TEXT,
  uris           TEXT,
  create_time_ms INTEGER NOT NULL
);
CREATE INDEX webhook_events_by_time ON webhook_events (create_time_ms, id);

CREATE TABLE webhook_deliveries (
  id               TEXT    PRIMARY KEY,
  tenant_id        TEXT    NOT NULL,
  event_type       TEXT    NOT NULL,
  webhook_id       TEXT,
  uri              TEXT    NOT NULL,
  body             TEXT    NOT NULL,
  user_metadata    TEXT,
  state            TEXT    NOT NULL,
  attempts         INTEGER NOT NULL,
  next_attempt_ms  INTEGER NOT NULL,
  lease_owner      TEXT,
  lease_until_ms   INTEGER,
  create_time_ms   INTEGER NOT NULL,
  complete_time_ms INTEGER,
  last_error       TEXT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_ms, id) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_by_webhook ON webhook_deliveries (webhook_id) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_finished ON webhook_deliveries (complete_time_ms) WHERE complete_time_ms IS NOT NULL;

CREATE TABLE signing_keys (
  kid             TEXT    PRIMARY KEY,
  private_key_pem TEXT    NOT NULL,
  public_jwk      TEXT    NOT NULL,
  create_time_ms  INTEGER NOT NULL
);
`;
