/** An API failure, said in one line where the view shows it (nothing when there is none). */
import { html } from '../html.js';

export function ErrorNote({ error }) {
  if (!error) return null;
  const message = typeof error === 'string' ? error : error.message;
  return html`<p class="error" role="alert">${message}</p>`;
}
