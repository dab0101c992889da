/** Batches and their shards (the unit of work claimed under a lease). */
export const sql = `
CREATE TABLE batches (
  id                TEXT    PRIMARY KEY,
  tenant_id         TEXT    NOT NULL,
  kind              TEXT    NOT NULL,
  model             TEXT    NOT NULL,
  display_name      TEXT    NOT NULL,
  state             TEXT    NOT NULL,
  priority          INTEGER NOT NULL,
  input_kind        TEXT    NOT NULL,
  input_file_id     TEXT,
  input_blob_key    TEXT    NOT NULL,
  request_count     INTEGER NOT NULL,
  succeeded_count   INTEGER NOT NULL DEFAULT 0,
  failed_count      INTEGER NOT NULL DEFAULT 0,
  results_blob_key  TEXT,
  output_file_id    TEXT,
  webhook_config    TEXT,
  error             TEXT,
  create_time_ms    INTEGER NOT NULL,
  update_time_ms    INTEGER NOT NULL,
  start_time_ms     INTEGER,
  end_time_ms       INTEGER,
  deadline_ms       INTEGER NOT NULL
);
CREATE INDEX batches_by_tenant_time ON batches (tenant_id, create_time_ms DESC, id DESC);
CREATE INDEX batches_by_state ON batches (state, priority DESC, create_time_ms);

CREATE TABLE shards (
  batch_id          TEXT    NOT NULL REFERENCES batches (id) ON DELETE CASCADE,
  shard_index       INTEGER NOT NULL,
  first_request     INTEGER NOT NULL,
  request_count     INTEGER NOT NULL,
  byte_start        INTEGER NOT NULL,
  byte_end          INTEGER NOT NULL,
  state             TEXT    NOT NULL,
  lease_owner       TEXT,
  lease_expires_ms  INTEGER,
  succeeded_count   INTEGER NOT NULL DEFAULT 0,
  failed_count      INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (batch_id, shard_index)
) WITHOUT ROWID;
CREATE INDEX shards_by_state ON shards (state, lease_expires_ms);
CREATE INDEX shards_by_owner ON shards (lease_owner) WHERE lease_owner IS NOT NULL;
`;
