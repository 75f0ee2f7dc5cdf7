/** The parts of the Amadeus Self-Service responses this client reads. */

export interface AmadeusTokenResponse {
  access_token: string;
  token_type: string;
  /** Seconds (1799 on Amadeus). */
  expires_in: number;
  state?: string;
}

/** Amadeus sends `status` and `code` as numbers or as strings, depending on the API. */
export interface AmadeusErrorItem {
  status?: number | string;
  code?: number | string;
  title?: string;
  detail?: string;
  source?: { parameter?: string; pointer?: string; example?: string };
}

export interface AmadeusErrorBody {
  errors?: AmadeusErrorItem[];
  /** The OAuth endpoint uses its own shape. */
  error?: string;
  error_description?: string;
  code?: number | string;
  title?: string;
}

export interface AmadeusPrice {
  currency: string;
  total: string;
  base?: string;
  grandTotal?: string;
}

export interface AmadeusSegment {
  departure: { iataCode: string; terminal?: string; at: string };
  arrival: { iataCode: string; terminal?: string; at: string };
  carrierCode: string;
  number: string;
  duration?: string;
  numberOfStops?: number;
}

export interface AmadeusFlightOffer {
  type: 'flight-offer';
  id: string;
  numberOfBookableSeats?: number;
  itineraries: { duration?: string; segments: AmadeusSegment[] }[];
  price: AmadeusPrice;
  validatingAirlineCodes?: string[];
}

export interface AmadeusFlightOffersResponse {
  meta?: { count?: number };
  data: AmadeusFlightOffer[];
}

export interface AmadeusHotelListItem {
  hotelId: string;
  name: string;
  iataCode: string;
  chainCode?: string;
  geoCode?: { latitude: number; longitude: number };
  rating?: number | string;
}

export interface AmadeusHotelListResponse {
  data: AmadeusHotelListItem[];
}

export interface AmadeusHotelOffer {
  id: string;
  checkInDate: string;
  checkOutDate: string;
  room?: { description?: { text?: string }; typeEstimated?: { category?: string } };
  price: AmadeusPrice;
  boardType?: string;
}

export interface AmadeusHotelOffers {
  type: 'hotel-offers';
  hotel: {
    hotelId: string;
    name: string;
    cityCode: string;
    latitude?: number;
    longitude?: number;
    rating?: number | string;
  };
  available: boolean;
  offers?: AmadeusHotelOffer[];
}

export interface AmadeusHotelOffersResponse {
  data: AmadeusHotelOffers[];
}

export interface FlightOffersParams {
  originLocationCode: string;
  destinationLocationCode: string;
  departureDate: string;
  returnDate?: string;
  adults: number;
  travelClass?: string;
  nonStop?: boolean;
  currencyCode?: string;
  max?: number;
}

export interface HotelsByCityParams {
  cityCode: string;
}

export interface HotelOffersParams {
  hotelIds: string[];
  adults: number;
  checkInDate: string;
  checkOutDate: string;
  roomQuantity?: number;
  currency?: string;
  bestRateOnly?: boolean;
}
