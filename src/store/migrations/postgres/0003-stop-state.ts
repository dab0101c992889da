/**
 * As SQLite migration 7. Stop requests: a cancelled or expired batch keeps its PENDING/RUNNING state, with the
 * terminal state it is heading for in stop_state, until its results are written (the terminal
 * state and the results then land in one transaction). Batches that an older version already
 * moved to CANCELLED/EXPIRED without results are turned back into stop requests, so they are
 * never reported terminal without their output.
 */
export const sql = `
ALTER TABLE batches ADD COLUMN stop_state TEXT;
UPDATE batches
   SET stop_state = state,
       state = CASE WHEN start_time_ms IS NULL THEN 'BATCH_STATE_PENDING' ELSE 'BATCH_STATE_RUNNING' END,
       end_time_ms = NULL
 WHERE results_blob_key IS NULL AND state IN ('BATCH_STATE_CANCELLED', 'BATCH_STATE_EXPIRED');
`;
