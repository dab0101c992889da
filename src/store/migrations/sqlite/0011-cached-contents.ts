/**
 * cachedContents (issue 16): a tenant's stored prompt prefixes. The prefix (system instruction,
 * contents, tools, tool config) is one JSON column; the expiry index serves the sweep.
 */
export const sql = `
CREATE TABLE cached_contents (
  tenant_id         TEXT    NOT NULL,
  id                TEXT    NOT NULL,
  model             TEXT    NOT NULL,
  display_name      TEXT    NOT NULL,
  prefix_json       TEXT    NOT NULL,
  total_token_count INTEGER NOT NULL,
  create_time_ms    INTEGER NOT NULL,
  update_time_ms    INTEGER NOT NULL,
  expire_time_ms    INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, id)
) WITHOUT ROWID;
CREATE INDEX cached_contents_by_tenant_time ON cached_contents (tenant_id, create_time_ms DESC, id DESC);
CREATE INDEX cached_contents_by_expiry ON cached_contents (expire_time_ms);
`;
