import { BlockList, isIP } from 'node:net';

/**
 * Address ranges a server-side request must not reach unless private URLs are
 * allowed: loopback, private, link-local, shared, documentation, multicast and
 * reserved blocks (IANA IPv4 and IPv6 Special-Purpose Address Registries).
 * Each entry is [network, prefix, why].
 */
const V4_RANGES: readonly [string, number, string][] = [
  ['0.0.0.0', 8, 'this network'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'shared address space'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'IETF protocol assignments'],
  ['192.0.2.0', 24, 'documentation'],
  ['192.88.99.0', 24, '6to4 relay anycast'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['198.51.100.0', 24, 'documentation'],
  ['203.0.113.0', 24, 'documentation'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'],
];

// IPv4-mapped addresses (::ffff:a.b.c.d) are matched by the IPv4 rules above: BlockList compares them as IPv4.
const V6_RANGES: readonly [string, number, string][] = [
  ['::', 96, 'unspecified, loopback or IPv4-compatible'],
  ['64:ff9b:1::', 48, 'local-use NAT64'],
  ['100::', 64, 'discard-only'],
  ['2001::', 23, 'IETF protocol assignments'],
  ['2001:db8::', 32, 'documentation'],
  ['fc00::', 7, 'unique local'],
  ['fe80::', 10, 'link-local'],
  ['fec0::', 10, 'site-local'],
  ['ff00::', 8, 'multicast'],
];

const ranges = new Map<string, BlockList>();
for (const [net, prefix, why] of V4_RANGES) addRange(net, prefix, why, 'ipv4');
for (const [net, prefix, why] of V6_RANGES) addRange(net, prefix, why, 'ipv6');

function addRange(net: string, prefix: number, why: string, family: 'ipv4' | 'ipv6'): void {
  let list = ranges.get(why);
  if (!list) {
    list = new BlockList();
    ranges.set(why, list);
  }
  list.addSubnet(net, prefix, family);
}

/**
 * Why `ip` is not a public unicast address ("loopback", "private"…), or null
 * when it is public. IPv6 forms that embed an IPv4 address (mapped, NAT64,
 * 6to4) are judged by the IPv4 address inside. Anything that is not an IP
 * address is refused.
 */
export function nonPublicRange(ip: string): string | null {
  const family = isIP(ip);
  if (family === 0) return 'not an IP address';
  if (family === 4) return rangeOf(ip, 'ipv4');
  const embedded = embeddedIPv4(ip);
  if (embedded !== null) {
    const inner = rangeOf(embedded, 'ipv4');
    if (inner !== null) return inner;
  }
  return rangeOf(ip, 'ipv6');
}

function rangeOf(ip: string, family: 'ipv4' | 'ipv6'): string | null {
  for (const [why, list] of ranges) if (list.check(ip, family)) return why;
  return null;
}

/** The IPv4 address inside a NAT64 (64:ff9b::/96) or 6to4 (2002::/16) address; null otherwise. */
function embeddedIPv4(ip: string): string | null {
  const words = expandIPv6(ip);
  if (!words) return null;
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  if (words[0] === 0x64 && words[1] === 0xff9b && words.slice(2, 6).every((w) => w === 0)) {
    return v4(words[6]!, words[7]!);
  }
  if (words[0] === 0x2002) return v4(words[1]!, words[2]!);
  return null;
}

/** The eight 16-bit words of an IPv6 address (zone ids dropped), or null. */
function expandIPv6(ip: string): number[] | null {
  let text = ip.split('%', 1)[0]!;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const parts = dotted[1]!.split('.').map(Number);
    text = `${text.slice(0, dotted.index)}${((parts[0]! << 8) | parts[1]!).toString(16)}:${((parts[2]! << 8) | parts[3]!).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const missing = 8 - left.length - right.length;
  if (tail === undefined ? missing !== 0 : missing < 1) return null;
  const words = [...left, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...right].map((w) =>
    Number.parseInt(w, 16),
  );
  return words.length === 8 && words.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffff)
    ? words
    : null;
}
