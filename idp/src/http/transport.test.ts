import { describe, expect, it } from 'vitest';
import { isValidHost, percentDecodedText, screenBodyBytes } from './transport.ts';

describe('transport rule', () => {
  it('decodes percent-escapes strictly: NUL, overlong forms, lone surrogates and stray bytes are refused', () => {
    expect(percentDecodedText('a=caf%C3%A9&b=%F0%9F%98%80')).toBe('a=café&b=😀');
    expect(percentDecodedText('plain=ascii+text')).toBe('plain=ascii+text');
    for (const bad of ['a%00b', '%C0%80', '%C1%BF', '%E0%80%AF', '%ED%A0%80', '%ED%BF%BF', '%FF', '%C3', 'a\u0000', 'caf\u00e9']) {
      expect(percentDecodedText(bad), bad).toBeUndefined();
    }
    expect(percentDecodedText('%zz%')).toBe('%zz%'); // not an escape: left for the parsers
  });

  it('accepts host[:port] up to 65535 and nothing else', () => {
    for (const good of ['localhost', 'localhost:3000', 'id.example.com', '127.0.0.1:65535', '[::1]:8080', '[::1]', 'my_host']) expect(isValidHost(good), good).toBe(true);
    for (const bad of ['localhost:99999', '[::1', 'localhost:abc', 'a b', 'localhost:', '', 'a/b', 'a@b', 'x:1:2']) expect(isValidHost(bad), bad).toBe(false);
  });

  it('screens JSON strings and keys after parsing, and leaves non-JSON to the route', () => {
    expect(screenBodyBytes(Buffer.from('{"a":"b","c":["😀"]}'), 'application/json')).toBeUndefined();
    expect(screenBodyBytes(Buffer.from('{"a":"\\u0000"}'), 'application/json')?.status).toBe(400);
    expect(screenBodyBytes(Buffer.from('{"\\ud800":1}'), 'application/json')?.status).toBe(400);
    expect(screenBodyBytes(Buffer.from([0x22, 0xc0, 0x80, 0x22]), 'application/json')?.status).toBe(400);
    expect(screenBodyBytes(Buffer.from('{not json'), 'application/json')).toBeUndefined();
    expect(screenBodyBytes(Buffer.from('a=%00'), 'application/x-www-form-urlencoded')?.status).toBe(400);
  });
});
