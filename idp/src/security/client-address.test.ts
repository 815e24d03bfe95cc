import { describe, expect, it } from 'vitest';
import { clientAddressKey } from './client-address.ts';

describe('clientAddressKey', () => {
  it('keeps IPv4 addresses, including IPv4-mapped IPv6', () => {
    expect(clientAddressKey('192.0.2.1')).toBe('192.0.2.1');
    expect(clientAddressKey('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(clientAddressKey('::FFFF:192.0.2.1')).toBe('192.0.2.1');
  });

  it('aggregates IPv6 to its /64, however the address is written', () => {
    const key = '2001:db8:1:2::/64';
    for (const ip of ['2001:db8:1:2::1', '2001:db8:1:2:ffff:ffff:ffff:ffff', '2001:0db8:0001:0002:0000:0000:0000:0009', '2001:DB8:1:2::abcd', 'fe80::1%eth0'.replace('fe80::1', '2001:db8:1:2::7')]) {
      expect(clientAddressKey(ip), ip).toBe(key);
    }
    expect(clientAddressKey('2001:db8:1:3::1')).toBe('2001:db8:1:3::/64');
    expect(clientAddressKey('::1')).toBe('0:0:0:0::/64');
    expect(clientAddressKey('2001:db8::')).toBe('2001:db8:0:0::/64');
  });

  it('never answers an empty key', () => {
    expect(clientAddressKey('')).toBe('unknown');
    expect(clientAddressKey(undefined)).toBe('unknown');
  });
});
