/** Worker processes and their heartbeats (liveness shown through the API). */
export const sql = `
CREATE TABLE workers (
  id              TEXT PRIMARY KEY,
  host            TEXT    NOT NULL,
  pid             INTEGER NOT NULL,
  role            TEXT    NOT NULL,
  version         TEXT    NOT NULL,
  concurrency     INTEGER NOT NULL,
  in_flight       INTEGER NOT NULL,
  started_at_ms   INTEGER NOT NULL,
  heartbeat_at_ms INTEGER NOT NULL
);
CREATE INDEX workers_by_heartbeat ON workers (heartbeat_at_ms);
`;
