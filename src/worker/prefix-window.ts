/**
 * The bounded reordering window of a shard's dispatch (shard-requests.ts): up to `requests`
 * requests (and about `bytes` of their lines, so memory stays bounded whatever the lines' size)
 * are read ahead, then handed out grouped by prefix key (core/prefix-key.ts), so that requests
 * sharing a cache or a leading prompt prefix reach the backend one after another and its prefix
 * cache stays warm. Then the next window.
 *
 * Order within a window: the groups in order of their first request, each group's requests in
 * file order. A request without a key is a group of its own, so it keeps its place relative to
 * the groups around it, and a window with no key at all comes out in file order. Results do not
 * depend on this order: each is stored under its position in the shard.
 */

export interface WindowLimits {
  /** Requests read ahead at most (> 0; a window of 0 is no window: dispatch in file order). */
  requests: number;
  /** Line bytes held at most: the window is full once it holds this many (one line may pass it). */
  bytes: number;
}

/** About how many bytes of input lines a window holds at most. */
export const WINDOW_MAX_BYTES = 8 * 1024 * 1024;

export interface PrefixWindow<T> {
  /** Adds a request; true when the window is now full and should be taken. */
  add(item: T, key: string | undefined, bytes: number): boolean;
  /** The window's requests in dispatch order; the window is empty afterwards. */
  take(): T[];
  readonly size: number;
}

export function createPrefixWindow<T>(limits: WindowLimits): PrefixWindow<T> {
  let items: T[] = [];
  let keys: (string | undefined)[] = [];
  let anyKey = false;
  let bytes = 0;
  return {
    get size() {
      return items.length;
    },
    add(item, key, lineBytes) {
      items.push(item);
      keys.push(key);
      if (key !== undefined) anyKey = true;
      bytes += lineBytes;
      return items.length >= limits.requests || bytes >= limits.bytes;
    },
    take() {
      const taken = anyKey ? groupByKey(items, keys) : items;
      items = [];
      keys = [];
      anyKey = false;
      bytes = 0;
      return taken;
    },
  };
}

/** `items` grouped by `keys[i]` in order of first appearance; an item without a key is its own group. */
export function groupByKey<T>(items: readonly T[], keys: readonly (string | undefined)[]): T[] {
  const groups = new Map<string, T[]>();
  const order: T[][] = [];
  items.forEach((item, index) => {
    const key = keys[index];
    if (key === undefined) {
      order.push([item]);
      return;
    }
    let group = groups.get(key);
    if (!group) {
      group = [];
      groups.set(key, group);
      order.push(group);
    }
    group.push(item);
  });
  return order.flat();
}
