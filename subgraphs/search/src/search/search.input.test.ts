import { describe, expect, it } from 'vitest';
import { GraphQLError } from 'graphql';
import { flightSearchInput, type FlightSearchRules } from '../flights/flights.input.ts';
import { hotelSearchInput } from '../hotels/hotels.input.ts';
import { MAX_DAYS_AHEAD, addDays, parseSearchInput, searchableDates } from './search.input.ts';

const today = '2026-06-15';

/** The search inputs as the resolvers check them, at `path` (the argument's) and on `today`. */
const parseFlightSearch = (input: unknown, options: FlightSearchRules & { path?: string[] }) =>
  parseSearchInput(flightSearchInput(options), input, options.path);
const parseHotelSearch = (input: unknown, options: { today: string; path?: string[] }) =>
  parseSearchInput(hotelSearchInput(options), input, options.path);

function problems(run: () => unknown) {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(GraphQLError);
    return ((error as GraphQLError).extensions.fields as { field: string[] }[]).map((problem) =>
      problem.field.join('.'),
    );
  }
  throw new Error('expected a validation error');
}

describe('validateFlightSearch', () => {
  it('normalizes codes and fills defaults, so equal searches have equal keys', () => {
    expect(
      parseFlightSearch({ origin: ' nyc', destination: 'Par', departureDate: '2026-07-01' }, { today }),
    ).toEqual({
      origin: 'NYC',
      destination: 'PAR',
      departureDate: '2026-07-01',
      returnDate: null,
      adults: 1,
      travelClass: null,
      nonStop: false,
      maxResults: 10,
      currency: null,
    });
  });

  it('accepts today and the last searchable day, not one more', () => {
    const last = addDays(today, MAX_DAYS_AHEAD);
    expect(
      parseFlightSearch(
        { origin: 'NYC', destination: 'PAR', departureDate: today, returnDate: last },
        { today },
      ).returnDate,
    ).toBe(last);
    expect(
      problems(() =>
        parseFlightSearch({ origin: 'NYC', destination: 'PAR', departureDate: addDays(last, 1) }, { today }),
      ),
    ).toEqual(['input.departureDate']);
  });

  it('names every failing field', () => {
    expect(
      problems(() =>
        parseFlightSearch(
          {
            origin: 'NYC',
            destination: 'nyc',
            departureDate: '2026-02-30',
            adults: 10,
            maxResults: 0,
            currency: 'euro',
          },
          { today },
        ),
      ),
    ).toEqual([
      'input.destination',
      'input.departureDate',
      'input.adults',
      'input.maxResults',
      'input.currency',
    ]);
  });

  it('blames origin, not destination, when the destination is not the client’s (a trip’s)', () => {
    const search = { origin: 'par', destination: 'PAR', departureDate: '2026-07-01' };
    expect(problems(() => parseFlightSearch(search, { today }))).toEqual(['input.destination']);
    expect(
      problems(() => parseFlightSearch(search, { today, path: ['flightOffers'], sameCityField: 'origin' })),
    ).toEqual(['flightOffers.origin']);
  });
});

describe('validateHotelSearch', () => {
  it('wants at least one night and sane guests', () => {
    expect(
      problems(() =>
        parseHotelSearch(
          { cityCode: 'PAR', checkIn: '2026-07-02', checkOut: '2026-07-01', adults: 0 },
          { today },
        ),
      ),
    ).toEqual(['input.checkOut', 'input.adults']);
    expect(
      parseHotelSearch(
        { cityCode: 'par', checkIn: '2026-07-01', checkOut: '2026-07-02', rooms: 9 },
        { today },
      ),
    ).toMatchObject({
      cityCode: 'PAR',
      rooms: 9,
    });
  });

  it('prefixes fields with the given path', () => {
    expect(
      problems(() =>
        parseHotelSearch(
          { cityCode: 'P', checkIn: '2026-07-01', checkOut: '2026-07-02' },
          { today, path: ['hotelOffers'] },
        ),
      ),
    ).toEqual(['hotelOffers.cityCode']);
  });
});

describe('searchableDates', () => {
  it('is false for past trips and trips beyond the horizon', () => {
    expect(searchableDates('2026-06-10', '2026-06-20', today)).toBe(false);
    expect(searchableDates('2026-07-01', '2026-07-05', today)).toBe(true);
    expect(searchableDates(addDays(today, 360), addDays(today, 365), today)).toBe(false);
  });
});

describe('parseSearchInput', () => {
  it('lists cross-field problems in field order, with each message once in the error', () => {
    try {
      parseFlightSearch(
        {
          origin: 'PAR',
          destination: 'par',
          departureDate: '2026-07-02',
          returnDate: '2026-07-01',
          adults: 0,
        },
        { today },
      );
      throw new Error('expected a validation error');
    } catch (error) {
      expect(error).toBeInstanceOf(GraphQLError);
      const { extensions, message } = error as GraphQLError;
      expect(extensions.code).toBe('BAD_USER_INPUT');
      expect(extensions.field).toEqual(['input', 'destination']);
      expect(extensions.fields).toEqual([
        { field: ['input', 'destination'], message: 'destination must differ from origin.', code: 'INVALID' },
        {
          field: ['input', 'returnDate'],
          message: 'returnDate must be on or after departureDate (2026-07-02).',
          code: 'INVALID',
        },
        { field: ['input', 'adults'], message: 'adults must be between 1 and 9; got 0.', code: 'INVALID' },
      ]);
      expect(message).toBe(
        'destination must differ from origin. returnDate must be on or after departureDate (2026-07-02). ' +
          'adults must be between 1 and 9; got 0.',
      );
    }
  });
});
