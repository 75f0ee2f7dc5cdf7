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

describe('findNulCharacter on deep input', () => {
  it('walks 20,000 levels without overflowing the stack, path included', () => {
    const deep = JSON.parse('{"a":'.repeat(20_000) + '"x\\u0000"' + '}'.repeat(20_000));
    const path = findNulCharacter(deep);
    expect(path).toHaveLength(20_000);
    expect(path?.every((key) => key === 'a')).toBe(true);
    expect(findNulCharacter(JSON.parse('['.repeat(20_000) + '"x"' + ']'.repeat(20_000)))).toBeUndefined();
  });

  it('reports the first NUL in document order, keys before what they hold', () => {
    expect(findNulCharacter({ a: ['ok', 'b\u0000'], 'c\u0000': 'd\u0000' })).toEqual(['a', '1']);
    expect(findNulCharacter({ 'c\u0000': { e: 'd\u0000' } })).toEqual(['c\u0000']);
  });
});
