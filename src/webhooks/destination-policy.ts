/**
 * Where webhooks may point. A receiver URI is given by a tenant, and batchmode then makes
 * requests to it from inside the deployment, so an operator exposing batchmode to untrusted
 * tenants sets the policy to `public`: no loopback, private, link-local (cloud metadata),
 * unspecified, shared (CGNAT), multicast or reserved addresses. The URI is checked when a
 * webhook is saved, and again on every connection after DNS resolution (`lookup`), so a name
 * that later resolves inward is refused too; redirects are never followed.
 */
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { invalidArgument } from '../core/errors.js';

/** `any` (the default): any http(s) URI. `public`: only addresses reachable on the public internet. */
export type DestinationPolicy = 'any' | 'public';

export const DESTINATION_POLICIES: readonly DestinationPolicy[] = ['any', 'public'];

const MAX_URI_LENGTH = 2048;

/** Refused under `public`. BlockList also matches IPv4-mapped IPv6 forms (::ffff:a.b.c.d) of the IPv4 ranges. */
const refused = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // unspecified, "this network"
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // shared address space (CGNAT)
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, incl. the cloud metadata address 169.254.169.254
  ['172.16.0.0', 12], // private
  ['192.168.0.0', 16], // private
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, incl. broadcast
] as const) refused.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 96], // unspecified, loopback (::1) and the deprecated IPv4-compatible form ::a.b.c.d
  ['fc00::', 7], // unique local (private)
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
] as const) refused.addSubnet(network, prefix, 'ipv6');

/** Whether `address` (an IP literal) is refused under `policy`. */
export function isRefusedAddress(address: string, policy: DestinationPolicy): boolean {
  if (policy === 'any') return false;
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  const family = isIP(bare);
  if (family === 0) return false;
  return refused.check(bare, family === 4 ? 'ipv4' : 'ipv6');
}

/** `localhost` and its subdomains (RFC 6761), which resolve to loopback by definition. */
const isLocalhostName = (hostname: string): boolean => {
  const name = hostname.toLowerCase().replace(/\.$/, '');
  return name === 'localhost' || name.endsWith('.localhost');
};

/**
 * Checks a receiver URI as the API saves it: an absolute http: or https: URL without
 * credentials, at most 2048 characters, and under `public` not a refused literal address or
 * `localhost`. Throws INVALID_ARGUMENT naming `field`.
 */
export function checkWebhookUri(uri: string, policy: DestinationPolicy, field: string): void {
  if (uri.length > MAX_URI_LENGTH) throw invalidArgument(`${field} is longer than ${MAX_URI_LENGTH} characters.`);
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw invalidArgument(`${field} must be an absolute http or https URL, got ${JSON.stringify(uri)}.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw invalidArgument(`${field} must be an http or https URL, got the scheme ${url.protocol.slice(0, -1)}.`);
  }
  if (url.username !== '' || url.password !== '') throw invalidArgument(`${field} must not carry credentials (user:password@).`);
  if (policy === 'public' && (isLocalhostName(url.hostname) || isRefusedAddress(url.hostname, policy))) {
    throw invalidArgument(`${field} must point to a public address: ${url.hostname} is loopback, private, link-local or otherwise not public.`);
  }
}

/** The error a connection refused by the policy fails with. */
export class RefusedDestinationError extends Error {
  readonly code = 'EREFUSEDDESTINATION';
  constructor(hostname: string, address: string) {
    super(hostname === address
      ? `${address} is not a public address: the destination policy refuses it`
      : `${hostname} resolves to ${address}, not a public address: the destination policy refuses it`);
    this.name = 'RefusedDestinationError';
  }
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for `net.connect` that resolves with dns.lookup and fails the connection when any
 * address the name resolves to is refused under `policy` (checking all of them, so a name
 * cannot mix one public and one inward address).
 */
export function policyLookup(policy: DestinationPolicy): (hostname: string, options: LookupOptions, callback: LookupCallback) => void {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) {
        callback(error, '');
        return;
      }
      const bad = addresses.find((entry) => isRefusedAddress(entry.address, policy));
      if (bad !== undefined) {
        callback(new RefusedDestinationError(hostname, bad.address), '');
        return;
      }
      if (options.all === true) {
        callback(null, addresses);
        return;
      }
      const [first] = addresses;
      if (first === undefined) callback(Object.assign(new Error(`${hostname} did not resolve`), { code: 'ENOTFOUND' }), '');
      else callback(null, first.address, first.family);
    });
  };
}
