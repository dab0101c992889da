/**
 * `npm run bench [-- <figure>…]`: runs the benchmark figures one after another in this process
 * (each with its own server child processes and temp files, cleaned up even when it fails) and
 * writes BENCHMARKS.md with the figures that ran. Exit status 1 when a figure failed to run
 * (a goal not met is a result, not a failure).
 */
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { imageMemoryFigure } from './image-memory.js';
import { inlineLatencyFigure } from './inline-latency.js';
import { firstResultFigure } from './first-result.js';
import { memoryFigure } from './memory.js';
import { openaiE2eFigure } from './openai-e2e.js';
import { prefixCacheFigure } from './prefix-cache.js';
import { saturationFigure } from './saturation.js';
import { scaleOutFigure } from './scale-out.js';
import { FIGURE_IDS, type Figure, type FigureId } from './support/figure.js';
import { createLog, withTopic } from './support/log.js';
import { describeMachine } from './support/machine.js';
import { writeReport, type FigureOutcome } from './support/report.js';
import { createScope } from './support/scope.js';
import { projectRoot } from './support/server-process.js';
import { loadBenchSettings } from './support/settings.js';
import { describeSource } from './support/source-state.js';
import { throughputFigure } from './throughput.js';
import { uploadFigure } from './upload.js';

const FIGURES: readonly Figure[] = [throughputFigure, saturationFigure, memoryFigure, inlineLatencyFigure, uploadFigure, scaleOutFigure, prefixCacheFigure, openaiE2eFigure, firstResultFigure, imageMemoryFigure];

function selectFigures(args: readonly string[]): Figure[] {
  const unknown = args.filter((arg) => !(FIGURE_IDS as readonly string[]).includes(arg));
  if (unknown.length > 0) throw new Error(`unknown figure ${unknown.join(', ')}; choose from ${FIGURE_IDS.join(', ')}`);
  return args.length === 0 ? [...FIGURES] : FIGURES.filter((figure) => args.includes(figure.id));
}

function commandLine(args: readonly string[], given: Record<string, string>): string {
  const env = Object.entries(given).map(([name, value]) => `${name}=${value} `).join('');
  return `${env}npm run bench${args.length > 0 ? ` -- ${args.join(' ')}` : ''}`;
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const settings = loadBenchSettings(process.env, projectRoot);
  const figures = selectFigures(args);
  const log = createLog();
  const root = createScope((message) => log(`cleanup: ${message}`));
  process.once('exit', () => root.closeSync());
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`${signal}: cleaning up`);
      root.closeSync();
      process.exit(130);
    });
  }

  const startedAt = new Date();
  const started = performance.now();
  const machine = describeMachine();
  const sourceAtStart = describeSource(projectRoot);
  log(`${machine.cpuModel}, ${machine.cores} cores, Node ${machine.node}; figures: ${figures.map((figure) => figure.id).join(', ')}`);
  log('building dist/ (the servers run the compiled build, as npm start does)');
  execFileSync('npm', ['run', 'build'], { cwd: projectRoot, stdio: ['ignore', 'ignore', 'inherit'] });
  const outcomes: FigureOutcome[] = [];
  for (const figure of figures) {
    const figureStarted = performance.now();
    const loadBefore = loadavg()[0] ?? 0;
    const scope = root.child();
    const figureLog = withTopic(log, figure.id);
    figureLog('start');
    try {
      const result = await figure.run({
        scope,
        log: figureLog,
        settings,
        cpuProfileDir: (label) => (settings.cpuProfileDir ? join(settings.cpuProfileDir, label) : undefined),
      });
      outcomes.push({ id: figure.id, title: figure.title, result, durationMs: performance.now() - figureStarted, loadBefore, loadAfter: loadavg()[0] ?? 0 });
      figureLog(`ratio ${result.ratio.toFixed(3)} (${result.ratioOf}), goal ${result.goal}: ${result.met ? 'met' : 'NOT met'}`);
    } catch (error) {
      const message = error instanceof Error ? error.stack ?? error.message : String(error);
      outcomes.push({ id: figure.id, title: figure.title, error: message, durationMs: performance.now() - figureStarted, loadBefore, loadAfter: loadavg()[0] ?? 0 });
      figureLog(`FAILED: ${message}`);
    } finally {
      await scope.close();
    }
  }

  writeReport(settings.outputPath, {
    command: commandLine(args, settings.given),
    startedAt,
    durationMs: performance.now() - started,
    machine,
    sourceAtStart,
    sourceAtEnd: describeSource(projectRoot),
    outcomes,
    numberOf: (id: FigureId) => FIGURE_IDS.indexOf(id) + 1,
  });
  log(`wrote ${settings.outputPath}`);
  await root.close();
  return outcomes.some((outcome) => outcome.error !== undefined) ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    process.exitCode = 2;
  },
);
