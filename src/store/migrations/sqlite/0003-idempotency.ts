/** Idempotent batch creation: a client-chosen key per tenant, with the hash of the request it named. */
export const sql = `
ALTER TABLE batches ADD COLUMN idempotency_key TEXT;
ALTER TABLE batches ADD COLUMN request_hash TEXT;
CREATE UNIQUE INDEX batches_by_idempotency_key ON batches (tenant_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
`;
