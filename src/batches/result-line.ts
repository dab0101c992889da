/**
 * The lines of a batch's results, one per request, in input order:
 * file input → `{"key":…,"response":…}` or `{"key":…,"error":{code,message,status}}`;
 * inline input → `{"response":…,"metadata":…}` or `{"error":…,"metadata":…}`, as the inlined
 * responses of the Operation. The request's `metadata` is echoed when it had one.
 */
import type { BatchInputKind } from '../core/batch.js';
import { RPC_STATUS, type RpcStatusName } from '../core/errors.js';
import type { RpcStatus } from '../core/gemini-types.js';

/** What identifies a request in its result line. */
export interface RequestIdentity {
  key?: string | undefined;
  metadata?: unknown;
}

function identityFields(identity: RequestIdentity, inputKind: BatchInputKind): string {
  let fields = '';
  if (inputKind === 'file' && identity.key !== undefined) fields += `"key":${JSON.stringify(identity.key)},`;
  if (identity.metadata !== undefined) fields += `"metadata":${JSON.stringify(identity.metadata)},`;
  return fields;
}

export function successLine(identity: RequestIdentity, response: unknown, inputKind: BatchInputKind): string {
  return `{${identityFields(identity, inputKind)}"response":${JSON.stringify(response)}}`;
}

export function errorLine(identity: RequestIdentity, error: RpcStatus, inputKind: BatchInputKind): string {
  return `{${identityFields(identity, inputKind)}"error":${JSON.stringify(error)}}`;
}

/** google.rpc.Status with the gRPC numeric code, as per-request errors carry it. */
export function rpcStatus(status: RpcStatusName, message: string): RpcStatus {
  return { code: RPC_STATUS[status].grpc, message, status };
}
