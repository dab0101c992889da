/**
 * As SQLite migration 8. Webhooks (issue 13): static webhooks per tenant, the outbox of events
 * that `recordResults` queues in the transaction that ends a batch, the deliveries fanned out
 * from them (each sent under a lease, claimed with FOR UPDATE SKIP LOCKED), and the RS256 keys
 * that sign dynamic deliveries. JSON is kept as TEXT; ids use the "C" collation, as elsewhere.
 */
export const sql = `
CREATE TABLE webhooks (
  id                TEXT COLLATE "C" PRIMARY KEY,
  tenant_id         TEXT COLLATE "C" NOT NULL,
  name              TEXT    NOT NULL,
  uri               TEXT    NOT NULL,
  subscribed_events TEXT    NOT NULL,
  state             TEXT    NOT NULL,
  signing_secrets   TEXT    NOT NULL,
  create_time_ms    BIGINT  NOT NULL,
  update_time_ms    BIGINT  NOT NULL
);
-- Paging newest first; listSubscribed (oldest first) reads the same index backwards.
CREATE INDEX webhooks_by_tenant_time ON webhooks (tenant_id, create_time_ms DESC, id DESC);

CREATE TABLE webhook_events (
  id             TEXT COLLATE "C" PRIMARY KEY,
  tenant_id      TEXT COLLATE "C" NOT NULL,
  type           TEXT    NOT NULL,
  data           TEXT    NOT NULL,
  user_metadata  TEXT,
  uris           TEXT,
  create_time_ms BIGINT  NOT NULL
);
CREATE INDEX webhook_events_by_time ON webhook_events (create_time_ms, id);

CREATE TABLE webhook_deliveries (
  id               TEXT COLLATE "C" PRIMARY KEY,
  tenant_id        TEXT COLLATE "C" NOT NULL,
  event_type       TEXT    NOT NULL,
  webhook_id       TEXT COLLATE "C",
  uri              TEXT    NOT NULL,
  body             TEXT    NOT NULL,
  user_metadata    TEXT,
  state            TEXT    NOT NULL,
  attempts         INTEGER NOT NULL,
  next_attempt_ms  BIGINT  NOT NULL,
  lease_owner      TEXT,
  lease_until_ms   BIGINT,
  create_time_ms   BIGINT  NOT NULL,
  complete_time_ms BIGINT,
  last_error       TEXT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_ms, id) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_by_webhook ON webhook_deliveries (webhook_id) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_finished ON webhook_deliveries (complete_time_ms) WHERE complete_time_ms IS NOT NULL;

CREATE TABLE signing_keys (
  kid             TEXT COLLATE "C" PRIMARY KEY,
  private_key_pem TEXT    NOT NULL,
  public_jwk      TEXT    NOT NULL,
  create_time_ms  BIGINT  NOT NULL
);
`;
