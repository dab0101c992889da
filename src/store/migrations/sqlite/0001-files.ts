/** Files and resumable upload sessions. */
export const sql = `
CREATE TABLE files (
  tenant_id          TEXT    NOT NULL,
  id                 TEXT    NOT NULL,
  display_name       TEXT    NOT NULL,
  mime_type          TEXT    NOT NULL,
  size_bytes         INTEGER NOT NULL,
  sha256_hex         TEXT    NOT NULL,
  state              TEXT    NOT NULL,
  source             TEXT    NOT NULL,
  blob_key           TEXT    NOT NULL,
  create_time_ms     INTEGER NOT NULL,
  update_time_ms     INTEGER NOT NULL,
  expiration_time_ms INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, id)
) WITHOUT ROWID;
CREATE INDEX files_by_tenant_time ON files (tenant_id, create_time_ms DESC, id DESC);
CREATE INDEX files_by_expiration ON files (expiration_time_ms);

CREATE TABLE upload_sessions (
  upload_id           TEXT    PRIMARY KEY,
  tenant_id           TEXT    NOT NULL,
  file_id             TEXT    NOT NULL,
  display_name        TEXT    NOT NULL,
  mime_type           TEXT    NOT NULL,
  declared_size_bytes INTEGER,
  received_bytes      INTEGER NOT NULL,
  staging_key         TEXT    NOT NULL,
  create_time_ms      INTEGER NOT NULL,
  update_time_ms      INTEGER NOT NULL
);
CREATE UNIQUE INDEX upload_sessions_by_file ON upload_sessions (tenant_id, file_id);
CREATE INDEX upload_sessions_by_update ON upload_sessions (update_time_ms);
`;
