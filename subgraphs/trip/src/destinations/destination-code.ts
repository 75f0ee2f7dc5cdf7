/** Destination codes are IATA city codes, matched whatever the case and surrounding space. */
export const normalizeDestinationCode = (code: string): string => code.trim().toUpperCase();
