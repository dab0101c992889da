/**
 * The `?validateOnly=true` extension of the batch creates: whether a create asks for it, and
 * the JSON of its answer (counts as int64 strings like the rest of the wire; the cost only
 * when the model's route has pricing).
 */
import type { BatchEstimate } from '../../batches/index.js';
import { invalidArgument } from '../../core/errors.js';

/** `validateOnly=true` (or `1`); `false`, `0` or absent is a real create; anything else is a 400. */
export function isValidateOnly(url: URL): boolean {
  const value = url.searchParams.get('validateOnly');
  if (value === null || value === 'false' || value === '0') return false;
  if (value === 'true' || value === '1') return true;
  throw invalidArgument(`Invalid value for validateOnly: '${value}' (expected true or false).`);
}

export function toValidationBody(estimate: BatchEstimate): Record<string, unknown> {
  return {
    validateOnly: true,
    model: `models/${estimate.model}`,
    requestCount: String(estimate.requestCount),
    estimatedInputTokens: String(estimate.estimatedInputTokens),
    ...(estimate.estimatedInputCostUsd !== undefined ? { estimatedInputCostUsd: estimate.estimatedInputCostUsd } : {}),
  };
}
