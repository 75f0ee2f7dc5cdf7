import { describe, expect, it } from 'vitest';
import { parse } from 'graphql';
import { columnsOf, rowsOf, variablesFromQuery } from './analytics.ts';
import { sha256, type PersistedOperation } from './persisted.ts';

const operation = (body: string): PersistedOperation => ({
  id: sha256(body),
  name: 'Op',
  type: 'query',
  body,
});

describe('rowsOf', () => {
  it('flattens a list of objects, nested objects with dotted names and lists as JSON', () => {
    expect(
      rowsOf({ top: [{ destination: { code: 'PAR', geo: { lat: 48.8 } }, tags: ['a', 'b'], count: 3 }] }),
    ).toEqual([{ 'destination.code': 'PAR', 'destination.geo.lat': 48.8, tags: '["a","b"]', count: 3 }]);
  });

  it('takes the nodes of a connection, or the one list of an object', () => {
    expect(
      rowsOf({ trips: { totalCount: 2, edges: [{ node: { id: '1' } }, { node: { id: '2' } }] } }),
    ).toEqual([{ id: '1' }, { id: '2' }]);
    expect(rowsOf({ stats: { total: 4, rows: [{ day: 'x' }] } })).toEqual([{ day: 'x' }]);
    expect(rowsOf({ stats: { total: 4 } })).toEqual([{ total: 4 }]);
  });

  it('has no rows for no data', () => {
    expect(rowsOf(null)).toEqual([]);
    expect(rowsOf({ empty: [] })).toEqual([]);
  });
});

describe('variablesFromQuery', () => {
  const op = operation(
    'query Op($days: Int!, $ratio: Float, $flag: Boolean, $region: Region, $codes: [String!]) { x }',
  );

  it('types parameters by the operation variables', () => {
    const params = new URLSearchParams('days=7&ratio=0.5&flag=true&region=EU_WEST&codes=PAR,LON&format=csv');
    expect(variablesFromQuery(op, params)).toEqual({
      days: 7,
      ratio: 0.5,
      flag: true,
      region: 'EU_WEST',
      codes: ['PAR', 'LON'],
    });
  });

  it('names the parameter that is wrong', () => {
    expect(() => variablesFromQuery(op, new URLSearchParams('days=7.5'))).toThrow('days must be an integer');
    expect(() => variablesFromQuery(op, new URLSearchParams('flag=yes'))).toThrow(
      'flag must be true or false',
    );
    expect(() => variablesFromQuery(op, new URLSearchParams('ratio=abc'))).toThrow('ratio must be a number');
    expect(() => variablesFromQuery(op, new URLSearchParams('days=1&days=2'))).toThrow(
      'days given more than once',
    );
    expect(() => variablesFromQuery(op, new URLSearchParams('drop=1'))).toThrow(
      /unknown parameter "drop"; Op takes days, ratio/,
    );
  });
});

describe('columnsOf', () => {
  const document = parse(`
    query Stats($days: Int) { stats: searchDemand(days: $days) { destinationCode ...Counts geo { lat } } }
    fragment Counts on SearchDemand { searches n: travelers }
  `);

  it('names every selected leaf in document order, even with no rows', () => {
    expect(columnsOf(document, [])).toEqual(['destinationCode', 'searches', 'n', 'geo.lat']);
  });

  it('keeps the columns of a nested object that came back null', () => {
    const rows = rowsOf({ stats: [{ destinationCode: 'PAR', searches: 3, n: 2, geo: null }] });
    expect(columnsOf(document, rows)).toEqual(['destinationCode', 'searches', 'n', 'geo.lat']);
  });

  it('takes a connection’s node fields, and the rows’ own keys when their shape differs', () => {
    expect(columnsOf(parse('{ trips { totalCount edges { node { id title } } } }'), [])).toEqual([
      'id',
      'title',
    ]);
    const stats = parse('{ stats { total rows { day } } }');
    expect(columnsOf(stats, rowsOf({ stats: { total: 1, rows: [{ day: 'x' }] } }))).toEqual(['day']);
  });
});
