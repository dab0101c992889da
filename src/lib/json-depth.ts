/**
 * How deep a parsed JSON value nests, checked without recursion (so a hostile value cannot
 * overflow the stack while being checked). Cost grows with the number of objects and arrays,
 * not with the length of strings, so typical request lines cost a few dozen steps.
 */

/** The deepest nesting batchmode accepts in any JSON it reads (Gemini's own limit is lower in practice). */
export const MAX_JSON_DEPTH = 512;

/** Whether `value` nests objects and arrays more than `maxDepth` levels deep. */
export function nestsDeeperThan(value: unknown, maxDepth: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const stack: { node: object; depth: number }[] = [{ node: value, depth: 1 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop() as { node: object; depth: number };
    if (depth > maxDepth) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (typeof child === 'object' && child !== null) stack.push({ node: child as object, depth: depth + 1 });
    }
  }
  return false;
}
