/**
 * Wraps a repository so that every method's connection failure (see connection-failure.ts)
 * comes out as UNAVAILABLE.
 */
import { mapErrors } from '../map-errors.js';
import { asUnavailable } from './connection-failure.js';

/** `repository` with each method's rejection passed through `asUnavailable`. */
export function guardUnavailable<T extends object>(repository: T): T {
  return mapErrors(repository, asUnavailable);
}
