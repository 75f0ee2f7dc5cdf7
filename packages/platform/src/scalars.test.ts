import { describe, expect, it } from 'vitest';
import { dateScalars, isCalendarDate, parseInstant } from './scalars.ts';

describe('Date and DateTime scalars', () => {
  it('knows real calendar days and instants with offsets', () => {
    expect(isCalendarDate('2028-02-29')).toBe(true);
    expect(isCalendarDate('2027-02-29')).toBe(false);
    expect(isCalendarDate('2027-5-1')).toBe(false);
    expect(parseInstant('2027-05-01T10:00:00+02:00')?.toISOString()).toBe('2027-05-01T08:00:00.000Z');
    expect(parseInstant('2027-05-01T10:00:00')).toBeUndefined();
  });

  it('refuses malformed input with BAD_USER_INPUT in strict mode', () => {
    const { Date, DateTime } = dateScalars();
    expect(Date.parseValue('2027-05-01')).toBe('2027-05-01');
    expect(() => Date.parseValue('2027-02-30')).toThrow(/real calendar day/);
    try {
      DateTime.parseValue('yesterday');
      expect.unreachable();
    } catch (error) {
      expect((error as { extensions: { code: string } }).extensions.code).toBe('BAD_USER_INPUT');
    }
    expect((DateTime.parseValue('2027-05-01T08:00:00Z') as globalThis.Date).toISOString()).toBe(
      '2027-05-01T08:00:00.000Z',
    );
  });

  it('lets malformed strings through in lenient mode, for userErrors by field', () => {
    const { Date, DateTime } = dateScalars({ inputs: 'lenient' });
    expect(Date.parseValue('2027-02-30')).toBe('2027-02-30');
    expect(() => Date.parseValue(20270501)).toThrow(/string/);
    expect(Number.isNaN((DateTime.parseValue('yesterday') as globalThis.Date).getTime())).toBe(true);
    expect(() => DateTime.parseValue(42)).toThrow(/string/);
  });

  it('serialises database values and refuses garbage on output', () => {
    const { Date, DateTime } = dateScalars();
    expect(Date.serialize(new globalThis.Date('2027-05-01T00:00:00Z'))).toBe('2027-05-01');
    expect(() => Date.serialize('2027-02-30')).toThrow();
    expect(DateTime.serialize(new globalThis.Date('2027-05-01T08:00:00Z'))).toBe('2027-05-01T08:00:00.000Z');
    expect(() => DateTime.serialize('soon')).toThrow();
  });
});
