import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { isUuid } from './ids.ts';
import { isIataCode } from './iata.ts';

describe('id and code checks', () => {
  it('isUuid takes any uuid, in either case, and nothing else', () => {
    const id = randomUUID();
    expect(isUuid(id)).toBe(true);
    expect(isUuid(id.toUpperCase())).toBe(true);
    expect(isUuid('00000000-0000-0000-0000-000000000000')).toBe(true);
    for (const value of [`${id}x`, id.slice(1), id.replaceAll('-', ''), 'user-demo-us', '', 42, null]) {
      expect(isUuid(value), String(value)).toBe(false);
    }
  });

  it('isIataCode takes three capital letters', () => {
    expect(isIataCode('PAR')).toBe(true);
    for (const value of ['par', 'PA', 'PARI', 'P4R', ' PAR', 'ÉTÉ', undefined]) {
      expect(isIataCode(value), String(value)).toBe(false);
    }
  });
});
