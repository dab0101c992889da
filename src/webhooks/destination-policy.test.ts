// The destination policy: which literal addresses `public` refuses (in every spelling, IPv4-mapped
// IPv6 included), which URIs the API accepts, and that the lookup refuses names resolving inward.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError } from '../core/errors.js';
import { checkWebhookUri, isRefusedAddress, policyLookup } from './destination-policy.js';

const REFUSED = [
  '127.0.0.1', '127.255.255.254', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '169.254.0.1',
  '0.0.0.0', '0.1.2.3', '100.64.0.1', '100.127.255.255', '224.0.0.1', '255.255.255.255',
  '::1', '::', 'fc00::1', 'fd12:3456::1', 'fe80::1', 'febf::1', 'ff02::1',
  '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:10.0.0.1', '::ffff:169.254.169.254', '::127.0.0.1', '[::1]',
];
const ALLOWED = ['8.8.8.8', '1.1.1.1', '172.32.0.1', '172.15.255.255', '100.128.0.1', '100.63.255.255', '192.169.0.1', '169.255.0.1', '2001:4860:4860::8888', '::ffff:8.8.8.8', 'fec0::1'];

test('public refuses loopback, private, link-local, unspecified, CGNAT and their mapped forms', () => {
  for (const address of REFUSED) assert.equal(isRefusedAddress(address, 'public'), true, address);
  for (const address of ALLOWED) assert.equal(isRefusedAddress(address, 'public'), false, address);
  for (const address of REFUSED) assert.equal(isRefusedAddress(address, 'any'), false, `any allows ${address}`);
});

const rejects = (uri: string, policy: 'any' | 'public', pattern: RegExp): void => {
  assert.throws(() => checkWebhookUri(uri, policy, 'uri'), (error: unknown) => {
    assert.ok(error instanceof AppError, String(error));
    assert.equal(error.status, 'INVALID_ARGUMENT');
    assert.match(error.message, /^uri /);
    assert.match(error.message, pattern);
    return true;
  }, uri);
};

test('a webhook URI is an absolute http(s) URL without credentials, at most 2048 characters', () => {
  for (const uri of ['https://example.com/hook', 'http://example.com:8080/a?b=c', 'http://127.0.0.1:9/x', 'http://localhost/']) {
    checkWebhookUri(uri, 'any', 'uri');
  }
  rejects('', 'any', /absolute/);
  rejects('/relative/path', 'any', /absolute/);
  rejects('ftp://example.com/x', 'any', /scheme ftp/);
  rejects('file:///etc/passwd', 'any', /scheme file/);
  rejects('https://user:pw@example.com/', 'any', /credentials/);
  rejects(`https://example.com/${'a'.repeat(2048)}`, 'any', /2048/);
});

test('public refuses localhost and refused literal addresses in any spelling', () => {
  checkWebhookUri('https://example.com/hook', 'public', 'uri');
  checkWebhookUri('https://8.8.8.8/hook', 'public', 'uri');
  for (const uri of [
    'http://localhost:8080/', 'http://LOCALHOST./', 'http://api.localhost/', 'http://127.0.0.1/', 'http://2130706433/', 'http://0x7f.1/',
    'http://[::1]/', 'http://[::ffff:127.0.0.1]/', 'http://169.254.169.254/latest/meta-data', 'http://10.0.0.1/', 'http://0.0.0.0/',
  ]) rejects(uri, 'public', /public address/);
});

const resolve = (hostname: string, all: boolean): Promise<unknown> =>
  new Promise((done) => {
    policyLookup('public')(hostname, { all }, (error, address, family) => done(error ?? { address, family }));
  });

test('the lookup refuses a name that resolves to a refused address, after resolution', async () => {
  const refused = await resolve('localhost', false);
  assert.ok(refused instanceof Error);
  assert.match(refused.message, /localhost resolves to .*, not a public address: the destination policy refuses it/);
  assert.ok((await resolve('localhost', true)) instanceof Error, 'with all: true too');
  const unresolvable = await resolve('does-not-exist.invalid', false);
  assert.ok(unresolvable instanceof Error && !/policy/.test(unresolvable.message), 'a DNS failure stays a DNS failure');
});

test('under any, the lookup answers in the form asked for', async () => {
  const one = await new Promise((done) => policyLookup('any')('localhost', {}, (error, address, family) => done(error ?? { address, family })));
  assert.equal(typeof (one as { address: unknown }).address, 'string');
  const all = await new Promise((done) => policyLookup('any')('localhost', { all: true }, (error, address) => done(error ?? address)));
  assert.ok(Array.isArray(all) && all.length > 0);
});
