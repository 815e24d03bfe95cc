import { describe, expect, it } from 'vitest';
import { engineOf, originPattern } from './host-permission.ts';

describe('originPattern', () => {
  it('keeps the port for Chromium, which matches patterns by port', () => {
    expect(originPattern('http://localhost:3000/some/path', 'chromium')).toBe('http://localhost:3000/*');
    expect(originPattern('https://login.example.com', 'chromium')).toBe('https://login.example.com/*');
  });

  it('drops the port for Firefox, whose patterns with a port match nothing', () => {
    expect(originPattern('http://localhost:3000', 'gecko')).toBe('http://localhost/*');
    expect(originPattern('https://login.example.com:8443/idp', 'gecko')).toBe('https://login.example.com/*');
  });

  it('tells the engines apart by the extension URL scheme', () => {
    expect(engineOf('moz-extension://5f0c3f7a-1b2d-4e5f-8a9b-0c1d2e3f4a5b/')).toBe('gecko');
    expect(engineOf('chrome-extension://fidbdcnbmjdaepbknnhbpdanaoaiacmc/')).toBe('chromium');
  });
});
