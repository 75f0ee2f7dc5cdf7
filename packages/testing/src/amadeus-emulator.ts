/**
 * An Amadeus Self-Service emulator: a real HTTP server on loopback speaking the paths, shapes
 * and error format of the APIs the search subgraph uses (OAuth2 client credentials, Flight
 * Offers Search v2, Hotel List by city, Hotel Search v3). Tests tell it to fail: HTTP 500 or
 * 429, slow answers, malformed JSON, expired tokens. Answers are deterministic per query.
 */
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { addMinutesLocal, isoDuration, nightsBetween, seededRandom } from '@traveloure/platform/seeded';

export type Fault =
  | { kind: 'status'; status: 500 | 502 | 503 | 429; retryAfterSeconds?: number }
  | { kind: 'slow'; delayMs: number }
  | { kind: 'malformed' }
  | { kind: 'expired-token' };

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  authorization?: string;
}

export interface AmadeusEmulatorOptions {
  clientId?: string;
  clientSecret?: string;
  /** Seconds a token lives (Amadeus: 1799). */
  tokenExpiresIn?: number;
  /** When set, API calls beyond this many per second answer 429 (as the test host does at 10). */
  rateLimitPerSecond?: number;
}

export interface AmadeusEmulator {
  /** Base URL to pass as AMADEUS_HOST. */
  url: string;
  clientId: string;
  clientSecret: string;
  requests: RecordedRequest[];
  /** Requests to paths starting with `prefix`. */
  count(prefix: string): number;
  tokensIssued(): number;
  /** The next `times` API calls (not token calls) suffer `fault`. */
  failNext(times: number, fault: Fault): void;
  /** Every API call suffers `fault` until cleared with undefined. */
  setFault(fault: Fault | undefined): void;
  /** Revokes every token issued so far: the next call with one gets 401 code 38192. */
  expireTokens(): void;
  /** Delay token answers (to make concurrent callers overlap). */
  setTokenDelay(ms: number): void;
  setTokenExpiresIn(seconds: number): void;
  reset(): void;
  close(): Promise<void>;
}

const cityAirports: Record<string, string> = {
  NYC: 'JFK',
  PAR: 'CDG',
  LON: 'LHR',
  TYO: 'HND',
  ROM: 'FCO',
  BER: 'BER',
};
const cityCountries: Record<string, string> = {
  NYC: 'US',
  PAR: 'FR',
  LON: 'GB',
  TYO: 'JP',
  ROM: 'IT',
  BER: 'DE',
};
const carriers = ['AF', 'BA', 'DL', 'LH', 'UA', 'AZ', 'JL'];
const chains = ['RT', 'HI', 'MC', 'AC', 'BW'];
const hotelWords = ['Grand', 'Central', 'Riverside', 'Garden', 'Royal', 'Park', 'Harbour', 'Old Town'];

const iata = /^[A-Z]{3}$/;
const isoDate = /^\d{4}-\d{2}-\d{2}$/;

function amadeusError(
  status: number,
  code: number,
  title: string,
  detail?: string,
  parameter?: string,
  asStrings = false,
) {
  return {
    errors: [
      {
        status: asStrings ? String(status) : status,
        code: asStrings ? String(code) : code,
        title,
        ...(detail ? { detail } : {}),
        ...(parameter ? { source: { parameter } } : {}),
      },
    ],
  };
}

