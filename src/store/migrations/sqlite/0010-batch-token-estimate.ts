/**
 * Quotas (issue 16): each batch keeps the estimated tokens of all its requests, set at create,
 * so that the tokens still enqueued per model (the unfinished share) can be counted against a
 * tenant's limit. 0 on batches created before.
 */
export const sql = `
ALTER TABLE batches ADD COLUMN estimated_tokens INTEGER NOT NULL DEFAULT 0;
`;
