import { z } from 'zod';
import type { HotelQuery } from '../models.ts';
import {
  countField,
  currencyField,
  iataCodeField,
  isSearchableDate,
  searchDateField,
  todayUtc,
} from '../search/search.input.ts';

/** HotelSearchInput (and a trip's hotelOffers arguments) as a normalized HotelQuery. */
export function hotelSearchInput({ today = todayUtc() }: { today?: string } = {}) {
  return z
    .object({
      cityCode: iataCodeField('cityCode', 'city'),
      checkIn: searchDateField('checkIn', today),
      checkOut: searchDateField('checkOut', today),
      adults: countField('adults', 1, 1, 9),
      rooms: countField('rooms', 1, 1, 9),
      maxResults: countField('maxResults', 10, 1, 50),
      currency: currencyField('currency'),
    })
    .superRefine((query, ctx) => {
      if (
        isSearchableDate(query.checkIn, today) &&
        isSearchableDate(query.checkOut, today) &&
        query.checkOut <= query.checkIn
      ) {
        ctx.addIssue({
          code: 'custom',
          path: ['checkOut'],
          message: `checkOut must be after checkIn (${query.checkIn}).`,
        });
      }
    }) satisfies z.ZodType<HotelQuery>;
}
