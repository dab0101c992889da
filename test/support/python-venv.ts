/**
 * The Python virtual environment with the official Python SDKs (google-genai, openai) that the
 * Python end-to-end tests run: `.venv/` at the project root. `.ci/run` builds it; a test that
 * finds it missing builds it the same way (pip installs from the machine's package index).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const projectRoot = resolve(import.meta.dirname, '../..');
export const PYTHON_SDKS = ['google-genai', 'openai'];

/** The venv's python, built with the SDKs when missing. */
export function pythonWithSdks(): string {
  const venv = join(projectRoot, '.venv');
  const python = join(venv, 'bin', 'python');
  if (!existsSync(python)) execFileSync('python3', ['-m', 'venv', venv], { stdio: 'inherit' });
  try {
    execFileSync(python, ['-c', 'import google.genai, openai'], { stdio: 'ignore' });
  } catch {
    execFileSync(python, ['-m', 'pip', 'install', '--quiet', '--retries', '0', ...PYTHON_SDKS], { stdio: 'inherit', timeout: 600_000 });
  }
  return python;
}
