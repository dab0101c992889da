/**
 * What a Store reports about itself for metrics, beside its records: the unfinished requests
 * of a model (BatchRepository.openRequestsByModel) and a connection pool's use (Store.connectionPool).
 */

/** Unfinished requests of one model (see `BatchRepository.openRequestsByModel`). */
export interface ModelRequestCounts {
  model: string;
  pending: number;
  running: number;
}

/** A connection pool's use at one moment. */
export interface ConnectionPoolStats {
  /** Connections open (idle or in use). */
  total: number;
  idle: number;
  /** Queries waiting for a connection. */
  waiting: number;
  /** The most connections the pool opens. */
  max: number;
}
