/**
 * The dashboard's routes live in the URL's hash (`#/batches/<id>`), so the server serves one
 * page at `/` and a reload or a shared link opens the same view.
 */
import { useEffect, useState } from 'preact/hooks';

/** The views of the navigation bar, in order. */
export const NAV = [
  { view: 'batches', label: 'Batches' },
  { view: 'new', label: 'New batch' },
  { view: 'files', label: 'Files' },
  { view: 'workers', label: 'Workers' },
  { view: 'quota', label: 'Quota' },
];

/** `#/batches/abc` → `{ view: 'batch', id: 'abc' }`; anything unknown is the batches list. */
export function parseRoute(hash) {
  const [view = '', id] = hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  if (view === 'batches' && id) return { view: 'batch', id };
  return { view: NAV.some((item) => item.view === view) ? view : 'batches' };
}

/** @param {string} path e.g. `batches/abc` */
export function navigate(path) {
  location.hash = `#/${path}`;
}

/** The current route, re-rendered on every hash change. */
export function useRoute() {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const onChange = () => setHash(location.hash);
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return parseRoute(hash);
}
