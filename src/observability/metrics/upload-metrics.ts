/** Upload metrics, from the `uploadBytes` event: file bytes stored by uploads (every chunk of a resumable one, or a whole one-shot upload). */
import { Counter, type Registry } from 'prom-client';
import type { EngineEventListener } from '../../core/engine-events.js';

export function registerUploadMetrics(registry: Registry): EngineEventListener {
  const bytes = new Counter({
    name: 'batchmode_upload_bytes_total', help: 'File bytes stored by uploads (resumable chunks and one-shot uploads).', registers: [registry],
  });
  return {
    uploadBytes(event) {
      bytes.inc(event.bytes);
    },
  };
}
