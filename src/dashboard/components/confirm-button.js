/**
 * A destructive action asked twice: the first click shows "Are you sure?" with a confirm and a
 * keep button in place (no browser dialog); the confirm runs the action once, disabled meanwhile.
 */
import { useState } from 'preact/hooks';
import { html } from '../html.js';

/**
 * @param {{ label: string, question: string, confirmLabel: string, onConfirm: () => Promise<void>, disabled?: boolean }} props
 */
export function ConfirmButton({ label, question, confirmLabel, onConfirm, disabled = false }) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  if (!asking) return html`<button class="danger" disabled=${disabled} onClick=${() => setAsking(true)}>${label}</button>`;
  const confirm = async () => {
    setBusy(true);
    try {
      await onConfirm();
    } finally {
      setBusy(false);
      setAsking(false);
    }
  };
  return html`
    <span class="confirm" role="group">
      <span>${question}</span>
      <button class="danger" disabled=${busy} onClick=${confirm}>${confirmLabel}</button>
      <button disabled=${busy} onClick=${() => setAsking(false)}>Keep it</button>
    </span>
  `;
}
