/**
 * As SQLite migration 11. cachedContents (issue 16): a tenant's stored prompt prefixes. The
 * prefix (system instruction, contents, tools, tool config) is one JSON TEXT column; the expiry
 * index serves the sweep.
 */
export const sql = `
CREATE TABLE cached_contents (
  tenant_id         TEXT COLLATE "C" NOT NULL,
  id                TEXT COLLATE "C" NOT NULL,
  model             TEXT   NOT NULL,
  display_name      TEXT   NOT NULL,
  prefix_json       TEXT   NOT NULL,
  total_token_count BIGINT NOT NULL,
  create_time_ms    BIGINT NOT NULL,
  update_time_ms    BIGINT NOT NULL,
  expire_time_ms    BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX cached_contents_by_tenant_time ON cached_contents (tenant_id, create_time_ms DESC, id DESC);
CREATE INDEX cached_contents_by_expiry ON cached_contents (expire_time_ms);
`;
