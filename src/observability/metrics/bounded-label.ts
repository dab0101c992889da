/**
 * Keeps a label's values bounded: the first `max` distinct values pass as they are, any later
 * one becomes `_other`. Model names are bounded by the configuration in practice, but a glob
 * route (`gemini-*`) accepts any matching name a client sends, so every label taken from a
 * request goes through one of these; Prometheus then never sees more than `max` series per label.
 */
export const OTHER_LABEL_VALUE = '_other';

export type BoundedLabel = (value: string) => string;

export function createBoundedLabel(max: number): BoundedLabel {
  const seen = new Set<string>();
  return (value) => {
    if (seen.has(value)) return value;
    if (seen.size >= max) return OTHER_LABEL_VALUE;
    seen.add(value);
    return value;
  };
}

/** The HTTP methods counted by name; any other is `OTHER`. */
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

export const methodLabel = (method: string): string => (KNOWN_METHODS.has(method) ? method : 'OTHER');
