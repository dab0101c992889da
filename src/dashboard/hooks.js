/**
 * The dashboard's one data hook: load something, keep the latest answer, and load it again
 * after the delay the answer asks for (live views poll while a batch runs, then stop). A view
 * that shows something else (another batch) is keyed by it, so it starts afresh.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

const RETRY_MS = 5_000;

/**
 * @template T
 * @param {() => Promise<T>} load
 * @param {unknown[]} deps loading starts over when one changes
 * @param {(data: T) => number | undefined} [delayOf] ms until the next load; undefined stops
 * @returns {{ data: T | undefined, error: Error | undefined, reload: () => void }}
 */
export function usePolling(load, deps, delayOf = () => undefined) {
  const [state, setState] = useState({ data: undefined, error: undefined });
  const [generation, setGeneration] = useState(0);
  const latest = useRef({ load, delayOf });
  latest.current = { load, delayOf };

  useEffect(() => {
    let stopped = false;
    let timer;
    const run = async () => {
      try {
        const data = await latest.current.load();
        if (stopped) return;
        setState({ data, error: undefined });
        const delay = latest.current.delayOf(data);
        if (delay !== undefined) timer = setTimeout(run, delay);
      } catch (error) {
        if (stopped) return;
        setState((previous) => ({ data: previous.data, error }));
        // A server that does not answer may come back; a refusal (4xx) will not change by itself.
        if (!(error.status >= 400 && error.status < 500)) timer = setTimeout(run, RETRY_MS);
      }
    };
    run();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [...deps, generation]);

  const reload = useCallback(() => setGeneration((n) => n + 1), []);
  return { ...state, reload };
}
