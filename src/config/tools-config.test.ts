// The config file's `tools` section, read with the rest of the file: defaults, validation
// messages with paths, YAML, files without it.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ConfigError } from './config-error.js';
import { loadConfigFile } from './model-config-file.js';

const readToolsConfig = (path: string): unknown => loadConfigFile(path, {}).tools;

const dir = mkdtempSync(join(tmpdir(), 'batchmode-tools-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const write = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const models = [{ name: 'sim-*', backend: { type: 'simulated' } }];

test("the issue's YAML example reads with its values; defaults fill the rest", () => {
  const yaml = 'models:\n  - name: sim-*\n    backend: { type: simulated }\ntools:\n  googleSearch: { searxngUrl: "http://127.0.0.1:8888", results: 5 }\n  urlContext: { allowHosts: ["docs.internal:8080"], maxBytes: 2000000, timeoutSeconds: 10 }\n';
  assert.deepEqual(readToolsConfig(write('tools.yaml', yaml)), {
    googleSearch: { searxngUrl: 'http://127.0.0.1:8888', results: 5 },
    urlContext: { allowHosts: ['docs.internal:8080'], maxBytes: 2_000_000, timeoutSeconds: 10 },
  });
  assert.deepEqual(readToolsConfig(write('partial.json', JSON.stringify({ models, tools: { googleSearch: { searxngUrl: 'https://search.example' }, urlContext: {} } }))), {
    googleSearch: { searxngUrl: 'https://search.example', results: 5 },
    urlContext: { allowHosts: [], maxBytes: 2_000_000, timeoutSeconds: 10 },
  });
  assert.deepEqual(readToolsConfig(write('none.json', JSON.stringify({ models }))), {});
});

test('bad values are reported with their path in the file', () => {
  const bad = write('bad.json', JSON.stringify({ models, tools: { googleSearch: { searxngUrl: 'ftp://x', results: 50 }, urlContext: { allowHosts: ['http://docs:80'], timeoutSeconds: 0 }, codeExecution: {} } }));
  assert.throws(() => readToolsConfig(bad), (error: unknown) => {
    assert.ok(error instanceof ConfigError);
    assert.match(error.message, /tools\.googleSearch\.searxngUrl: /);
    assert.match(error.message, /tools\.googleSearch\.results: /);
    assert.match(error.message, /tools\.urlContext\.allowHosts\[0\]: a host or host:port/);
    assert.match(error.message, /tools\.urlContext\.timeoutSeconds: /);
    assert.match(error.message, /tools: .*codeExecution/);
    return true;
  });
});
