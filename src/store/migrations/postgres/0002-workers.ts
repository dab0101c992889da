/** Worker processes and their heartbeats (liveness shown through the API); as SQLite migration 6. */
export const sql = `
CREATE TABLE workers (
  id              TEXT COLLATE "C" PRIMARY KEY,
  host            TEXT    NOT NULL,
  pid             INTEGER NOT NULL,
  role            TEXT    NOT NULL,
  version         TEXT    NOT NULL,
  concurrency     INTEGER NOT NULL,
  in_flight       INTEGER NOT NULL,
  started_at_ms   BIGINT  NOT NULL,
  heartbeat_at_ms BIGINT  NOT NULL
);
CREATE INDEX workers_by_heartbeat ON workers (heartbeat_at_ms);
`;