function flightOffers(query: Record<string, string>) {
  const origin = query.originLocationCode!;
  const destination = query.destinationLocationCode!;
  const adults = Number(query.adults ?? 1);
  const max = Math.min(Number(query.max ?? 250), 250);
  const nonStop = query.nonStop === 'true';
  const currency = query.currencyCode ?? 'EUR';
  const random = seededRandom(
    'flights',
    origin,
    destination,
    query.departureDate,
    query.returnDate,
    query.travelClass,
  );
  const count = Math.min(max, 6);
  const classFactor =
    { ECONOMY: 1, PREMIUM_ECONOMY: 1.6, BUSINESS: 3.5, FIRST: 6 }[query.travelClass ?? 'ECONOMY'] ?? 1;
  const legs = query.returnDate
    ? [
        [origin, destination, query.departureDate!],
        [destination, origin, query.returnDate],
      ]
    : [[origin, destination, query.departureDate!]];
  const data = Array.from({ length: count }, (_, index) => {
    const carrier = carriers[Math.floor(random() * carriers.length)]!;
    const stops = nonStop ? 0 : Math.floor(random() * 2);
    const itineraries = legs.map(([from, to, date]) => {
      let at = `${date}T${String(6 + Math.floor(random() * 14)).padStart(2, '0')}:${random() < 0.5 ? '00' : '30'}:00`;
      const hops =
        stops === 0
          ? [[from, to]]
          : [
              [from, 'AMS'],
              ['AMS', to],
            ];
      let total = 0;
      const segments = hops.map(([segmentFrom, segmentTo], segmentIndex) => {
        const minutes = 60 + Math.floor(random() * 420);
        const arrival = addMinutesLocal(at, minutes);
        const segment = {
          departure: { iataCode: cityAirports[segmentFrom!] ?? segmentFrom, at },
          arrival: { iataCode: cityAirports[segmentTo!] ?? segmentTo, at: arrival },
          carrierCode: carrier,
          number: String(100 + Math.floor(random() * 900)),
          aircraft: { code: '320' },
          operating: { carrierCode: carrier },
          duration: isoDuration(minutes),
          id: String(segmentIndex + 1),
          numberOfStops: 0,
          blacklistedInEU: false,
        };
        total += minutes + 75;
        at = addMinutesLocal(arrival, 75);
        return segment;
      });
      return { duration: isoDuration(total - 75), segments };
    });
    const perAdult = Math.round((150 + random() * 900) * classFactor * 100) / 100;
    const total = (perAdult * adults).toFixed(2);
    return {
      type: 'flight-offer',
      id: String(index + 1),
      source: 'GDS',
      instantTicketingRequired: false,
      nonHomogeneous: false,
      oneWay: false,
      lastTicketingDate: query.departureDate,
      numberOfBookableSeats: 1 + Math.floor(random() * 9),
      itineraries,
      price: {
        currency,
        total,
        base: (Number(total) * 0.8).toFixed(2),
        fees: [{ amount: '0.00', type: 'SUPPLIER' }],
        grandTotal: total,
      },
      pricingOptions: { fareType: ['PUBLISHED'], includedCheckedBagsOnly: true },
      validatingAirlineCodes: [carrier],
      travelerPricings: Array.from({ length: adults }, (_, traveler) => ({
        travelerId: String(traveler + 1),
        fareOption: 'STANDARD',
        travelerType: 'ADULT',
        price: { currency, total: perAdult.toFixed(2), base: (perAdult * 0.8).toFixed(2) },
      })),
    };
  });
  return {
    meta: { count: data.length },
    data,
    dictionaries: { carriers: Object.fromEntries(carriers.map((c) => [c, c])) },
  };
}

function hotelsInCity(cityCode: string) {
  const random = seededRandom('hotels', cityCode);
  const count = 8;
  const baseLat = 48.85 + (cityCode.charCodeAt(0) - 78) * 0.7;
  const baseLon = 2.35 + (cityCode.charCodeAt(1) - 65) * 0.9;
  return Array.from({ length: count }, (_, index) => {
    const chain = chains[index % chains.length]!;
    return {
      chainCode: chain,
      iataCode: cityCode,
      dupeId: 700000000 + index,
      name: `${hotelWords[Math.floor(random() * hotelWords.length)]} Hotel ${cityCode} ${index + 1}`.toUpperCase(),
      hotelId: `${chain}${cityCode}${String(index + 1).padStart(3, '0')}`,
      geoCode: {
        latitude: Number((baseLat + random() * 0.05).toFixed(5)),
        longitude: Number((baseLon + random() * 0.05).toFixed(5)),
      },
      address: { countryCode: cityCountries[cityCode] ?? 'XX' },
      rating: String(2 + Math.floor(random() * 4)),
      lastUpdate: '2026-01-01T00:00:00',
    };
  });
}

