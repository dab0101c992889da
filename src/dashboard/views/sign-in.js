/**
 * Signing in: the user pastes an API key; it is checked with one API call (a refused key is
 * said so, and nothing is stored) and kept, once accepted, for this browser tab only.
 */
import { useState } from 'preact/hooks';
import { createApi } from '../api.js';
import { html } from '../html.js';

export function SignInView({ onSignIn, notice }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (event) => {
    event.preventDefault();
    const candidate = key.trim();
    if (!candidate) return;
    setBusy(true);
    setError('');
    try {
      await createApi(candidate).listWorkers();
      onSignIn(candidate);
    } catch (failure) {
      setError(failure.keyRejected || failure.status === 403 ? 'This API key is not accepted by this server.' : failure.message);
      setBusy(false);
    }
  };
  return html`
    <div class="sign-in">
      <h1>batchmode</h1>
      <p class="muted">Sign in with an API key. It stays in this browser tab only and is sent with each API call.</p>
      ${notice ? html`<p class="notice">${notice}</p>` : null}
      <form onSubmit=${submit}>
        <label for="api-key">API key</label>
        <input id="api-key" type="password" autocomplete="off" spellcheck="false" value=${key} onInput=${(event) => setKey(event.currentTarget.value)} />
        <button type="submit" disabled=${busy || !key.trim()}>Sign in</button>
      </form>
      ${error ? html`<p class="error" role="alert">${error}</p>` : null}
      <p class="muted small">With no keys configured, <code>batchmode serve</code> stores its key in <code>batchmode-data/api-key</code>.</p>
    </div>
  `;
}
