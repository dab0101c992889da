/**
 * The PostgreSQL schema: SQLite migrations 1–5 combined (files, upload sessions, batches with
 * idempotency key, request hash and usage, shards with usage). Times (*_ms) and byte counts are
 * BIGINT; JSON is kept as TEXT, as on SQLite. Identifier columns use the "C" collation so that
 * ordering and keyset comparisons are byte order, as SQLite's BINARY collation.
 */
export const sql = `
CREATE TABLE files (
  tenant_id          TEXT COLLATE "C" NOT NULL,
  id                 TEXT COLLATE "C" NOT NULL,
  display_name       TEXT    NOT NULL,
  mime_type          TEXT    NOT NULL,
  size_bytes         BIGINT  NOT NULL,
  sha256_hex         TEXT    NOT NULL,
  state              TEXT    NOT NULL,
  source             TEXT    NOT NULL,
  blob_key           TEXT    NOT NULL,
  create_time_ms     BIGINT  NOT NULL,
  update_time_ms     BIGINT  NOT NULL,
  expiration_time_ms BIGINT  NOT NULL,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX files_by_tenant_time ON files (tenant_id, create_time_ms DESC, id DESC);
CREATE INDEX files_by_expiration ON files (expiration_time_ms);

CREATE TABLE upload_sessions (
  upload_id           TEXT COLLATE "C" PRIMARY KEY,
  tenant_id           TEXT COLLATE "C" NOT NULL,
  file_id             TEXT COLLATE "C" NOT NULL,
  display_name        TEXT    NOT NULL,
  mime_type           TEXT    NOT NULL,
  declared_size_bytes BIGINT,
  received_bytes      BIGINT  NOT NULL,
  staging_key         TEXT    NOT NULL,
  create_time_ms      BIGINT  NOT NULL,
  update_time_ms      BIGINT  NOT NULL
);
CREATE UNIQUE INDEX upload_sessions_by_file ON upload_sessions (tenant_id, file_id);
CREATE INDEX upload_sessions_by_update ON upload_sessions (update_time_ms);

CREATE TABLE batches (
  id                TEXT COLLATE "C" PRIMARY KEY,
  tenant_id         TEXT COLLATE "C" NOT NULL,
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
  create_time_ms    BIGINT  NOT NULL,
  update_time_ms    BIGINT  NOT NULL,
  start_time_ms     BIGINT,
  end_time_ms       BIGINT,
  deadline_ms       BIGINT  NOT NULL,
  idempotency_key   TEXT,
  request_hash      TEXT,
  usage             TEXT
);
CREATE INDEX batches_by_tenant_time ON batches (tenant_id, create_time_ms DESC, id DESC);
CREATE INDEX batches_by_state ON batches (state, priority DESC, create_time_ms);
CREATE UNIQUE INDEX batches_by_idempotency_key ON batches (tenant_id, idempotency_key) WHERE idempotency_key IS NOT NULL;

CREATE TABLE shards (
  batch_id          TEXT COLLATE "C" NOT NULL REFERENCES batches (id) ON DELETE CASCADE,
  shard_index       INTEGER NOT NULL,
  first_request     INTEGER NOT NULL,
  request_count     INTEGER NOT NULL,
  byte_start        BIGINT  NOT NULL,
  byte_end          BIGINT  NOT NULL,
  state             TEXT    NOT NULL,
  lease_owner       TEXT,
  lease_expires_ms  BIGINT,
  succeeded_count   INTEGER NOT NULL DEFAULT 0,
  failed_count      INTEGER NOT NULL DEFAULT 0,
  usage             TEXT,
  PRIMARY KEY (batch_id, shard_index)
);
CREATE INDEX shards_by_state ON shards (state, lease_expires_ms);
CREATE INDEX shards_by_owner ON shards (lease_owner) WHERE lease_owner IS NOT NULL;
CREATE INDEX shards_by_batch_state ON shards (batch_id, state, shard_index);
`;