function hotelOffers(query: Record<string, string>) {
  const ids = (query.hotelIds ?? '').split(',').filter(Boolean);
  const adults = Number(query.adults ?? 1);
  const rooms = Number(query.roomQuantity ?? 1);
  const currency = query.currency ?? 'EUR';
  const checkIn = query.checkInDate!;
  const checkOut = query.checkOutDate!;
  const data = ids.flatMap((hotelId) => {
    const cityCode = hotelId.slice(2, 5);
    const hotel = hotelsInCity(cityCode).find((candidate) => candidate.hotelId === hotelId);
    if (!hotel) return [];
    const random = seededRandom('hotel-offer', hotelId, checkIn, checkOut, adults, rooms);
    // Some hotels have no rooms on the dates: Amadeus leaves them out.
    if (random() < 0.15) return [];
    const perNight = Math.round((60 + random() * 340) * (1 + (adults - 1) * 0.2) * 100) / 100;
    const total = (perNight * nightsBetween(checkIn, checkOut) * rooms).toFixed(2);
    return [
      {
        type: 'hotel-offers',
        hotel: {
          type: 'hotel',
          hotelId,
          chainCode: hotel.chainCode,
          dupeId: String(hotel.dupeId),
          name: hotel.name,
          cityCode,
          latitude: hotel.geoCode.latitude,
          longitude: hotel.geoCode.longitude,
        },
        available: true,
        offers: [
          {
            id: createHash('sha1')
              .update(`${hotelId}${checkIn}${checkOut}${adults}${rooms}`)
              .digest('hex')
              .slice(0, 10)
              .toUpperCase(),
            checkInDate: checkIn,
            checkOutDate: checkOut,
            rateCode: 'RAC',
            room: {
              type: 'A1K',
              typeEstimated: {
                category: 'STANDARD_ROOM',
                beds: 1,
                bedType: random() < 0.5 ? 'KING' : 'DOUBLE',
              },
              description: { text: 'Standard room, free wifi, non-smoking', lang: 'EN' },
            },
            guests: { adults },
            price: { currency, base: (Number(total) * 0.9).toFixed(2), total },
            boardType: random() < 0.5 ? 'ROOM_ONLY' : 'BREAKFAST',
            policies: { paymentType: 'guarantee', cancellation: { type: 'FULL_STAY' } },
          },
        ],
        self: `https://test.api.amadeus.com/v3/shopping/hotel-offers?hotelIds=${hotelId}`,
      },
    ];
  });
  return { data };
}

function validateFlightQuery(query: Record<string, string>) {
  for (const [parameter, value] of [
    ['originLocationCode', query.originLocationCode],
    ['destinationLocationCode', query.destinationLocationCode],
  ] as const) {
    if (!value || !iata.test(value)) {
      return amadeusError(400, 477, 'INVALID FORMAT', `${parameter} must be a 3-letter IATA code`, parameter);
    }
  }
  if (!query.departureDate || !isoDate.test(query.departureDate)) {
    return amadeusError(400, 477, 'INVALID FORMAT', 'departureDate must be YYYY-MM-DD', 'departureDate');
  }
  if (query.departureDate < new Date().toISOString().slice(0, 10)) {
    return amadeusError(400, 425, 'INVALID DATE', 'Date/Time is in the past', 'departureDate');
  }
  const adults = Number(query.adults);
  if (!Number.isInteger(adults) || adults < 1 || adults > 9) {
    return amadeusError(400, 32171, 'MANDATORY DATA MISSING', 'adults must be between 1 and 9', 'adults');
  }
  return undefined;
}

