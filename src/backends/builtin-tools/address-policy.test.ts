// The URL context tool's address checks: refused ranges, IPv4-mapped IPv6, the allow-list, resolution.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allowListOf, refusedAddressReason, screenUrl, type Resolve } from './address-policy.js';

test('loopback, private, CGNAT, link-local, metadata, unspecified and multicast addresses are refused; public ones pass', () => {
  const cases: [string, string | undefined][] = [
    ['127.0.0.1', 'a loopback address'], ['127.8.9.10', 'a loopback address'], ['::1', 'a loopback address'],
    ['10.1.2.3', 'a private address'], ['172.16.0.1', 'a private address'], ['172.31.255.255', 'a private address'], ['192.168.1.1', 'a private address'],
    ['100.64.0.1', 'a shared (CGNAT) address'], ['100.127.255.255', 'a shared (CGNAT) address'],
    ['169.254.1.1', 'a link-local address'], ['fe80::1', 'a link-local address'],
    ['169.254.169.254', 'a cloud metadata address'], ['fd00:ec2::254', 'a cloud metadata address'],
    ['0.0.0.0', 'an unspecified address'], ['::', 'an unspecified address'],
    ['224.0.0.1', 'a multicast address'], ['ff02::1', 'a multicast address'],
    ['fc00::1', 'a private (unique local) address'], ['fd12:3456::1', 'a private (unique local) address'],
    ['8.8.8.8', undefined], ['172.32.0.1', undefined], ['100.128.0.1', undefined], ['2606:4700::1111', undefined],
  ];
  for (const [address, reason] of cases) assert.equal(refusedAddressReason(address), reason, address);
});

test('IPv4-mapped IPv6 addresses are checked as the IPv4 address they map', () => {
  assert.equal(refusedAddressReason('::ffff:127.0.0.1'), 'a loopback address');
  assert.equal(refusedAddressReason('::ffff:7f00:1'), 'a loopback address');
  assert.equal(refusedAddressReason('::ffff:169.254.169.254'), 'a cloud metadata address');
  assert.equal(refusedAddressReason('::ffff:10.0.0.1'), 'a private address');
  assert.equal(refusedAddressReason('::ffff:8.8.8.8'), undefined);
});

const resolveTo = (table: Record<string, string[]>): Resolve => async (host) => {
  const addresses = table[host];
  if (addresses === undefined) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
  return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
};
const none = (): boolean => false;

test('a name is refused when any address it resolves to is refused; the first address is pinned otherwise', async () => {
  const resolve = resolveTo({ 'public.test': ['93.184.215.14', '2606:2800::1'], 'sneaky.test': ['93.184.215.14', '10.0.0.5'], 'mapped.test': ['::ffff:127.0.0.1'] });
  assert.deepEqual(await screenUrl(new URL('https://public.test/a'), none, resolve), { ok: true, address: { address: '93.184.215.14', family: 4 } });
  const sneaky = await screenUrl(new URL('http://sneaky.test/'), none, resolve);
  assert.equal(sneaky.ok, false);
  assert.match(sneaky.ok ? '' : sneaky.reason, /sneaky\.test \(10\.0\.0\.5\) is a private address.*allowHosts lists sneaky\.test:80/);
  const mapped = await screenUrl(new URL('http://mapped.test:8080/'), none, resolve);
  assert.match(mapped.ok ? '' : mapped.reason, /loopback/);
  const literal = await screenUrl(new URL('http://[::ffff:127.0.0.1]:9/'), none, resolve);
  assert.equal(literal.ok ? undefined : literal.unsafe, true);
  const missing = await screenUrl(new URL('http://nowhere.test/'), none, resolve);
  assert.deepEqual(missing.ok ? undefined : [missing.unsafe, missing.reason], [false, 'its host nowhere.test does not resolve (ENOTFOUND)']);
  const scheme = await screenUrl(new URL('file:///etc/passwd'), none, resolve);
  assert.equal(scheme.ok ? undefined : scheme.unsafe, true);
});

test('the allow-list takes host:port (that port only) or a bare host (any port)', async () => {
  const allowed = allowListOf(['docs.internal:8080', '127.0.0.1', '[::1]:9000']);
  assert.equal(allowed(new URL('http://docs.internal:8080/x')), true);
  assert.equal(allowed(new URL('http://docs.internal:8081/x')), false);
  assert.equal(allowed(new URL('http://docs.internal/x')), false);
  assert.equal(allowed(new URL('http://127.0.0.1:1234/')), true);
  assert.equal(allowed(new URL('http://[::1]:9000/')), true);
  assert.equal(allowed(new URL('http://[::1]:9001/')), false);
  const resolve = resolveTo({ 'docs.internal': ['10.1.1.1'] });
  assert.deepEqual(await screenUrl(new URL('http://docs.internal:8080/'), allowed, resolve), { ok: true, address: { address: '10.1.1.1', family: 4 } });
  assert.equal((await screenUrl(new URL('http://docs.internal:9999/'), allowed, resolve)).ok, false);
});
