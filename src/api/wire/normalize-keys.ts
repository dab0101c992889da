/**
 * Request bodies arrive in lowerCamelCase, snake_case, or both mixed (proto3 JSON accepts
 * either; the guide's curl samples are snake_case). This turns every key into lowerCamelCase
 * before validation, except inside free-form values whose keys belong to the user: metadata,
 * schemas, function arguments and responses, labels.
 */
const FREE_FORM_KEYS = new Set([
  'metadata', 'userMetadata', 'labels', 'responseSchema', 'responseJsonSchema', 'parameters',
  'parametersJsonSchema', 'response', 'args', 'structValue',
]);

export const snakeToCamel = (key: string): string => key.replace(/_([a-z0-9])/g, (_match, char: string) => char.toUpperCase());

export function normalizeKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalizeKeys);
  if (value === null || typeof value !== 'object') return value;
  const result: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    const camel = snakeToCamel(key);
    Object.defineProperty(result, camel, {
      value: FREE_FORM_KEYS.has(camel) ? inner : normalizeKeys(inner),
      enumerable: true, writable: true, configurable: true,
    });
  }
  return result;
}
