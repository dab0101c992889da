/** How every store contract suite opens a fresh store for one test and closes it afterwards. */
import type { Store } from '../store.js';

export type OpenStore = () => Promise<Store>;

/** Runs `body` on a store from `open`, closing it whatever happens. */
export async function withStore(open: OpenStore, body: (store: Store) => Promise<void>): Promise<void> {
  const store = await open();
  try {
    await body(store);
  } finally {
    await store.close();
  }
}
