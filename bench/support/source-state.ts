/** Which source a bench measured: the commit, and the uncommitted changes under src/ (servers run the working tree). */
import { spawnSync } from 'node:child_process';

export function describeSource(projectRoot: string): string {
  const git = (...args: string[]): string | undefined => {
    const result = spawnSync('git', args, { cwd: projectRoot, encoding: 'utf8' });
    return result.status === 0 ? result.stdout.trim() : undefined;
  };
  const commit = git('rev-parse', '--short', 'HEAD');
  if (commit === undefined) return 'not a git checkout';
  const changed = (git('status', '--porcelain', '--', 'src') ?? '').split('\n').filter((line) => line.trim() !== '');
  const digest = changed.length === 0 ? '' : git('diff', 'HEAD', '--', 'src')?.length;
  return changed.length === 0
    ? `commit ${commit}, src/ clean`
    : `commit ${commit} + ${changed.length} uncommitted changed/new files under src/ (diff ${digest ?? '?'} chars)`;
}
