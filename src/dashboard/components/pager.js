/**
 * Newer / Older paging over an API list: `tokens` is the stack of page tokens walked so far
 * (the first page's is ''), `nextPageToken` the current page's, if there is a next page.
 */
import { html } from '../html.js';

export function Pager({ tokens, setTokens, nextPageToken }) {
  return html`
    <div class="pager">
      <button disabled=${tokens.length <= 1} onClick=${() => setTokens(tokens.slice(0, -1))}>Newer</button>
      <span class="muted">Page ${tokens.length}</span>
      <button disabled=${!nextPageToken} onClick=${() => setTokens([...tokens, nextPageToken])}>Older</button>
    </div>`;
}
