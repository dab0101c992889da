/**
 * The throughput-over-time chart of a batch page: requests finished per second between the
 * progress samples taken while the page watched the batch, drawn as a hand-made SVG line
 * (no chart library; SVG attributes, no inline styles, so the strict CSP holds).
 */
import { html } from '../html.js';

const WIDTH = 760;
const HEIGHT = 120;
const PAD = { left: 40, right: 8, top: 8, bottom: 18 };

/** @param {{ t: number, done: number }[]} samples time (ms) and finished requests */
export function ratesOf(samples) {
  const rates = [];
  for (let i = 1; i < samples.length; i++) {
    const seconds = (samples[i].t - samples[i - 1].t) / 1000;
    if (seconds > 0) rates.push({ t: samples[i].t, rate: Math.max(0, (samples[i].done - samples[i - 1].done) / seconds) });
  }
  return rates;
}

export function ThroughputChart({ samples }) {
  const rates = ratesOf(samples);
  if (rates.length < 2) {
    return html`<p class="muted small chart-empty">The chart fills in while this page watches a running batch.</p>`;
  }
  const first = rates[0].t;
  const span = Math.max(1, rates[rates.length - 1].t - first);
  const top = Math.max(1, ...rates.map((point) => point.rate));
  const x = (t) => PAD.left + ((t - first) / span) * (WIDTH - PAD.left - PAD.right);
  const y = (rate) => HEIGHT - PAD.bottom - (rate / top) * (HEIGHT - PAD.top - PAD.bottom);
  const points = rates.map((point) => `${x(point.t).toFixed(1)},${y(point.rate).toFixed(1)}`).join(' ');
  const seconds = Math.round(span / 1000);
  return html`
    <svg class="chart" viewBox=${`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label="Requests per second over time">
      <line class="axis" x1=${PAD.left} y1=${HEIGHT - PAD.bottom} x2=${WIDTH - PAD.right} y2=${HEIGHT - PAD.bottom} />
      <line class="axis" x1=${PAD.left} y1=${PAD.top} x2=${PAD.left} y2=${HEIGHT - PAD.bottom} />
      <text class="tick" x=${PAD.left - 4} y=${PAD.top + 8} text-anchor="end">${top.toFixed(top < 10 ? 1 : 0)}/s</text>
      <text class="tick" x=${PAD.left - 4} y=${HEIGHT - PAD.bottom} text-anchor="end">0</text>
      <text class="tick" x=${WIDTH - PAD.right} y=${HEIGHT - 4} text-anchor="end">last ${seconds}s</text>
      <polyline class="series" points=${points} />
    </svg>
  `;
}
