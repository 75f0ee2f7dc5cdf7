import { describe, expect, it } from 'vitest';
import { findNulCharacter } from './nul-characters.ts';

describe('findNulCharacter', () => {
  it('finds the path of the first NUL in nested variables', () => {
    expect(findNulCharacter({ input: { title: 'Paris', tags: ['a', 'b\u0000'] } })).toEqual([
      'input',
      'tags',
      '1',
    ]);
    expect(findNulCharacter({ id: '\u0000' })).toEqual(['id']);
    expect(findNulCharacter({ input: { 'ke\u0000y': 1 } })).toEqual(['input', 'ke\u0000y']);
  });

  it('passes everything else, including other control characters', () => {
    expect(
      findNulCharacter({ input: { title: 'Tab\there, new\nline, \u0001', count: 3, on: true, none: null } }),
    ).toBeUndefined();
    expect(findNulCharacter(undefined)).toBeUndefined();
  });
});
