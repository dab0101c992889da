/** What each benchmark module exports and returns. */
import type { Log } from './log.js';
import type { Scope } from './scope.js';
import type { BenchSettings } from './settings.js';

export const FIGURE_IDS = ['throughput', 'saturation', 'memory', 'inline-latency', 'upload', 'scale-out', 'prefix-cache', 'openai-e2e', 'first-result', 'image-memory'] as const;
export type FigureId = (typeof FIGURE_IDS)[number];

export interface FigureContext {
  /** Temp dirs and processes of this figure; closed after it, whatever happens. */
  scope: Scope;
  log: Log;
  settings: BenchSettings;
  /** Where a server of this figure writes its CPU profile (undefined: not profiling). */
  cpuProfileDir: (label: string) => string | undefined;
}

export interface FigureResult {
  id: FigureId;
  title: string;
  /** The measured values behind the ratio, e.g. "batch 21,000 req/s". */
  measured: string[];
  /** The figure: a ratio of two measurements of this run. */
  ratio: number;
  /** What the ratio divides, e.g. "batch / ceiling". */
  ratioOf: string;
  goal: string;
  met: boolean;
  /** Further observations for the details section (one bullet each). */
  details: string[];
}

export interface Figure {
  id: FigureId;
  title: string;
  run(context: FigureContext): Promise<FigureResult>;
}
