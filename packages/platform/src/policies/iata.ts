/** An IATA city or airport code as the API takes it: three capital letters, e.g. PAR or CDG. */
export const IATA_CODE_PATTERN = /^[A-Z]{3}$/;

export function isIataCode(value: unknown): value is string {
  return typeof value === 'string' && IATA_CODE_PATTERN.test(value);
}
