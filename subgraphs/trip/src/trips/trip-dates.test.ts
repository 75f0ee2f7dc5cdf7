import { describe, expect, it } from 'vitest';
import { addDays, durationDays, tripWindow, zonedMidnight } from './trip-dates.ts';

describe('durationDays', () => {
  it('adds days across month ends and leap days', () => {
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2027-03-01', -1)).toBe('2027-02-28');
  });

  it('counts both ends, across months and leap days', () => {
    expect(durationDays('2027-05-01', '2027-05-01')).toBe(1);
    expect(durationDays('2028-02-28', '2028-03-01')).toBe(3);
    expect(durationDays('2027-03-27', '2027-03-29')).toBe(3);
  });
});

describe('trip windows in the destination time zone', () => {
  it('starts at local midnight', () => {
    expect(zonedMidnight('2027-01-10', 'Europe/Paris').toISOString()).toBe('2027-01-09T23:00:00.000Z');
    expect(zonedMidnight('2027-07-10', 'Europe/Paris').toISOString()).toBe('2027-07-09T22:00:00.000Z');
    expect(zonedMidnight('2027-07-10', 'America/New_York').toISOString()).toBe('2027-07-10T04:00:00.000Z');
    expect(zonedMidnight('2027-07-10', 'Asia/Kathmandu').toISOString()).toBe('2027-07-09T18:15:00.000Z');
  });

  it('spans a daylight-saving change', () => {
    // Europe/Paris moves to summer time on 2027-03-28.
    const window = tripWindow('2027-03-27', '2027-03-28', 'Europe/Paris');
    expect(window.from.toISOString()).toBe('2027-03-26T23:00:00.000Z');
    expect(window.to.toISOString()).toBe('2027-03-28T22:00:00.000Z');
  });
});
