import { describe, expect, it } from 'vitest';
import { checkPassword, isCommonPassword } from './password-policy.ts';

describe('password policy', () => {
  it('accepts 8 characters and long passphrases without composition rules', () => {
    expect(() => checkPassword('kq7vbnzm', 'ada@example.com')).not.toThrow();
    expect(() => checkPassword('a'.repeat(30) + ' horse battery staple '.repeat(4), 'ada@example.com')).not.toThrow();
  });
  it('refuses short and overlong passwords', () => {
    expect(() => checkPassword('short', 'ada@example.com')).toThrow(/at least 8/);
    expect(() => checkPassword('x'.repeat(257), 'ada@example.com')).toThrow(/at most 256/);
  });
  it('refuses the email and its local part', () => {
    expect(() => checkPassword('ada@example.com', 'ada@example.com')).toThrow(/email/);
    expect(() => checkPassword('my-lovelace-pass', 'lovelace@example.com')).toThrow(/email/);
  });
  it('refuses common and breached passwords, case-insensitively', () => {
    expect(isCommonPassword('password1')).toBe(true);
    expect(isCommonPassword('Password1')).toBe(true);
    expect(isCommonPassword('correct horse battery staple')).toBe(false);
    for (const p of ['12345678', 'iloveyou', 'qwertyuiop', 'baseball']) {
      expect(() => checkPassword(p, 'ada@example.com'), p).toThrow(/most common/);
    }
  });
});
