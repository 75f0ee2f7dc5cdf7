const EARTH_RADIUS_KM = 6371.0088;

export interface Point {
  latitude: number;
  longitude: number;
}

/** Great-circle distance in kilometres. */
export function distanceKm(a: Point, b: Point): number {
  const toRad = (degrees: number) => (degrees * Math.PI) / 180;
  const dLat = toRad(b.latitude - a.latitude);
  const dLon = toRad(b.longitude - a.longitude);
  const h =
    Math.sin(dLat / 2) ** 2 +
    Math.cos(toRad(a.latitude)) * Math.cos(toRad(b.latitude)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Total length of a route visiting the points in order. */
export function routeKm(points: readonly Point[]): number {
  let total = 0;
  for (let index = 1; index < points.length; index++) total += distanceKm(points[index - 1]!, points[index]!);
  return total;
}

/**
 * Door-to-door minutes between two places: walking up to 1.5 km, public transport beyond
 * (a fixed wait plus city speed), rounded up to 5 minutes so schedules read naturally.
 */
export function travelMinutes(a: Point, b: Point): number {
  const km = distanceKm(a, b);
  if (km < 0.05) return 0;
  const minutes = km <= 1.5 ? (km / 4.5) * 60 : 10 + (km / 18) * 60;
  return Math.ceil(minutes / 5) * 5;
}
