import { byPrice, type FlightOffer, type HotelOffer, type SearchProvider } from '../models.ts';
import { addMinutesLocal, isoDuration, nightsBetween, seededRandom } from '@traveloure/platform/seeded';

/** `ZZ` is the industry's placeholder airline code: demo flights are never real ones. */
const DEMO_CARRIER = 'ZZ';
const DEMO_CURRENCY = 'EUR';
const hotelNames = ['Central', 'Riverside', 'Garden', 'Old Town', 'Harbour', 'Park', 'Station', 'Museum'];
const boardTypes = ['ROOM_ONLY', 'BREAKFAST', 'HALF_BOARD'];
const cabinFactor = { ECONOMY: 1, PREMIUM_ECONOMY: 1.6, BUSINESS: 3.5, FIRST: 6 } as const;

/**
 * Deterministic offers for the embedded default (no Amadeus credentials): the same search
 * always gives the same offers, and every result says `provider: "demo"`.
 */
export function createDemoProvider(): SearchProvider {
  return {
    name: 'demo',

    async searchFlights(query) {
      const random = seededRandom('demo-flights', query);
      const legs: [string, string, string][] = [[query.origin, query.destination, query.departureDate]];
      if (query.returnDate) legs.push([query.destination, query.origin, query.returnDate]);
      const currency = query.currency ?? DEMO_CURRENCY;
      const offers: FlightOffer[] = Array.from({ length: Math.min(query.maxResults, 8) }, (_, index) => {
        const stops = query.nonStop ? 0 : Math.floor(random() * 2);
        const itineraries = legs.map(([from, to, date]) => {
          let at = `${date}T${String(6 + Math.floor(random() * 14)).padStart(2, '0')}:${random() < 0.5 ? '00' : '30'}:00`;
          const hops =
            stops === 0
              ? [[from, to]]
              : [
                  [from, 'ZZZ'],
                  ['ZZZ', to],
                ];
          let total = 0;
          const segments = hops.map(([segmentFrom, segmentTo]) => {
            const minutes = 60 + Math.floor(random() * 480);
            const arrival = addMinutesLocal(at, minutes);
            const segment = {
              carrier: DEMO_CARRIER,
              number: String(1000 + Math.floor(random() * 8999)),
              from: segmentFrom!,
              to: segmentTo!,
              departure: at,
              arrival,
              duration: isoDuration(minutes),
            };
            total += minutes + 90;
            at = addMinutesLocal(arrival, 90);
            return segment;
          });
          return { duration: isoDuration(total - 90), segments };
        });
        const perAdult = (120 + random() * 880) * cabinFactor[query.travelClass ?? 'ECONOMY'];
        return {
          id: `demo-${index + 1}`,
          price: { amount: (perAdult * query.adults).toFixed(2), currency },
          validatingCarrier: DEMO_CARRIER,
          seatsAvailable: 1 + Math.floor(random() * 9),
          itineraries,
        };
      });
      return offers.sort(byPrice);
    },

    async searchHotels(query) {
      const nights = nightsBetween(query.checkIn, query.checkOut);
      const currency = query.currency ?? DEMO_CURRENCY;
      const offers: HotelOffer[] = hotelNames.map((name, index) => {
        const hotelRandom = seededRandom('demo-hotel', query.cityCode, index);
        const stayRandom = seededRandom('demo-stay', query, index);
        const perNight = (50 + stayRandom() * 350) * (1 + (query.adults - 1) * 0.2);
        return {
          id: `demo-${query.cityCode}-${index + 1}-${query.checkIn}`,
          hotel: {
            id: `DEMO${query.cityCode}${index + 1}`,
            name: `Demo ${name} Hotel`,
            cityCode: query.cityCode,
            latitude: null,
            longitude: null,
            rating: 2 + Math.floor(hotelRandom() * 4),
          },
          checkIn: query.checkIn,
          checkOut: query.checkOut,
          price: { amount: (perNight * nights * query.rooms).toFixed(2), currency },
          roomDescription: 'Demo room: sample data, not bookable',
          boardType: boardTypes[Math.floor(stayRandom() * boardTypes.length)]!,
        };
      });
      return offers.sort(byPrice).slice(0, query.maxResults);
    },
  };
}
