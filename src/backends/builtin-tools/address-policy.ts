/**
 * Which addresses the URL context tool may fetch from. The URLs are chosen by API callers and
 * fetched by the server from inside the deployment, so by default only public addresses are
 * reachable: loopback, private (RFC 1918, CGNAT, unique local), link-local, cloud metadata,
 * unspecified, multicast and reserved addresses are refused, after DNS resolution (every
 * address a name resolves to must pass), unless the URL's `host[:port]` is on the operator's
 * allow-list. IPv4-mapped IPv6 forms (::ffff:127.0.0.1) are checked as the IPv4 address they map.
 */
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/** One range refused by default, with the words a refusal uses. */
const RANGES: readonly (readonly [string, number, 'ipv4' | 'ipv6', string])[] = [
  ['169.254.169.254', 32, 'ipv4', 'a cloud metadata address'],
  ['fd00:ec2::254', 128, 'ipv6', 'a cloud metadata address'],
  ['0.0.0.0', 8, 'ipv4', 'an unspecified address'],
  ['127.0.0.0', 8, 'ipv4', 'a loopback address'],
  ['10.0.0.0', 8, 'ipv4', 'a private address'],
  ['172.16.0.0', 12, 'ipv4', 'a private address'],
  ['192.168.0.0', 16, 'ipv4', 'a private address'],
  ['100.64.0.0', 10, 'ipv4', 'a shared (CGNAT) address'],
  ['169.254.0.0', 16, 'ipv4', 'a link-local address'],
  ['224.0.0.0', 4, 'ipv4', 'a multicast address'],
  ['240.0.0.0', 4, 'ipv4', 'a reserved address'],
  ['::1', 128, 'ipv6', 'a loopback address'],
  ['::', 128, 'ipv6', 'an unspecified address'],
  ['::', 96, 'ipv6', 'an IPv4-compatible address'],
  ['fc00::', 7, 'ipv6', 'a private (unique local) address'],
  ['fe80::', 10, 'ipv6', 'a link-local address'],
  ['ff00::', 8, 'ipv6', 'a multicast address'],
];
const LISTS = RANGES.map(([network, prefix, family, words]) => {
  const list = new BlockList();
  list.addSubnet(network, prefix, family);
  return { list, words };
});

/** Why `address` (an IP literal) is refused, e.g. `a loopback address`; undefined when it is public. */
export function refusedAddressReason(address: string): string | undefined {
  const family = isIP(address);
  if (family === 0) return 'not an IP address';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  const [literal, kind] = mapped !== undefined ? [mapped, 'ipv4' as const] : [address, family === 4 ? 'ipv4' as const : 'ipv6' as const];
  for (const { list, words } of LISTS) if (list.check(literal, kind)) return words;
  return undefined;
}

/** An address a host resolved to. */
export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** The outcome of screening a URL: the address to connect to, or why not. */
/** `unsafe`: refused by the policy (else the host cannot be reached at all, e.g. does not resolve). */
export type Screened = { ok: true; address: ResolvedAddress } | { ok: false; reason: string; unsafe: boolean };

/** Resolves host names; injectable so tests can resolve a name to any address. */
export type Resolve = (hostname: string) => Promise<ResolvedAddress[]>;

export const resolveWithDns: Resolve = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map((entry) => ({ address: entry.address, family: entry.family === 6 ? 6 : 4 }));

/** `host:port` as the allow-list spells it (the scheme's default port when the URL names none). */
export function hostKey(url: URL): string {
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return `${url.hostname.replace(/^\[|\]$/g, '').toLowerCase()}:${port}`;
}

/** The allow-list of `host[:port]` entries: a bare host allows every port of it. */
export function allowListOf(entries: readonly string[]): (url: URL) => boolean {
  const exact = new Set<string>();
  const anyPort = new Set<string>();
  for (const entry of entries) {
    const trimmed = entry.trim().toLowerCase();
    const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(trimmed);
    const plain = /^([^:]+):(\d+)$/.exec(trimmed);
    const [host, port] = bracketed ? [bracketed[1], bracketed[2]] : plain ? [plain[1], plain[2]] : [trimmed, undefined];
    if (host === undefined || host === '') continue;
    if (port === undefined) anyPort.add(host);
    else exact.add(`${host}:${port}`);
  }
  return (url) => exact.has(hostKey(url)) || anyPort.has(url.hostname.replace(/^\[|\]$/g, '').toLowerCase());
}

/**
 * Screens `url` before a connection: http(s) only; allow-listed hosts pass (resolved, first
 * address); otherwise every address the host resolves to must be public. The address returned
 * is the one to connect to (pinned, so a second DNS answer cannot switch it).
 */
export async function screenUrl(url: URL, isAllowed: (url: URL) => boolean, resolve: Resolve): Promise<Screened> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { ok: false, unsafe: true, reason: `the scheme ${url.protocol} is not fetched (http and https only)` };
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: ResolvedAddress[];
  if (isIP(hostname) !== 0) addresses = [{ address: hostname, family: isIP(hostname) === 6 ? 6 : 4 }];
  else {
    try {
      addresses = await resolve(hostname);
    } catch (error) {
      return { ok: false, unsafe: false, reason: `its host ${hostname} does not resolve (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` };
    }
  }
  const first = addresses[0];
  if (first === undefined) return { ok: false, unsafe: false, reason: `its host ${hostname} resolves to no address` };
  if (isAllowed(url)) return { ok: true, address: first };
  for (const { address } of addresses) {
    const reason = refusedAddressReason(address);
    if (reason !== undefined) {
      const shown = address === hostname ? address : `${hostname} (${address})`;
      return { ok: false, unsafe: true, reason: `${shown} is ${reason}, which batchmode does not fetch from unless tools.urlContext.allowHosts lists ${hostKey(url)}` };
    }
  }
  return { ok: true, address: first };
}
