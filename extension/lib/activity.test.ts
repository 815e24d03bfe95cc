import { describe, expect, it } from 'vitest';
import { activityFromDevices } from './activity.ts';

const NOW = Date.parse('2026-06-01T12:00:00Z');
const at = (daysAgo: number) => new Date(NOW - daysAgo * 86_400_000).toISOString();
const device = (id: string, daysAgo: number, current = false) => ({ id, browser: 'Chrome 156', os: 'Linux', ip: '198.51.100.4', firstSeenAt: at(daysAgo), lastSeenAt: at(0), current, apps: [] });

describe('activityFromDevices', () => {
  it('turns each session into a sign-in, newest first, flagging other devices new this week', () => {
    const events = activityFromDevices([device('me', 20, true), device('old', 9), device('new', 1)], NOW);
    expect(events.map((e) => [e.id, e.newDevice, e.current])).toEqual([['new', true, false], ['old', false, false], ['me', false, true]]);
    expect(events[0]).toMatchObject({ kind: 'sign_in', at: at(1), ip: '198.51.100.4' });
  });
});
