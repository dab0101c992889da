/**
 * The dashboard's root: the signed-in key (kept in sessionStorage only, so it ends with the
 * browser tab), the navigation bar, and one view per route (router.js): `#/batches`,
 * `#/batches/<id>`, `#/new`, `#/files`, `#/workers`, `#/quota`.
 */
import { render } from 'preact';
import { useMemo, useState } from 'preact/hooks';
import { createApi } from './api.js';
import { html } from './html.js';
import { NAV, useRoute } from './router.js';
import { BatchView } from './views/batch.js';
import { BatchesView } from './views/batches.js';
import { FilesView } from './views/files.js';
import { NewBatchView } from './views/new-batch.js';
import { SignInView } from './views/sign-in.js';
import { WorkersView } from './views/workers.js';
import { QuotaView } from './views/quota.js';

const KEY_ITEM = 'batchmode.apiKey';

function App() {
  const [key, setKey] = useState(() => sessionStorage.getItem(KEY_ITEM) ?? '');
  const [notice, setNotice] = useState('');
  const route = useRoute();
  const signOut = (message = '') => {
    sessionStorage.removeItem(KEY_ITEM);
    setNotice(message);
    setKey('');
  };
  const api = useMemo(() => (key ? createApi(key, { onKeyRejected: () => signOut('The server no longer accepts this API key.') }) : undefined), [key]);
  if (!api) {
    const signIn = (accepted) => {
      sessionStorage.setItem(KEY_ITEM, accepted);
      setNotice('');
      setKey(accepted);
    };
    return html`<${SignInView} onSignIn=${signIn} notice=${notice} />`;
  }
  const current = route.view === 'batch' ? 'batches' : route.view;
  return html`
    <header class="top">
      <a class="brand" href="#/batches">batchmode</a>
      <nav>
        ${NAV.map((item) => html`<a href=${`#/${item.view}`} class=${item.view === current ? 'active' : ''}>${item.label}</a>`)}
      </nav>
      <button class="link" onClick=${() => signOut()}>Sign out</button>
    </header>
    <main>${viewOf(route, api)}</main>
  `;
}

function viewOf(route, api) {
  switch (route.view) {
    case 'batch': return html`<${BatchView} key=${route.id} api=${api} id=${route.id} />`;
    case 'new': return html`<${NewBatchView} api=${api} />`;
    case 'files': return html`<${FilesView} api=${api} />`;
    case 'workers': return html`<${WorkersView} api=${api} />`;
    case 'quota': return html`<${QuotaView} api=${api} />`;
    default: return html`<${BatchesView} api=${api} />`;
  }
}

const root = document.getElementById('app');
root.textContent = ''; // the "Loading…" placeholder, which Preact would leave in place
render(html`<${App} />`, root);
