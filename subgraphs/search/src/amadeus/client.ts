import { UpstreamError, type Logger, type Upstream } from '@traveloure/platform';
import { AmadeusCode, UPSTREAM, amadeusErrorCode, mapAmadeusError } from './errors.ts';
import type {
  AmadeusFlightOffersResponse,
  AmadeusHotelListResponse,
  AmadeusHotelOffersResponse,
  AmadeusTokenResponse,
  FlightOffersParams,
  HotelOffersParams,
  HotelsByCityParams,
} from './types.ts';

/** Waits for a slot of the API's rate (rate-limiter-flexible's RateLimiterQueue fits). */
export interface RequestThrottle {
  removeTokens(tokens: number): Promise<unknown>;
}

export interface AmadeusClientOptions {
  clientId: string;
  clientSecret: string;
  /** Base URL: https://test.api.amadeus.com, https://api.amadeus.com or the emulator. */
  baseUrl: string;
  logger: Logger;
  /** Every API call goes through it (timeout, retry, breaker). */
  upstream: Upstream;
  throttle?: RequestThrottle;
  /** Refresh the token this long before it expires (default 60 s). */
  refreshMarginMs?: number;
  /** Timeout of a token request. */
  tokenTimeoutMs?: number;
  fetch?: typeof fetch;
}

interface RawResponse {
  status: number;
  body: unknown;
  retryAfter: string | null;
}

/**
 * The OAuth2 client-credentials token: cached, refreshed `refreshMarginMs` before it expires,
 * and fetched by exactly one request however many calls need it at the same moment.
 */
export class TokenManager {
  private token?: { value: string; refreshAt: number };
  private pending?: Promise<string>;
  /** Tokens fetched so far (metrics, tests). */
  fetched = 0;

  constructor(
    private readonly fetchToken: () => Promise<{ accessToken: string; expiresInSeconds: number }>,
    private readonly refreshMarginMs: number,
  ) {}

  async get(): Promise<string> {
    if (this.token && Date.now() < this.token.refreshAt) return this.token.value;
    this.pending ??= this.fetchToken()
      .then(({ accessToken, expiresInSeconds }) => {
        this.fetched++;
        const lifetimeMs = expiresInSeconds * 1000;
        // Short-lived tokens (tests) still get used: the margin never exceeds half the lifetime.
        this.token = {
          value: accessToken,
          refreshAt: Date.now() + lifetimeMs - Math.min(this.refreshMarginMs, lifetimeMs / 2),
        };
        return accessToken;
      })
      .finally(() => {
        this.pending = undefined;
      });
    return this.pending;
  }

  /** Forgets `token` (Amadeus said it expired); a newer token fetched meanwhile is kept. */
  invalidate(token: string) {
    if (this.token?.value === token) this.token = undefined;
  }
}

function toQuery(params: object): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null) continue;
    search.set(key, Array.isArray(value) ? value.join(',') : String(value));
  }
  return search.toString();
}

/**
 * A typed Amadeus Self-Service client over fetch. The official SDK has no retry, no 429
 * handling and no shared token refresh; here every call runs through the upstream wrapper
 * and the throttle, and a 401 with code 38192 (token expired) refreshes once and retries.
 */
export function createAmadeusClient(options: AmadeusClientOptions) {
  const doFetch = options.fetch ?? fetch;
  const tokenTimeoutMs = options.tokenTimeoutMs ?? 10_000;

  async function readBody(response: Response): Promise<{ body: unknown; malformed: boolean }> {
    const text = await response.text();
    if (!text) return { body: undefined, malformed: false };
    try {
      return { body: JSON.parse(text) as unknown, malformed: false };
    } catch {
      return { body: text, malformed: true };
    }
  }

  const requestToken = async () => {
    const response = await doFetch(`${options.baseUrl}/v1/security/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: options.clientId,
        client_secret: options.clientSecret,
      }).toString(),
      // Its own timeout: many callers may wait on this one request, none may cancel it.
      signal: AbortSignal.timeout(tokenTimeoutMs),
    });
    const { body, malformed } = await readBody(response);
    if (!response.ok) {
      const error = mapAmadeusError(response.status, body, response.headers.get('retry-after'));
      // A refused credential is our configuration, not the client's input.
      if (error instanceof UpstreamError) throw error;
      throw new UpstreamError({
        upstream: UPSTREAM,
        detail: `token request refused: ${error.message}`,
        retryable: false,
        status: response.status,
      });
    }
    const token = body as AmadeusTokenResponse | undefined;
    if (malformed || !token?.access_token || typeof token.expires_in !== 'number') {
      throw new UpstreamError({
        upstream: UPSTREAM,
        detail: 'malformed token response',
        retryable: true,
        status: response.status,
      });
    }
    options.logger.debug({ expiresIn: token.expires_in }, 'amadeus token refreshed');
    return { accessToken: token.access_token, expiresInSeconds: token.expires_in };
  };

  const tokens = new TokenManager(async () => {
    try {
      return await requestToken();
    } catch (error) {
      if (error instanceof UpstreamError) throw error;
      // Sockets, DNS, our own timeout: transient.
      throw new UpstreamError({
        upstream: UPSTREAM,
        detail: `token request failed: ${error instanceof Error ? error.message : String(error)}`,
        retryable: true,
        cause: error,
      });
    }
  }, options.refreshMarginMs ?? 60_000);

  async function send(path: string, query: string, token: string, signal: AbortSignal): Promise<RawResponse> {
    const response = await doFetch(`${options.baseUrl}${path}?${query}`, {
      headers: { authorization: `Bearer ${token}`, accept: 'application/vnd.amadeus+json, application/json' },
      signal,
    });
    const { body, malformed } = await readBody(response);
    if (malformed) {
      throw new UpstreamError({
        upstream: UPSTREAM,
        detail: `malformed JSON from ${path} (HTTP ${response.status})`,
        retryable: true,
        status: response.status,
      });
    }
    return { status: response.status, body, retryAfter: response.headers.get('retry-after') };
  }

  async function get<T>(path: string, params: object): Promise<T> {
    const query = toQuery(params);
    return options.upstream.call(async (signal) => {
      await options.throttle?.removeTokens(1);
      let token = await tokens.get();
      let response = await send(path, query, token, signal);
      if (response.status === 401 && amadeusErrorCode(response.body) === AmadeusCode.ACCESS_TOKEN_EXPIRED) {
        options.logger.info('amadeus token expired early; refreshing once');
        tokens.invalidate(token);
        token = await tokens.get();
        // The retry is a call like any other: it takes its own slot of the API's rate.
        await options.throttle?.removeTokens(1);
        response = await send(path, query, token, signal);
      }
      if (response.status < 200 || response.status >= 300) {
        throw mapAmadeusError(response.status, response.body, response.retryAfter);
      }
      return response.body as T;
    });
  }

  return {
    tokens,
    /** Flight Offers Search v2. */
    flightOffers: (params: FlightOffersParams) =>
      get<AmadeusFlightOffersResponse>('/v2/shopping/flight-offers', params),
    /** Hotel List by city: the hotel ids the offers search needs. */
    hotelsByCity: (params: HotelsByCityParams) =>
      get<AmadeusHotelListResponse>('/v1/reference-data/locations/hotels/by-city', params),
    /** Hotel Search v3: offers for given hotel ids. */
    hotelOffers: (params: HotelOffersParams) =>
      get<AmadeusHotelOffersResponse>('/v3/shopping/hotel-offers', params),
  };
}

export type AmadeusClient = ReturnType<typeof createAmadeusClient>;
