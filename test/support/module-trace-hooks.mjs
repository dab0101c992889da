// Module resolution hooks that append every resolved URL to the file named by
// BATCHMODE_MODULE_TRACE (see module-trace.mjs): which modules a command loads.
import { appendFileSync } from 'node:fs';

const traceFile = process.env.BATCHMODE_MODULE_TRACE;

export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  if (traceFile) appendFileSync(traceFile, `${resolved.url}\n`);
  return resolved;
}
