/**
 * The official Python `openai` SDK against `batchmode serve` on both OpenAI roots
 * (`/v1beta/openai` and `/v1`): upload, chat and embeddings batches with their output files, a
 * cancel that keeps finished results, a bad file failing with its lines named, list
 * auto-pagination, a wrong key, tenant isolation, the interactive endpoints, and Google's
 * documented flow (google-genai uploads, openai batches, google-genai downloads). The script
 * (test/fixtures/python/openai_flow.py) reports what it saw; this test asserts on it.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { pythonWithSdks } from '../support/python-venv.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

const KEY = 'python-openai';
const OTHER = 'python-openai-other';
const script = resolve(import.meta.dirname, '../fixtures/python/openai_flow.py');

interface Report {
  uploaded: { id: string; purpose: string; bytes: number; filename: string };
  chat: { status: string; counts: { total: number; completed: number; failed: number }; error_file_id: string | null; custom_ids: string[]; first_body_object: string; first_content_is_text: boolean; metadata: Record<string, string>; completed_at: boolean };
  embeddings: { status: string; lengths: number[] };
  cancel: { answered: string; status: string; counts: { total: number; completed: number; failed: number }; kept: string[]; errors: [string, string][] };
  bad: { status: string; lines: number[] };
  listed: string[];
  created: string[];
  wrong_key: string;
  isolation: string[];
  other_lists: { batches: string[]; files: string[] };
  interactive: { chat_object: string; chat_has_text: boolean; embeddings: number[]; models: boolean };
  google_flow: { input: string; status: string; custom_ids: string[] };
}

describe('the Python openai SDK on the OpenAI-compatible surface', () => {
  let server: ServerProcess;
  let python: string;
  before(async () => {
    python = pythonWithSdks();
    server = await startServerProcess({
      env: { BATCHMODE_API_KEYS: `${KEY},${OTHER}`, BATCHMODE_SIM_LATENCY_MS: '100', BATCHMODE_WORKER_CONCURRENCY: '1', BATCHMODE_SHARD_SIZE: '1' },
    });
  });
  after(async () => server.stop());

  for (const root of ['/v1beta/openai', '/v1']) {
    test(`the full flow under ${root}`, { timeout: 300_000 }, async () => {
      const { stdout } = await promisify(execFile)(python, [script], {
        env: { ...process.env, OPENAI_BASE_URL: `${server.url}${root}`, BATCHMODE_BASE_URL: server.url, API_KEY: KEY, OTHER_API_KEY: OTHER },
        timeout: 240_000,
      });
      const report = JSON.parse(stdout.trim()) as Report;

      assert.match(report.uploaded.id, /^files\//);
      assert.equal(report.uploaded.purpose, 'batch');
      assert.equal(report.uploaded.filename, 'requests.jsonl');
      assert.ok(report.uploaded.bytes > 0);

      assert.equal(report.chat.status, 'completed');
      assert.deepEqual(report.chat.counts, { total: 4, completed: 4, failed: 0 });
      assert.equal(report.chat.error_file_id, null);
      assert.deepEqual(report.chat.custom_ids, ['q0', 'q1', 'q2', 'q3']);
      assert.equal(report.chat.first_body_object, 'chat.completion');
      assert.ok(report.chat.first_content_is_text);
      assert.deepEqual(report.chat.metadata, { description: 'python chat' });
      assert.ok(report.chat.completed_at);

      assert.deepEqual(report.embeddings, { status: 'completed', lengths: [8, 8, 8] });

      assert.ok(['cancelling', 'cancelled'].includes(report.cancel.answered), report.cancel.answered);
      assert.equal(report.cancel.status, 'cancelled');
      assert.ok(report.cancel.kept.length >= 2, `finished results are kept (${report.cancel.kept.join(', ')})`);
      assert.ok(report.cancel.errors.length >= 1, 'some requests never ran');
      assert.equal(report.cancel.kept.length + report.cancel.errors.length, 8, 'every custom_id appears exactly once');
      for (const [, code] of report.cancel.errors) assert.equal(code, 'batch_cancelled');
      assert.deepEqual(report.cancel.counts, { total: 8, completed: report.cancel.kept.length, failed: report.cancel.errors.length });

      assert.equal(report.bad.status, 'failed');
      assert.deepEqual(report.bad.lines, [2, 3, 4, 5]);

      for (const id of report.created) assert.ok(report.listed.includes(id), `${id} is listed`);
      assert.equal(new Set(report.listed).size, report.listed.length, 'auto-pagination repeats nothing');

      assert.equal(report.wrong_key, 'AuthenticationError');
      assert.deepEqual(report.isolation, ['NotFoundError', 'NotFoundError', 'NotFoundError', 'NotFoundError']);
      for (const id of report.created) assert.ok(!report.other_lists.batches.includes(id));
      assert.ok(!report.other_lists.files.includes(report.uploaded.id));

      assert.equal(report.interactive.chat_object, 'chat.completion');
      assert.ok(report.interactive.chat_has_text);
      assert.deepEqual(report.interactive.embeddings, [16, 16]);
      assert.ok(report.interactive.models);

      assert.match(report.google_flow.input, /^files\//);
      assert.equal(report.google_flow.status, 'completed');
      assert.deepEqual(report.google_flow.custom_ids, ['g1', 'g2']);
    });
  }
});
