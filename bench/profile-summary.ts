/**
 * `npx tsx bench/profile-summary.ts <file.cpuprofile> [top] [--timeline=<seconds>]`: prints where
 * a server spent its time during a bench run (BENCH_CPU_PROF_DIR=<dir> npm run bench -- <figure>
 * writes profiles); with --timeline, also how busy it was in each window and on what.
 */
import { profileTimeline, summariseProfile } from './support/cpu-profile.js';
import { projectRoot } from './support/server-process.js';

const args = process.argv.slice(2);
const timelineArg = args.find((arg) => arg.startsWith('--timeline='));
const [path, topArg] = args.filter((arg) => !arg.startsWith('--'));
if (!path) {
  process.stderr.write('usage: npx tsx bench/profile-summary.ts <file.cpuprofile> [top] [--timeline=<seconds>]\n');
  process.exit(2);
}
const top = Number(topArg ?? 25);
const summary = summariseProfile(path, projectRoot);
const busyMs = summary.areas.filter((area) => area.area !== '(idle)').reduce((sum, area) => sum + area.selfMs, 0);
const percent = (ms: number): string => `${((ms / summary.totalMs) * 100).toFixed(1).padStart(5)}%`;
const line = (ms: number, text: string): string => `${(ms / 1000).toFixed(2).padStart(8)} s ${percent(ms)}  ${text}`;

const out: string[] = [`${path}: ${(summary.totalMs / 1000).toFixed(1)} s profiled, ${(busyMs / 1000).toFixed(1)} s busy (not idle)`, '', 'self time by area:'];
for (const area of summary.areas) out.push(line(area.selfMs, area.area));
out.push('', `top ${top} functions by self time:`);
for (const fn of [...summary.functions].sort((a, b) => b.selfMs - a.selfMs).slice(0, top)) out.push(line(fn.selfMs, fn.name));
out.push('', `top ${top} project functions (src/) by inclusive time:`);
for (const fn of summary.functions.filter((candidate) => / (src|dist)\//.test(candidate.name)).sort((a, b) => b.totalMs - a.totalMs).slice(0, top)) {
  out.push(line(fn.totalMs, fn.name));
}
if (timelineArg) {
  const windowMs = Number(timelineArg.slice('--timeline='.length)) * 1000;
  out.push('', `timeline (${windowMs / 1000} s windows): busy %, GC %, src/ functions most on the stack`);
  for (const window of profileTimeline(path, projectRoot, windowMs)) {
    const busy = `${((window.busyMs / windowMs) * 100).toFixed(0).padStart(3)}% busy, ${((window.gcMs / windowMs) * 100).toFixed(0).padStart(2)}% GC`;
    const top3 = window.top.map((entry) => `${entry.name.split(' ')[0] ?? ''} ${((entry.ms / windowMs) * 100).toFixed(0)}%`).join(', ');
    out.push(`${(window.startMs / 1000).toFixed(0).padStart(5)} s  ${busy}  ${top3}`);
  }
}
process.stdout.write(`${out.join('\n')}\n`);
