import { describe, expect, it } from 'vitest';
import { isPastSessionLifetime, SESSION_MAX_AGE_SECONDS, sessionTtl } from './session-lifetime.ts';

const now = 1_800_000_000;

describe('session lifetime', () => {
  it('stores a session only until 14 days after its sign-in, however recently it was saved', () => {
    expect(sessionTtl(now, false, 1800, now)).toBe(SESSION_MAX_AGE_SECONDS);
    expect(sessionTtl(now - 10 * 86400, false, 1800, now)).toBe(4 * 86400);
    expect(sessionTtl(undefined, false, 1800, now)).toBe(SESSION_MAX_AGE_SECONDS); // nobody signed in yet
  });

  it('keeps a session past the bound only for the sign-in that renews it', () => {
    const stale = now - SESSION_MAX_AGE_SECONDS;
    expect(sessionTtl(stale, false, 1800, now)).toBe(1);
    expect(sessionTtl(stale, true, 1800, now)).toBe(1800);
  });

  it('is past the bound at 14 days, and without a sign-in time', () => {
    expect(isPastSessionLifetime(now - SESSION_MAX_AGE_SECONDS + 1, now)).toBe(false);
    expect(isPastSessionLifetime(now - SESSION_MAX_AGE_SECONDS, now)).toBe(true);
    expect(isPastSessionLifetime(undefined, now)).toBe(true);
  });
});
