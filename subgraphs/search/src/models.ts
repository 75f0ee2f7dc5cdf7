/** What providers return and resolvers serve: the GraphQL shapes, provider-neutral. */
export interface Money {
  amount: string;
  currency: string;
}

export interface FlightSegment {
  carrier: string;
  number: string;
  from: string;
  to: string;
  departure: string;
  arrival: string;
  duration: string | null;
}

export interface FlightOffer {
  id: string;
  price: Money;
  validatingCarrier: string | null;
  seatsAvailable: number | null;
  itineraries: { duration: string | null; segments: FlightSegment[] }[];
}

export interface Hotel {
  id: string;
  name: string;
  cityCode: string;
  latitude: number | null;
  longitude: number | null;
  rating: number | null;
}

export interface HotelOffer {
  id: string;
  hotel: Hotel;
  checkIn: string;
  checkOut: string;
  price: Money;
  roomDescription: string | null;
  boardType: string | null;
}

export type TravelClass = 'ECONOMY' | 'PREMIUM_ECONOMY' | 'BUSINESS' | 'FIRST';

/** A validated flight search; also the cache key, so every field is normalized. */
export interface FlightQuery {
  origin: string;
  destination: string;
  departureDate: string;
  returnDate: string | null;
  adults: number;
  travelClass: TravelClass | null;
  nonStop: boolean;
  maxResults: number;
  currency: string | null;
}

export interface HotelQuery {
  cityCode: string;
  checkIn: string;
  checkOut: string;
  adults: number;
  rooms: number;
  maxResults: number;
  currency: string | null;
}

export type ProviderName = 'amadeus' | 'demo';

/** Where offers come from: Amadeus, or the demo provider when no credentials are set. */
export interface SearchProvider {
  readonly name: ProviderName;
  searchFlights(query: FlightQuery): Promise<FlightOffer[]>;
  searchHotels(query: HotelQuery): Promise<HotelOffer[]>;
}

export interface SearchMeta {
  provider: ProviderName;
  cached: boolean;
  stale: boolean;
  fetchedAt: Date;
}

export interface SearchResult<T> {
  offers: T[];
  meta: SearchMeta;
}

/** Cheapest first; ties keep provider order. */
export function byPrice<T extends { price: Money }>(a: T, b: T): number {
  return Number(a.price.amount) - Number(b.price.amount);
}

/** A trip as the gateway hands it over: its key plus the fields `@requires` asks for. */
export interface TripReference {
  id: string;
  destinationCode?: string;
  startDate?: string;
  endDate?: string;
}
