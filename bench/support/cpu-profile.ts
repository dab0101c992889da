/**
 * Summarises a V8 CPU profile (`node --cpu-prof`): self and inclusive time per function, and
 * self time per area (this project's src/, node internals, node_modules, GC, idle).
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface FunctionTime {
  name: string;
  selfMs: number;
  totalMs: number;
}

export interface ProfileSummary {
  totalMs: number;
  functions: FunctionTime[];
  areas: { area: string; selfMs: number }[];
}

function labelOf(node: ProfileNode, root: string): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const name = functionName || '(anonymous)';
  if (!url) return name;
  const path = url.startsWith('file://') ? relative(root, new URL(url).pathname) : url;
  // tsx-compiled sources report every frame on line 1: the file name is all there is.
  return lineNumber === 0 ? `${name} ${path}` : `${name} ${path}:${lineNumber + 1}`;
}

function areaOf(node: ProfileNode, root: string): string {
  const { functionName, url } = node.callFrame;
  if (!url) return ['(garbage collector)', '(idle)', '(program)'].includes(functionName) ? functionName : '(native / V8)';
  if (url.startsWith('node:')) return 'node internals';
  const path = url.startsWith('file://') ? relative(root, new URL(url).pathname) : url;
  if (path.startsWith('node_modules/')) return `node_modules/${path.split('/')[1] ?? ''}`;
  if (path.startsWith('src/')) return path.split('/').slice(0, 2).join('/');
  return path;
}

interface LoadedProfile {
  profile: CpuProfile;
  byId: Map<number, ProfileNode>;
  parent: Map<number, number>;
}

function loadProfile(path: string): LoadedProfile {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  return { profile, byId, parent };
}

/** One window of a profile's timeline: how busy the thread was, and the src/ functions on the stack most. */
export interface TimelineWindow {
  startMs: number;
  busyMs: number;
  gcMs: number;
  top: { name: string; ms: number }[];
}

export function profileTimeline(path: string, projectRoot: string, windowMs: number, topCount = 3): TimelineWindow[] {
  const { profile, byId, parent } = loadProfile(path);
  const windows: { busyMs: number; gcMs: number; functions: Map<string, number> }[] = [];
  let elapsedUs = 0;
  profile.samples.forEach((id, index) => {
    const deltaUs = profile.timeDeltas[index] ?? 0;
    elapsedUs += deltaUs;
    const node = byId.get(id);
    if (!node || node.callFrame.functionName === '(idle)') return;
    const slot = Math.floor(elapsedUs / 1000 / windowMs);
    const window = (windows[slot] ??= { busyMs: 0, gcMs: 0, functions: new Map() });
    const ms = deltaUs / 1000;
    window.busyMs += ms;
    if (node.callFrame.functionName === '(garbage collector)') window.gcMs += ms;
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at);
      if (!frame) break;
      const label = labelOf(frame, projectRoot);
      if (seen.has(label) || !/ (src|dist)\//.test(label)) continue;
      seen.add(label);
      window.functions.set(label, (window.functions.get(label) ?? 0) + ms);
    }
  });
  return Array.from(windows, (window, slot) => ({
    startMs: slot * windowMs,
    busyMs: window?.busyMs ?? 0,
    gcMs: window?.gcMs ?? 0,
    top: [...(window?.functions ?? new Map<string, number>()).entries()]
      .sort((a, b) => b[1] - a[1]).slice(0, topCount).map(([name, ms]) => ({ name, ms })),
  }));
}

export function summariseProfile(path: string, projectRoot: string): ProfileSummary {
  const { profile, byId, parent } = loadProfile(path);

  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, index) => {
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0));
  });

  const functions = new Map<string, FunctionTime>();
  const areas = new Map<string, number>();
  const entry = (name: string): FunctionTime => {
    let found = functions.get(name);
    if (!found) {
      found = { name, selfMs: 0, totalMs: 0 };
      functions.set(name, found);
    }
    return found;
  };
  for (const [id, micros] of selfUs) {
    const node = byId.get(id);
    if (!node) continue;
    const ms = micros / 1000;
    entry(labelOf(node, projectRoot)).selfMs += ms;
    const area = areaOf(node, projectRoot);
    areas.set(area, (areas.get(area) ?? 0) + ms);
    // Inclusive time: once per function on the stack, however often it recurses.
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at);
      if (!frame) break;
      const label = labelOf(frame, projectRoot);
      if (seen.has(label)) continue;
      seen.add(label);
      entry(label).totalMs += ms;
    }
  }
  return {
    totalMs: (profile.endTime - profile.startTime) / 1000,
    functions: [...functions.values()],
    areas: [...areas.entries()].map(([area, selfMs]) => ({ area, selfMs })).sort((a, b) => b.selfMs - a.selfMs),
  };
}
