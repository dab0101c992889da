/**
 * The one error type of batchmode. Every failure a client can see is an AppError carrying a
 * google.rpc canonical status; `api/error-response.ts` is the one place that turns it into
 * the wire body `{"error":{"code","message","status"}}`.
 */

/** google.rpc.Code names with their gRPC numbers and the HTTP status the REST front end uses. */
export const RPC_STATUS = {
  OK: { grpc: 0, http: 200 },
  CANCELLED: { grpc: 1, http: 499 },
  UNKNOWN: { grpc: 2, http: 500 },
  INVALID_ARGUMENT: { grpc: 3, http: 400 },
  DEADLINE_EXCEEDED: { grpc: 4, http: 504 },
  NOT_FOUND: { grpc: 5, http: 404 },
  ALREADY_EXISTS: { grpc: 6, http: 409 },
  PERMISSION_DENIED: { grpc: 7, http: 403 },
  RESOURCE_EXHAUSTED: { grpc: 8, http: 429 },
  FAILED_PRECONDITION: { grpc: 9, http: 400 },
  ABORTED: { grpc: 10, http: 409 },
  OUT_OF_RANGE: { grpc: 11, http: 400 },
  UNIMPLEMENTED: { grpc: 12, http: 501 },
  INTERNAL: { grpc: 13, http: 500 },
  UNAVAILABLE: { grpc: 14, http: 503 },
  DATA_LOSS: { grpc: 15, http: 500 },
  UNAUTHENTICATED: { grpc: 16, http: 401 },
} as const;

export type RpcStatusName = keyof typeof RPC_STATUS;

/** google.rpc.ErrorInfo, one of the two detail types batchmode emits (with QuotaFailure). */
export interface ErrorInfo {
  reason: string;
  domain?: string;
  metadata?: Record<string, string>;
}

/** One google.rpc.QuotaFailure violation: the limit (`quotaId`, `quotaValue`) and the use it met. */
export interface QuotaViolation {
  subject: string;
  description: string;
  quotaId?: string;
  quotaValue?: string;
  quotaDimensions?: Record<string, string>;
  /** batchmode's addition: what the tenant uses now, and what the refused call asked for. */
  currentUsage?: string;
  requested?: string;
}

export interface AppErrorOptions {
  /** HTTP status to answer with when it differs from the canonical mapping (e.g. 400 for a bad key). */
  httpStatus?: number;
  errorInfo?: ErrorInfo;
  /** A google.rpc.QuotaFailure detail (quota refusals). */
  quotaFailure?: QuotaViolation[];
  /** Extra headers for the HTTP response, e.g. `retry-after`. */
  headers?: Record<string, string>;
  cause?: unknown;
}

/** A failure with a google.rpc status; safe to show to the client. */
export class AppError extends Error {
  readonly httpStatus: number;
  readonly errorInfo: ErrorInfo | undefined;
  readonly quotaFailure: QuotaViolation[] | undefined;
  readonly headers: Record<string, string>;

  constructor(
    readonly status: RpcStatusName,
    message: string,
    options: AppErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.httpStatus = options.httpStatus ?? RPC_STATUS[status].http;
    this.errorInfo = options.errorInfo;
    this.quotaFailure = options.quotaFailure;
    this.headers = options.headers ?? {};
  }

  /** The gRPC numeric code, as used in per-request errors inside batch results. */
  get grpcCode(): number {
    return RPC_STATUS[this.status].grpc;
  }
}

export const invalidArgument = (message: string, options?: AppErrorOptions): AppError =>
  new AppError('INVALID_ARGUMENT', message, options);
export const notFound = (message: string): AppError => new AppError('NOT_FOUND', message);
export const permissionDenied = (message: string, options?: AppErrorOptions): AppError =>
  new AppError('PERMISSION_DENIED', message, options);
export const failedPrecondition = (message: string): AppError => new AppError('FAILED_PRECONDITION', message);
export const internalError = (message: string, cause?: unknown): AppError =>
  new AppError('INTERNAL', message, { cause });
/** A dependency (the metadata store, …) cannot be reached right now; the client may retry. */
export const unavailable = (message: string, cause?: unknown): AppError =>
  new AppError('UNAVAILABLE', message, { cause });

/**
 * What an internal error of a dependency that is down or overloaded for now (S3 unreachable,
 * throttling) carries, so that the API answers it as UNAVAILABLE (503, retry) and not INTERNAL.
 */
export interface TransientFailure {
  readonly isTransient: boolean;
}

/** Whether `error` says of itself that it is transient (see TransientFailure). */
export const isTransientFailure = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && (error as Partial<TransientFailure>).isTransient === true;

/** Gemini's answer for a model it does not serve. */
export const modelNotFound = (model: string, method: string): AppError =>
  new AppError(
    'NOT_FOUND',
    `models/${model} is not found for API version v1beta, or is not supported for ${method}. Call ListModels to see the list of available models and their supported methods.`,
  );
