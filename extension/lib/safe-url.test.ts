import { describe, expect, it } from 'vitest';
import { httpUrlOrNull, portalUrl } from './safe-url.ts';

describe('URLs opened in tabs', () => {
  it('opens only http(s) database URLs', () => {
    expect(httpUrlOrNull('https://db.example.test/sso?x=1')).toBe('https://db.example.test/sso?x=1');
    expect(httpUrlOrNull('javascript:alert(1)')).toBeNull();
    expect(httpUrlOrNull('not a url')).toBeNull();
  });

  it('resolves portal links on the IdP origin only', () => {
    expect(portalUrl('http://localhost:3000', '/my/security#two-factor')).toBe('http://localhost:3000/my/security#two-factor');
    expect(portalUrl('http://localhost:3000', '//evil.test/x')).toBeNull();
    expect(portalUrl('http://localhost:3000', 'https://evil.test/x')).toBeNull();
  });
});