export async function startAmadeusEmulator(options: AmadeusEmulatorOptions = {}): Promise<AmadeusEmulator> {
  const clientId = options.clientId ?? 'emulator-client-id';
  const clientSecret = options.clientSecret ?? 'emulator-client-secret';
  let tokenExpiresIn = options.tokenExpiresIn ?? 1799;
  let tokenDelayMs = 0;
  const tokens = new Map<string, { expiresAt: number; revoked: boolean }>();
  const requests: RecordedRequest[] = [];
  let queuedFaults: Fault[] = [];
  let standingFault: Fault | undefined;
  let windowStart = 0;
  let windowCount = 0;

  const send = (
    res: http.ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ) => {
    const payload = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/vnd.amadeus+json', ...headers });
    res.end(payload);
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://emulator');
    const query = Object.fromEntries(url.searchParams);
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on(
      'end',
      () => void handle().catch(() => send(res, 500, amadeusError(500, 141, 'SYSTEM ERROR HAS OCCURRED'))),
    );

    async function handle() {
      requests.push({
        method: req.method ?? 'GET',
        path: url.pathname,
        query,
        authorization: req.headers.authorization,
      });

      if (url.pathname === '/v1/security/oauth2/token') {
        if (req.method !== 'POST') return send(res, 405, amadeusError(405, 4, 'Method not allowed'));
        const form = new URLSearchParams(body);
        if (form.get('grant_type') !== 'client_credentials') {
          return send(res, 400, {
            error: 'unsupported_grant_type',
            error_description: 'Only client_credentials value is allowed',
            code: 38187,
            title: 'Invalid parameters',
          });
        }
        if (form.get('client_id') !== clientId || form.get('client_secret') !== clientSecret) {
          return send(res, 401, {
            error: 'invalid_client',
            error_description: 'Client credentials are invalid',
            code: 38187,
            title: 'Invalid parameters',
          });
        }
        if (tokenDelayMs) await new Promise((resolve) => setTimeout(resolve, tokenDelayMs));
        const accessToken = randomBytes(16).toString('hex');
        tokens.set(accessToken, { expiresAt: Date.now() + tokenExpiresIn * 1000, revoked: false });
        return send(res, 200, {
          type: 'amadeusOAuth2Token',
          username: 'emulator@traveloure.test',
          application_name: 'traveloure-tests',
          client_id: clientId,
          token_type: 'Bearer',
          access_token: accessToken,
          expires_in: tokenExpiresIn,
          state: 'approved',
          scope: '',
        });
      }

      const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      const token = bearer ? tokens.get(bearer) : undefined;
      if (!token) {
        return send(
          res,
          401,
          amadeusError(
            401,
            38191,
            'Invalid access token',
            'The access token provided in the Authorization header is invalid',
          ),
        );
      }
      const fault = queuedFaults.shift() ?? standingFault;
      if (fault?.kind === 'expired-token') token.revoked = true;
      if (token.revoked || Date.now() >= token.expiresAt) {
        return send(
          res,
          401,
          amadeusError(
            401,
            38192,
            'Access token expired',
            'The access token provided in the Authorization header is expired or revoked',
          ),
        );
      }
      if (options.rateLimitPerSecond) {
        const now = Date.now();
        if (now - windowStart >= 1000) {
          windowStart = now;
          windowCount = 0;
        }
        if (++windowCount > options.rateLimitPerSecond) {
          return send(
            res,
            429,
            amadeusError(
              429,
              38194,
              'Too many requests',
              'The network rate limit is exceeded, please try again later',
            ),
          );
        }
      }
      if (fault?.kind === 'status') {
        const headers: Record<string, string> =
          fault.retryAfterSeconds !== undefined ? { 'retry-after': String(fault.retryAfterSeconds) } : {};
        return fault.status === 429
          ? send(
              res,
              429,
              amadeusError(
                429,
                38194,
                'Too many requests',
                'The network rate limit is exceeded, please try again later',
              ),
              headers,
            )
          : send(res, fault.status, amadeusError(fault.status, 141, 'SYSTEM ERROR HAS OCCURRED'), headers);
      }
      if (fault?.kind === 'slow') await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
      if (fault?.kind === 'malformed') return send(res, 200, '{"data": [{"type": "flight-offer", "id": ');

      if (url.pathname === '/v2/shopping/flight-offers' && req.method === 'GET') {
        const invalid = validateFlightQuery(query);
        return invalid ? send(res, 400, invalid) : send(res, 200, flightOffers(query));
      }
      if (url.pathname === '/v1/reference-data/locations/hotels/by-city' && req.method === 'GET') {
        // This API sends status and code as strings in its errors.
        if (!query.cityCode || !iata.test(query.cityCode)) {
          return send(
            res,
            400,
            amadeusError(
              400,
              477,
              'INVALID FORMAT',
              'cityCode must be a 3-letter IATA code',
              'cityCode',
              true,
            ),
          );
        }
        // Cities starting with Q have no hotels (to exercise the empty path).
        const data = query.cityCode.startsWith('Q') ? [] : hotelsInCity(query.cityCode);
        return send(res, 200, { data, meta: { count: data.length } });
      }
      if (url.pathname === '/v3/shopping/hotel-offers' && req.method === 'GET') {
        if (!query.hotelIds)
          return send(
            res,
            400,
            amadeusError(400, 32171, 'MANDATORY DATA MISSING', 'hotelIds is required', 'hotelIds', true),
          );
        if (!query.checkInDate || query.checkInDate < new Date().toISOString().slice(0, 10)) {
          return send(
            res,
            400,
            amadeusError(400, 425, 'INVALID DATE', 'CHECK-IN DATE IS IN THE PAST', 'checkInDate', true),
          );
        }
        return send(res, 200, hotelOffers(query));
      }
      return send(
        res,
        404,
        amadeusError(404, 38196, 'Resource not found', 'The targeted resource does not exist'),
      );
    }
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    clientId,
    clientSecret,
    requests,
    count: (prefix) => requests.filter((request) => request.path.startsWith(prefix)).length,
    tokensIssued: () => tokens.size,
    failNext: (times, fault) => {
      queuedFaults.push(...Array.from({ length: times }, () => fault));
    },
    setFault: (fault) => {
      standingFault = fault;
    },
    expireTokens: () => {
      for (const token of tokens.values()) token.revoked = true;
    },
    setTokenDelay: (ms) => {
      tokenDelayMs = ms;
    },
    setTokenExpiresIn: (seconds) => {
      tokenExpiresIn = seconds;
    },
    reset: () => {
      requests.length = 0;
      queuedFaults = [];
      standingFault = undefined;
      tokenDelayMs = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
