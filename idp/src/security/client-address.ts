/**
 * The one key of a client address for per-address limits (sign-in, sign-up, reset mails, API
 * authentication failures): an IPv4 address as it is, an IPv6 address by its /64 network. One host
 * usually holds a whole /64 and can pick any address in it, so counting per IPv6 address would hand an
 * attacker 2^64 budgets. IPv4-mapped IPv6 (`::ffff:192.0.2.1`, what a dual-stack socket reports) counts
 * as the IPv4 address. Anything unreadable is used as it is.
 */
import net from 'node:net';

/** `2001:db8:1:2::/64` for any address in that network, `192.0.2.1` for IPv4. */
export function clientAddressKey(ip: string | null | undefined): string {
  const address = (ip ?? '').trim();
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (net.isIPv6(address)) return `${ipv6Groups(address).slice(0, 4).join(':')}::/64`;
  return address || 'unknown';
}

/** The eight 16-bit groups of an IPv6 address, without leading zeros (zone id dropped). */
function ipv6Groups(address: string): string[] {
  let text = address.split('%')[0]!.toLowerCase();
  // A trailing dotted IPv4 part (e.g. ::1.2.3.4) becomes two groups.
  const v4 = /(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') as [string, string] : [text, undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const fill = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...fill, ...right].map((g) => (g.replace(/^0+/, '') || '0'));
}
