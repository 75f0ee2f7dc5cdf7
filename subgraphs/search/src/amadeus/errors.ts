import { GraphQLError } from 'graphql';
import { ErrorCode, UpstreamError, isRetryableStatus } from '@traveloure/platform';
import type { AmadeusErrorBody, AmadeusErrorItem } from './types.ts';

export const UPSTREAM = 'amadeus';

/** Amadeus error codes this client acts on. */
export const AmadeusCode = {
  /** 401: the access token expired or was revoked: refresh once and retry. */
  ACCESS_TOKEN_EXPIRED: '38192',
  /** 400 on hotel list by city: the city has no hotels. */
  NOTHING_FOUND_FOR_CITY: '895',
  /** 400 on hotel offers: no rooms on those dates. */
  NO_ROOMS_AVAILABLE: '3664',
} as const;

/** Amadeus parameter names, as the client knows them in our inputs. */
const parameterFields: Record<string, string> = {
  originLocationCode: 'origin',
  destinationLocationCode: 'destination',
  departureDate: 'departureDate',
  returnDate: 'returnDate',
  adults: 'adults',
  travelClass: 'travelClass',
  nonStop: 'nonStop',
  max: 'maxResults',
  currencyCode: 'currency',
  currency: 'currency',
  cityCode: 'cityCode',
  checkInDate: 'checkIn',
  checkOutDate: 'checkOut',
  roomQuantity: 'rooms',
};

/** A search Amadeus refused as invalid (HTTP 400): the client's to fix, never retried. */
export class AmadeusRequestError extends GraphQLError {
  constructor(
    message: string,
    readonly amadeusCode: string | undefined,
    field: string[] | undefined,
  ) {
    super(message, { extensions: { code: ErrorCode.BAD_USER_INPUT, ...(field ? { field } : {}) } });
    this.name = 'AmadeusRequestError';
  }
}

function asString(value: number | string | undefined): string | undefined {
  return value === undefined || value === null ? undefined : String(value);
}

function asNumber(value: number | string | undefined): number | undefined {
  const parsed = typeof value === 'string' ? Number.parseInt(value, 10) : value;
  return parsed !== undefined && Number.isFinite(parsed) ? parsed : undefined;
}

/** The first error of an Amadeus error body, whichever shape it came in. */
export function firstAmadeusError(body: unknown): AmadeusErrorItem | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const shaped = body as AmadeusErrorBody;
  if (Array.isArray(shaped.errors) && shaped.errors.length > 0) return shaped.errors[0];
  if (shaped.error || shaped.code !== undefined) {
    return { code: shaped.code, title: shaped.title ?? shaped.error, detail: shaped.error_description };
  }
  return undefined;
}

export function amadeusErrorCode(body: unknown): string | undefined {
  return asString(firstAmadeusError(body)?.code);
}

function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/**
 * Maps a failed Amadeus answer to our errors: 400 -> BAD_USER_INPUT with Amadeus' detail and
 * our field name; 408/425/429/5xx -> a retryable UpstreamError (UPSTREAM_UNAVAILABLE once
 * retries run out); anything else (401/403 credentials, 404) -> a non-retryable UpstreamError.
 */
export function mapAmadeusError(
  httpStatus: number,
  body: unknown,
  retryAfter: string | null = null,
): GraphQLError {
  const item = firstAmadeusError(body);
  const status = httpStatus || asNumber(item?.status) || 0;
  const code = asString(item?.code);
  const text = [item?.title, item?.detail].filter(Boolean).join(': ') || `HTTP ${status}`;
  if (status === 400) {
    const parameter = item?.source?.parameter;
    const field = parameter ? ['input', parameterFields[parameter] ?? parameter] : undefined;
    return new AmadeusRequestError(`The flight and hotel provider refused the search: ${text}.`, code, field);
  }
  return new UpstreamError({
    upstream: UPSTREAM,
    detail: `HTTP ${status}${code ? ` code ${code}` : ''}: ${text}`,
    retryable: isRetryableStatus(status),
    status,
    upstreamCode: code,
    retryAfterMs: status === 429 ? retryAfterMs(retryAfter) : undefined,
  });
}
