/** Claiming looks up a batch's runnable shards by state: index them so the lookup is a seek. */
export const sql = `
CREATE INDEX shards_by_batch_state ON shards (batch_id, state, shard_index);
`;
