/*
 * A DataLoader batch function must answer one value per key, in key order. SQL returns rows in
 * any order and leaves missing keys out: these put rows back where DataLoader wants them, the
 * same way in every subgraph (`null` for a key without a row).
 */

export interface KeyOrderOptions<K> {
  /**
   * Makes a key and a row's key comparable when the database spells them differently, e.g. a
   * uuid asked for in capitals that PostgreSQL returns in lower case.
   */
  normalizeKey?: (key: K) => unknown;
}

/** One row per key (one-to-one): the row whose key it is, or null. */
export function inKeyOrder<K, R>(
  keys: readonly K[],
  rows: Iterable<R>,
  keyOf: (row: R) => K,
  options: KeyOrderOptions<K> = {},
): (R | null)[] {
  const normalize = options.normalizeKey ?? ((key: K) => key);
  const byKey = new Map<unknown, R>();
  for (const row of rows) byKey.set(normalize(keyOf(row)), row);
  return keys.map((key) => byKey.get(normalize(key)) ?? null);
}

/** Every row of each key (one-to-many), in the order the rows came; an empty list for none. */
export function groupedInKeyOrder<K, R>(
  keys: readonly K[],
  rows: Iterable<R>,
  keyOf: (row: R) => K,
  options: KeyOrderOptions<K> = {},
): R[][] {
  const normalize = options.normalizeKey ?? ((key: K) => key);
  const groups = new Map<unknown, R[]>();
  for (const row of rows) {
    const key = normalize(keyOf(row));
    const group = groups.get(key);
    if (group) group.push(row);
    else groups.set(key, [row]);
  }
  // A fresh array per key: DataLoader hands each to its own caller, who may change it.
  return keys.map((key) => [...(groups.get(normalize(key)) ?? [])]);
}
