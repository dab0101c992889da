/**
 * Where everything lives in the blob store: the one place that spells blob keys and the
 * prefixes that are deleted together. Pure naming, no I/O; batches/, files/ and worker/ use it.
 *
 *   batches/<batch>/input.jsonl           the batch's own copy of its input
 *   batches/<batch>/caches.json           the caches its requests name, as they were at create
 *   batches/<batch>/shards/<index>.log    a shard's output log (shard-log.ts)
 *   batches/<batch>/results-<attempt>.jsonl  the results, one attempt per finalize run
 *   files/<tenant>/<file>.<version>       an uploaded file's bytes (one-shot uploads)
 *   uploads/<upload>                      a resumable upload's staged bytes (they become the file's)
 */

/** Everything of one batch (ends with `/`, as deletePrefix requires). */
export const batchPrefix = (batchId: string): string => `batches/${batchId}/`;

export const batchInputKey = (batchId: string): string => `${batchPrefix(batchId)}input.jsonl`;

/** The caches a batch's requests name, frozen at create so that they outlive expiry and deletion while it runs. */
export const batchCachesKey = (batchId: string): string => `${batchPrefix(batchId)}caches.json`;

/** Every shard log of one batch (ends with `/`). */
export const shardLogsPrefix = (batchId: string): string => `${batchPrefix(batchId)}shards/`;

export const shardLogKey = (batchId: string, shardIndex: number): string => `${shardLogsPrefix(batchId)}${shardIndex}.log`;

/** The results blob one finalize run writes (`attempt` keeps concurrent runs apart). */
export const resultsKey = (batchId: string, attempt: string): string => `${batchPrefix(batchId)}results-${attempt}.jsonl`;

/** An uploaded file's bytes; `version` keeps a re-created id from reusing a deleted file's blob. */
export const fileKey = (tenantId: string, fileId: string, version: string): string => `files/${tenantId}/${fileId}.${version}`;

/** A resumable upload's staged bytes. */
export const stagingKey = (uploadId: string): string => `uploads/${uploadId}`;
