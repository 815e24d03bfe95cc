import { describe, expect, it } from 'vitest';
import { isActivityCursor, isFailedAttempt, lockdownPathOf } from './activity.ts';

describe('activity helpers', () => {
  it("links each entry's \"This wasn't me\" to the portal's lockdown page for that entry", () => {
    expect(lockdownPathOf({ id: '42' })).toBe('/my/security/lockdown?entry=42');
    expect(lockdownPathOf({ id: 'a&b=c' })).toBe('/my/security/lockdown?entry=a%26b%3Dc');
  });

  it('accepts only plain cursor tokens', () => {
    expect(isActivityCursor('123')).toBe(true);
    expect(isActivityCursor('abc_DEF-9')).toBe(true);
    for (const bad of ['', '1&limit=100', '../x', 'x'.repeat(129), 12, null, undefined]) expect(isActivityCursor(bad)).toBe(false);
  });

  it('marks failed attempts', () => {
    expect(['signin.failed', '2fa.failed', 'reauth.failed', 'signin.refused_locked'].map((kind) => isFailedAttempt({ kind }))).toEqual([true, true, true, true]);
    expect(['signin.succeeded', 'password.changed', 'api_key.new_ip'].map((kind) => isFailedAttempt({ kind }))).toEqual([false, false, false]);
  });
});
