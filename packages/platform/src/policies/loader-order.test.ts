import { describe, expect, it } from 'vitest';
import DataLoader from 'dataloader';
import { groupedInKeyOrder, inKeyOrder } from './loader-order.ts';

interface Row {
  id: string;
  parent: string;
}

describe('DataLoader ordering', () => {
  const rows: Row[] = [
    { id: 'c', parent: 'p2' },
    { id: 'a', parent: 'p1' },
    { id: 'b', parent: 'p1' },
  ];

  it('inKeyOrder answers one row per key in key order, null for a missing key', () => {
    expect(inKeyOrder(['b', 'zz', 'a', 'c', 'a'], rows, (row) => row.id)).toEqual([
      rows[2],
      null,
      rows[1],
      rows[0],
      rows[1],
    ]);
    expect(
      inKeyOrder(['A', 'B'], rows, (row) => row.id, { normalizeKey: (key) => key.toLowerCase() }),
    ).toEqual([rows[1], rows[2]]);
  });

  it('groupedInKeyOrder answers every row of each key, in row order, and an empty list for none', () => {
    const groups = groupedInKeyOrder(['p2', 'none', 'p1'], rows, (row) => row.parent);
    expect(groups).toEqual([[rows[0]], [], [rows[1], rows[2]]]);
    // Each key gets its own list, even the same key twice.
    const twice = groupedInKeyOrder(['p1', 'p1'], rows, (row) => row.parent);
    twice[0]!.pop();
    expect(twice[1]).toHaveLength(2);
  });

  it('meets the DataLoader contract: one batch, each load gets its own key', async () => {
    const batches: string[][] = [];
    const loader = new DataLoader<string, Row | null>(async (keys) => {
      batches.push([...keys]);
      return inKeyOrder(keys, [...rows].reverse(), (row) => row.id);
    });
    const loaded = await Promise.all(['a', 'missing', 'c'].map((key) => loader.load(key)));
    expect(batches).toEqual([['a', 'missing', 'c']]);
    expect(loaded.map((row) => row?.id ?? null)).toEqual(['a', null, 'c']);
  });
});
