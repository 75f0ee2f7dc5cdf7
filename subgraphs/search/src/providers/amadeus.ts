import type { DataCache } from '@traveloure/platform';
import type { AmadeusClient } from '../amadeus/client.ts';
import { AmadeusCode, AmadeusRequestError } from '../amadeus/errors.ts';
import type { AmadeusFlightOffer, AmadeusHotelListItem, AmadeusHotelOffers } from '../amadeus/types.ts';
import { byPrice, type FlightOffer, type HotelOffer, type SearchProvider } from '../models.ts';

/** Hotel Search v3 takes a list of ids; more than this makes slow answers and long URLs. */
const MAX_HOTEL_IDS = 20;

function rating(value: number | string | undefined): number | null {
  const parsed = typeof value === 'string' ? Number.parseInt(value, 10) : value;
  return parsed !== undefined && Number.isInteger(parsed) && parsed >= 1 && parsed <= 5 ? parsed : null;
}

export function toFlightOffer(offer: AmadeusFlightOffer): FlightOffer {
  return {
    id: offer.id,
    price: { amount: offer.price.grandTotal ?? offer.price.total, currency: offer.price.currency },
    validatingCarrier: offer.validatingAirlineCodes?.[0] ?? null,
    seatsAvailable: offer.numberOfBookableSeats ?? null,
    itineraries: offer.itineraries.map((itinerary) => ({
      duration: itinerary.duration ?? null,
      segments: itinerary.segments.map((segment) => ({
        carrier: segment.carrierCode,
        number: segment.number,
        from: segment.departure.iataCode,
        to: segment.arrival.iataCode,
        departure: segment.departure.at,
        arrival: segment.arrival.at,
        duration: segment.duration ?? null,
      })),
    })),
  };
}

export function toHotelOffers(entry: AmadeusHotelOffers, listed?: AmadeusHotelListItem): HotelOffer[] {
  if (!entry.available) return [];
  const hotel = {
    id: entry.hotel.hotelId,
    name: entry.hotel.name,
    cityCode: entry.hotel.cityCode,
    latitude: entry.hotel.latitude ?? listed?.geoCode?.latitude ?? null,
    longitude: entry.hotel.longitude ?? listed?.geoCode?.longitude ?? null,
    rating: rating(entry.hotel.rating ?? listed?.rating),
  };
  return (entry.offers ?? []).map((offer) => ({
    id: offer.id,
    hotel,
    checkIn: offer.checkInDate,
    checkOut: offer.checkOutDate,
    price: { amount: offer.price.total, currency: offer.price.currency },
    roomDescription: offer.room?.description?.text ?? null,
    boardType: offer.boardType ?? null,
  }));
}

function isAmadeusCode(error: unknown, code: string) {
  return error instanceof AmadeusRequestError && error.amadeusCode === code;
}

/**
 * Live offers from Amadeus. Hotels take the real two steps: the city's hotel list (cached for
 * a day, it rarely changes), then Hotel Search v3 for the first ids of that list.
 */
export function createAmadeusProvider(
  client: AmadeusClient,
  hotelLists: DataCache,
  hotelListTtlSeconds: number,
): SearchProvider {
  return {
    name: 'amadeus',

    async searchFlights(query) {
      const response = await client.flightOffers({
        originLocationCode: query.origin,
        destinationLocationCode: query.destination,
        departureDate: query.departureDate,
        returnDate: query.returnDate ?? undefined,
        adults: query.adults,
        travelClass: query.travelClass ?? undefined,
        nonStop: query.nonStop,
        currencyCode: query.currency ?? undefined,
        max: query.maxResults,
      });
      return response.data.map(toFlightOffer).sort(byPrice).slice(0, query.maxResults);
    },

    async searchHotels(query) {
      const { value: hotels } = await hotelLists.get(
        { cityCode: query.cityCode },
        async () => {
          try {
            return (await client.hotelsByCity({ cityCode: query.cityCode })).data;
          } catch (error) {
            if (isAmadeusCode(error, AmadeusCode.NOTHING_FOUND_FOR_CITY)) return [];
            throw error;
          }
        },
        { ttlSeconds: hotelListTtlSeconds },
      );
      if (hotels.length === 0) return [];
      const ids = hotels.slice(0, MAX_HOTEL_IDS).map((hotel) => hotel.hotelId);
      let entries: AmadeusHotelOffers[];
      try {
        entries = (
          await client.hotelOffers({
            hotelIds: ids,
            adults: query.adults,
            checkInDate: query.checkIn,
            checkOutDate: query.checkOut,
            roomQuantity: query.rooms,
            currency: query.currency ?? undefined,
            bestRateOnly: true,
          })
        ).data;
      } catch (error) {
        if (isAmadeusCode(error, AmadeusCode.NO_ROOMS_AVAILABLE)) return [];
        throw error;
      }
      const listed = new Map(hotels.map((hotel) => [hotel.hotelId, hotel]));
      return entries
        .flatMap((entry) => toHotelOffers(entry, listed.get(entry.hotel.hotelId)))
        .sort(byPrice)
        .slice(0, query.maxResults);
    },
  };
}
