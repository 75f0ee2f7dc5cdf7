import type { DestinationRow } from '../database.ts';

/**
 * Real destinations: IATA city (metropolitan) codes, coordinates of the city centre, IANA time
 * zones. Region: the data region that serves that part of the world (Americas: US_EAST;
 * Europe, Africa and the Middle East: EU_WEST; Asia and Oceania: AP_SOUTH).
 */
type Row = [
  code: string,
  name: string,
  country: string,
  latitude: number,
  longitude: number,
  timezone: string,
];

const americas: Row[] = [
  ['NYC', 'New York', 'United States', 40.7128, -74.006, 'America/New_York'],
  ['WAS', 'Washington', 'United States', 38.9072, -77.0369, 'America/New_York'],
  ['BOS', 'Boston', 'United States', 42.3601, -71.0589, 'America/New_York'],
  ['MIA', 'Miami', 'United States', 25.7617, -80.1918, 'America/New_York'],
  ['CHI', 'Chicago', 'United States', 41.8781, -87.6298, 'America/Chicago'],
  ['MSY', 'New Orleans', 'United States', 29.9511, -90.0715, 'America/Chicago'],
  ['SFO', 'San Francisco', 'United States', 37.7749, -122.4194, 'America/Los_Angeles'],
  ['LAX', 'Los Angeles', 'United States', 34.0522, -118.2437, 'America/Los_Angeles'],
  ['LAS', 'Las Vegas', 'United States', 36.1699, -115.1398, 'America/Los_Angeles'],
  ['SEA', 'Seattle', 'United States', 47.6062, -122.3321, 'America/Los_Angeles'],
  ['HNL', 'Honolulu', 'United States', 21.3069, -157.8583, 'Pacific/Honolulu'],
  ['YTO', 'Toronto', 'Canada', 43.6532, -79.3832, 'America/Toronto'],
  ['YMQ', 'Montreal', 'Canada', 45.5019, -73.5674, 'America/Toronto'],
  ['YVR', 'Vancouver', 'Canada', 49.2827, -123.1207, 'America/Vancouver'],
  ['MEX', 'Mexico City', 'Mexico', 19.4326, -99.1332, 'America/Mexico_City'],
  ['CUN', 'Cancún', 'Mexico', 21.1619, -86.8515, 'America/Cancun'],
  ['HAV', 'Havana', 'Cuba', 23.1136, -82.3666, 'America/Havana'],
  ['BOG', 'Bogotá', 'Colombia', 4.711, -74.0721, 'America/Bogota'],
  ['CTG', 'Cartagena', 'Colombia', 10.391, -75.4794, 'America/Bogota'],
  ['LIM', 'Lima', 'Peru', -12.0464, -77.0428, 'America/Lima'],
  ['CUZ', 'Cusco', 'Peru', -13.5319, -71.9675, 'America/Lima'],
  ['SCL', 'Santiago', 'Chile', -33.4489, -70.6693, 'America/Santiago'],
  ['BUE', 'Buenos Aires', 'Argentina', -34.6037, -58.3816, 'America/Argentina/Buenos_Aires'],
  ['RIO', 'Rio de Janeiro', 'Brazil', -22.9068, -43.1729, 'America/Sao_Paulo'],
  ['SAO', 'São Paulo', 'Brazil', -23.5505, -46.6333, 'America/Sao_Paulo'],
];

const europeAfricaMiddleEast: Row[] = [
  ['PAR', 'Paris', 'France', 48.8566, 2.3522, 'Europe/Paris'],
  ['LON', 'London', 'United Kingdom', 51.5074, -0.1278, 'Europe/London'],
  ['EDI', 'Edinburgh', 'United Kingdom', 55.9533, -3.1883, 'Europe/London'],
  ['DUB', 'Dublin', 'Ireland', 53.3498, -6.2603, 'Europe/Dublin'],
  ['ROM', 'Rome', 'Italy', 41.9028, 12.4964, 'Europe/Rome'],
  ['MIL', 'Milan', 'Italy', 45.4642, 9.19, 'Europe/Rome'],
  ['VCE', 'Venice', 'Italy', 45.4408, 12.3155, 'Europe/Rome'],
  ['FLR', 'Florence', 'Italy', 43.7696, 11.2558, 'Europe/Rome'],
  ['BCN', 'Barcelona', 'Spain', 41.3874, 2.1686, 'Europe/Madrid'],
  ['MAD', 'Madrid', 'Spain', 40.4168, -3.7038, 'Europe/Madrid'],
  ['LIS', 'Lisbon', 'Portugal', 38.7223, -9.1393, 'Europe/Lisbon'],
  ['AMS', 'Amsterdam', 'Netherlands', 52.3676, 4.9041, 'Europe/Amsterdam'],
  ['BER', 'Berlin', 'Germany', 52.52, 13.405, 'Europe/Berlin'],
  ['MUC', 'Munich', 'Germany', 48.1351, 11.582, 'Europe/Berlin'],
  ['ZRH', 'Zurich', 'Switzerland', 47.3769, 8.5417, 'Europe/Zurich'],
  ['VIE', 'Vienna', 'Austria', 48.2082, 16.3738, 'Europe/Vienna'],
  ['PRG', 'Prague', 'Czechia', 50.0755, 14.4378, 'Europe/Prague'],
  ['BUD', 'Budapest', 'Hungary', 47.4979, 19.0402, 'Europe/Budapest'],
  ['CPH', 'Copenhagen', 'Denmark', 55.6761, 12.5683, 'Europe/Copenhagen'],
  ['STO', 'Stockholm', 'Sweden', 59.3293, 18.0686, 'Europe/Stockholm'],
  ['REK', 'Reykjavík', 'Iceland', 64.1466, -21.9426, 'Atlantic/Reykjavik'],
  ['DBV', 'Dubrovnik', 'Croatia', 42.6507, 18.0944, 'Europe/Zagreb'],
  ['ATH', 'Athens', 'Greece', 37.9838, 23.7275, 'Europe/Athens'],
  ['IST', 'Istanbul', 'Türkiye', 41.0082, 28.9784, 'Europe/Istanbul'],
  ['TLV', 'Tel Aviv', 'Israel', 32.0853, 34.7818, 'Asia/Jerusalem'],
  ['DXB', 'Dubai', 'United Arab Emirates', 25.2048, 55.2708, 'Asia/Dubai'],
  ['CAI', 'Cairo', 'Egypt', 30.0444, 31.2357, 'Africa/Cairo'],
  ['RAK', 'Marrakesh', 'Morocco', 31.6295, -7.9811, 'Africa/Casablanca'],
  ['NBO', 'Nairobi', 'Kenya', -1.2921, 36.8219, 'Africa/Nairobi'],
  ['CPT', 'Cape Town', 'South Africa', -33.9249, 18.4241, 'Africa/Johannesburg'],
];

