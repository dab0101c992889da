/** Writes BENCHMARKS.md: the machine, the command, one table row per figure that ran, details. */
import { writeFileSync } from 'node:fs';
import { FIGURE_IDS, type FigureId, type FigureResult } from './figure.js';
import type { MachineInfo } from './machine.js';

export interface FigureOutcome {
  id: FigureId;
  title: string;
  result?: FigureResult;
  error?: string;
  durationMs: number;
  /** 1-minute load average before and after the figure (other work on the machine skews it). */
  loadBefore: number;
  loadAfter: number;
}

export interface ReportInput {
  command: string;
  startedAt: Date;
  durationMs: number;
  machine: MachineInfo;
  /** The source state when the run started and when it ended (servers run the working tree). */
  sourceAtStart: string;
  sourceAtEnd: string;
  outcomes: FigureOutcome[];
  /** Figure numbers as the brief lists them. */
  numberOf: (id: FigureId) => number;
}

const cell = (text: string): string => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

export function renderReport(input: ReportInput): string {
  const { machine, outcomes } = input;
  const lines = [
    '# Benchmarks',
    '',
    'Written by `npm run bench` (`bench/run.ts`); rerun it rather than editing this file. Every figure is a',
    'ratio of two measurements taken in the same run on the same machine.',
    '',
    `- **Command:** \`${input.command}\``,
    `- **Date:** ${input.startedAt.toISOString()} (the whole run took ${(input.durationMs / 60_000).toFixed(1)} min)`,
    `- **Machine:** ${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGib.toFixed(1)} GiB RAM, ${machine.os}; Node ${machine.node}`,
    `- **Source:** ${input.sourceAtStart}${input.sourceAtEnd === input.sourceAtStart ? '' : `; at the end: ${input.sourceAtEnd}`}`,
    '- **Server:** `node bin/batchmode.js serve --port 0 --data-dir <temp dir>` (the compiled `dist/`, as `npm start` runs it; `npm run bench` rebuilds it first), one fresh child process per figure, SQLite + local disk, `BATCHMODE_API_KEYS=bench`, `BATCHMODE_LOG_LEVEL=warn`, the simulated model unless a figure says otherwise in its details. Client: the bench process, over HTTP with `fetch`.',
    '',
    '| # | figure | measured | ratio | goal | met |',
    '|---|---|---|---|---|---|',
  ];
  for (const outcome of outcomes) {
    const number = input.numberOf(outcome.id);
    const { result } = outcome;
    if (result) {
      lines.push(`| ${number} | ${cell(result.title)} | ${result.measured.map(cell).join('<br>')} | **${result.ratio.toFixed(3)}** (${cell(result.ratioOf)}) | ${cell(result.goal)} | ${result.met ? '✅ met' : '❌ not met'} |`);
    } else {
      lines.push(`| ${number} | ${cell(outcome.title)} | failed: ${cell((outcome.error ?? 'unknown error').split('\n')[0] ?? '')} | – | – | ⚠️ failed |`);
    }
  }
  lines.push('', '## Details', '');
  for (const outcome of outcomes) {
    lines.push(
      `### ${input.numberOf(outcome.id)}. ${outcome.title} (\`${outcome.id}\`, ${(outcome.durationMs / 1000).toFixed(0)} s, load average ${outcome.loadBefore.toFixed(2)} before, ${outcome.loadAfter.toFixed(2)} after)`,
      '',
    );
    if (outcome.result) lines.push(...outcome.result.details.map((detail) => `- ${detail}`));
    else lines.push('```', outcome.error ?? 'unknown error', '```');
    lines.push('');
  }
  lines.push(
    '## Running it',
    '',
    `\`npm run bench\` runs all ${FIGURE_IDS.length} figures (7–9 minutes on this 2-core machine; longer when it is busy); \`npm run bench -- throughput upload\` runs`,
    `a subset (ids: ${FIGURE_IDS.map((id) => `\`${id}\``).join(', ')}) and this file then lists only those.`,
    'Sizes: `BENCH_THROUGHPUT_REQUESTS`, `BENCH_SATURATION_REQUESTS`, `BENCH_LARGE_MB`, `BENCH_SMALL_MB`, `BENCH_UPLOAD_MB`,',
    '`BENCH_INLINE_REPETITIONS`, `BENCH_UPLOAD_TRIALS`, `BENCH_OPENAI_E2E_REQUESTS`, `BENCH_FIRST_RESULT_REQUESTS`; `BENCH_OUTPUT` writes the report elsewhere; `BENCH_CPU_PROF_DIR=<dir>`',
    'runs every server under `--cpu-prof` (summarise a profile with `npx tsx bench/profile-summary.ts <file.cpuprofile>`).',
    '',
  );
  return lines.join('\n');
}

export function writeReport(path: string, input: ReportInput): void {
  writeFileSync(path, renderReport(input));
}
