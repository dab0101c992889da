/**
 * Paths of the OpenAI-compatible surface: every route answers under Google's root
 * `/v1beta/openai/` and under the plain OpenAI root `/v1/`, and ids are Google's (`files/abc`,
 * `batches/abc`). The OpenAI SDKs put an id into the path as it is, so `/batches/batches/abc`,
 * `/batches/batches%2Fabc` and `/batches/abc` all name the batch `abc`.
 */

/** An anchored pattern for `<path>` (a regular-expression source) on both OpenAI roots. */
export function openAIPath(path: string): RegExp {
  return new RegExp(`^/(?:v1beta/openai|v1)/${path}$`);
}

/** A path parameter for an id of `collection`, with or without its `<collection>/` prefix. */
export function idSegment(collection: string, name: string): string {
  return `(?:${collection}/)?(?<${name}>[^/]+)`;
}

/** The id without its `<collection>/` prefix (a decoded `batches%2Fabc` keeps it until here). */
export function bareId(collection: string, id: string | undefined): string {
  const value = id ?? '';
  return value.startsWith(`${collection}/`) ? value.slice(collection.length + 1) : value;
}
