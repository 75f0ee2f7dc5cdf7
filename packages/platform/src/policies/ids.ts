const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Ids are uuids; anything else cannot exist, and must not reach PostgreSQL, where a `::uuid`
 * cast of it fails the whole statement (an internal error instead of a missing row).
 */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && uuidPattern.test(value);
}
