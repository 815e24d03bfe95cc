import { describe, expect, it } from 'vitest';
import { translator } from '../i18n/translator.ts';
import { describeEvent, type ActivityRow } from './types.ts';

const row = (data: Record<string, unknown>): ActivityRow => ({
  id: 1, at: 0, event: '2fa.trusted_device_revoked', actor: 'acc_1', ip: null, userAgent: null, clientId: null, data,
});
const firefox = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0';

describe('an activity entry names a device in the reader\'s language', () => {
  it('from the stored User-Agent, in English and in French', () => {
    expect(describeEvent(row({ userAgent: firefox }), 'acc_1')).toBe('A remembered device was forgotten (Firefox 128 on Windows 10).');
    expect(describeEvent(row({ userAgent: firefox }), 'acc_1', translator('fr'))).toBe('Un appareil mémorisé a été oublié (Firefox 128 sur Windows 10).');
  });

  it('keeps the English label an entry stored before, and says when there is none', () => {
    expect(describeEvent(row({ device: 'Chrome 120 on Linux' }), 'acc_1', translator('fr'))).toBe('Un appareil mémorisé a été oublié (Chrome 120 on Linux).');
    expect(describeEvent(row({}), 'acc_1')).toBe('A remembered device was forgotten (unknown device).');
  });
});
