import { describe, expect, it } from 'vitest';
import { formatTime } from './dates.ts';
import { translator } from './translator.ts';

describe('formatTime', () => {
  const at = Date.UTC(2026, 11, 2, 6, 40) / 1000;
  it('writes the time in the account\'s zone and the page\'s language', () => {
    expect(formatTime(translator('en'), at, 'Europe/Brussels')).toBe('2 Dec 2026, 07:40 (Europe/Brussels)');
    expect(formatTime(translator('fr'), at, 'Europe/Brussels')).toMatch(/^2 déc\. 2026,? 07:40 \(Europe\/Brussels\)$/);
    expect(formatTime(translator('en'), new Date(at * 1000).toISOString())).toBe('2 Dec 2026, 06:40 (UTC)');
  });
  it('falls back to UTC for a zone it does not know', () => {
    expect(formatTime(translator('en'), at, 'Mars/Olympus')).toBe('2 Dec 2026, 06:40 (UTC)');
  });
});
