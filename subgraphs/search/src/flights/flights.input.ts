import { z } from 'zod';
import { isIataCode } from '@traveloure/platform';
import type { FlightQuery } from '../models.ts';
import {
  countField,
  currencyField,
  iataCodeField,
  isSearchableDate,
  searchDateField,
  todayUtc,
} from '../search/search.input.ts';

export interface FlightSearchRules {
  today?: string;
  /** Which field to blame when origin equals destination: the one the client chose. */
  sameCityField?: 'origin' | 'destination';
}

/** FlightSearchInput (and a trip's flightOffers arguments) as a normalized FlightQuery. */
export function flightSearchInput({
  today = todayUtc(),
  sameCityField = 'destination',
}: FlightSearchRules = {}) {
  return z
    .object({
      origin: iataCodeField('origin', 'city or airport'),
      destination: iataCodeField('destination', 'city or airport'),
      departureDate: searchDateField('departureDate', today),
      returnDate: searchDateField('returnDate', today)
        .nullish()
        .transform((value) => value ?? null),
      adults: countField('adults', 1, 1, 9),
      travelClass: z
        .enum(['ECONOMY', 'PREMIUM_ECONOMY', 'BUSINESS', 'FIRST'])
        .nullish()
        .transform((value) => value ?? null),
      nonStop: z
        .boolean()
        .nullish()
        .transform((value) => value ?? false),
      maxResults: countField('maxResults', 10, 1, 50),
      currency: currencyField('currency'),
    })
    .superRefine((query, ctx) => {
      if (isIataCode(query.origin) && query.origin === query.destination) {
        ctx.addIssue(
          sameCityField === 'origin'
            ? {
                code: 'custom',
                path: ['origin'],
                message: `origin must differ from the destination (${query.destination}).`,
              }
            : { code: 'custom', path: ['destination'], message: 'destination must differ from origin.' },
        );
      }
      if (
        isSearchableDate(query.returnDate, today) &&
        isSearchableDate(query.departureDate, today) &&
        query.returnDate < query.departureDate
      ) {
        ctx.addIssue({
          code: 'custom',
          path: ['returnDate'],
          message: `returnDate must be on or after departureDate (${query.departureDate}).`,
        });
      }
    }) satisfies z.ZodType<FlightQuery>;
}
