import { describe, expect, it } from 'vitest';
import type { DeviceSummary } from '../../shared/account-api.ts';
import { describeDevice, detectNewDevices } from './new-devices.ts';

const device = (id: string, current = false): DeviceSummary => ({
  id,
  browser: 'Firefox 140',
  os: 'Linux',
  ip: '203.0.113.7',
  firstSeenAt: '2026-11-01T00:00:00.000Z',
  lastSeenAt: '2026-11-02T00:00:00.000Z',
  current,
  apps: [],
});

describe('detectNewDevices', () => {
  it('reports devices whose ids were not seen last time', () => {
    expect(detectNewDevices(['a', 'b'], [device('a', true), device('b'), device('c')]).map((d) => d.id)).toEqual(['c']);
  });

  it('reports nothing on the first refresh (no previous list)', () => {
    expect(detectNewDevices(null, [device('a'), device('b')])).toEqual([]);
  });

  it('never reports the device this browser is on', () => {
    expect(detectNewDevices([], [device('me', true)])).toEqual([]);
  });

  it('ignores devices that went away', () => {
    expect(detectNewDevices(['a', 'gone'], [device('a')])).toEqual([]);
  });

  it('describes a device for the notification', () => {
    expect(describeDevice(device('a'))).toBe('Firefox 140 on Linux (203.0.113.7)');
  });
});
