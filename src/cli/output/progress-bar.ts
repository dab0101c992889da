/**
 * A one-line progress bar redrawn in place (`\r`), only on a terminal: when the stream it draws
 * on or stdout is not a TTY (a pipe, a file, CI) nothing is drawn, so scripted output stays clean.
 */
export interface ProgressBar {
  /** Redraws with `fraction` (0–1) done and a text after the bar. */
  update(fraction: number, text: string): void;
  /** Leaves the last drawing on its line and moves to the next. */
  done(): void;
  /** Erases the line (before printing something else). */
  clear(): void;
}

const WIDTH = 28;

export function createProgressBar(stream: NodeJS.WriteStream, label: string, isEnabled = stream.isTTY === true && process.stdout.isTTY === true): ProgressBar {
  const enabled = isEnabled;
  let drawn = false;
  return {
    update(fraction, text) {
      if (!enabled) return;
      const clamped = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
      const filled = Math.round(clamped * WIDTH);
      const bar = `${'█'.repeat(filled)}${'░'.repeat(WIDTH - filled)}`;
      const line = `${label} ${bar} ${(clamped * 100).toFixed(0).padStart(3)}% ${text}`;
      const columns = stream.columns ?? 120;
      stream.write(`\r\x1b[2K${line.slice(0, Math.max(20, columns - 1))}`);
      drawn = true;
    },
    done() {
      if (enabled && drawn) stream.write('\n');
      drawn = false;
    },
    clear() {
      if (enabled && drawn) stream.write('\r\x1b[2K');
      drawn = false;
    },
  };
}