const asiaOceania: Row[] = [
  ['TYO', 'Tokyo', 'Japan', 35.6762, 139.6503, 'Asia/Tokyo'],
  ['OSA', 'Osaka', 'Japan', 34.6937, 135.5023, 'Asia/Tokyo'],
  ['UKY', 'Kyoto', 'Japan', 35.0116, 135.7681, 'Asia/Tokyo'],
  ['SEL', 'Seoul', 'South Korea', 37.5665, 126.978, 'Asia/Seoul'],
  ['BJS', 'Beijing', 'China', 39.9042, 116.4074, 'Asia/Shanghai'],
  ['SHA', 'Shanghai', 'China', 31.2304, 121.4737, 'Asia/Shanghai'],
  ['HKG', 'Hong Kong', 'China', 22.3193, 114.1694, 'Asia/Hong_Kong'],
  ['TPE', 'Taipei', 'Taiwan', 25.033, 121.5654, 'Asia/Taipei'],
  ['MNL', 'Manila', 'Philippines', 14.5995, 120.9842, 'Asia/Manila'],
  ['HAN', 'Hanoi', 'Vietnam', 21.0278, 105.8342, 'Asia/Ho_Chi_Minh'],
  ['SGN', 'Ho Chi Minh City', 'Vietnam', 10.8231, 106.6297, 'Asia/Ho_Chi_Minh'],
  ['BKK', 'Bangkok', 'Thailand', 13.7563, 100.5018, 'Asia/Bangkok'],
  ['HKT', 'Phuket', 'Thailand', 7.8804, 98.3923, 'Asia/Bangkok'],
  ['KUL', 'Kuala Lumpur', 'Malaysia', 3.139, 101.6869, 'Asia/Kuala_Lumpur'],
  ['SIN', 'Singapore', 'Singapore', 1.3521, 103.8198, 'Asia/Singapore'],
  ['DPS', 'Bali (Denpasar)', 'Indonesia', -8.6705, 115.2126, 'Asia/Makassar'],
  ['DEL', 'Delhi', 'India', 28.6139, 77.209, 'Asia/Kolkata'],
  ['BOM', 'Mumbai', 'India', 19.076, 72.8777, 'Asia/Kolkata'],
  ['GOI', 'Goa', 'India', 15.2993, 74.124, 'Asia/Kolkata'],
  ['KTM', 'Kathmandu', 'Nepal', 27.7172, 85.324, 'Asia/Kathmandu'],
  ['CMB', 'Colombo', 'Sri Lanka', 6.9271, 79.8612, 'Asia/Colombo'],
  ['MLE', 'Malé', 'Maldives', 4.1755, 73.5093, 'Indian/Maldives'],
  ['SYD', 'Sydney', 'Australia', -33.8688, 151.2093, 'Australia/Sydney'],
  ['MEL', 'Melbourne', 'Australia', -37.8136, 144.9631, 'Australia/Melbourne'],
  ['AKL', 'Auckland', 'New Zealand', -36.8485, 174.7633, 'Pacific/Auckland'],
  ['ZQN', 'Queenstown', 'New Zealand', -45.0312, 168.6626, 'Pacific/Auckland'],
];

const toRows = (rows: Row[], region: DestinationRow['region']): DestinationRow[] =>
  rows.map(([code, name, country, latitude, longitude, timezone]) => ({
    code,
    name,
    country,
    region,
    latitude,
    longitude,
    timezone,
  }));

export const seedDestinations: DestinationRow[] = [
  ...toRows(americas, 'US_EAST'),
  ...toRows(europeAfricaMiddleEast, 'EU_WEST'),
  ...toRows(asiaOceania, 'AP_SOUTH'),
];
