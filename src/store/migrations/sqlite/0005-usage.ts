/** Token usage per shard (while running) and per batch (frozen when finished), as JSON. */
export const sql = `
ALTER TABLE shards ADD COLUMN usage TEXT;
ALTER TABLE batches ADD COLUMN usage TEXT;
`;
