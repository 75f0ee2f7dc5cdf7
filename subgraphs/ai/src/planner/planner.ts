import { distanceKm, travelMinutes, type Point } from './geo.ts';
import { datesBetween, formatClock, weekday } from './time.ts';
import {
  mealWindows,
  paceRange,
  type Budget,
  type PlanRequest,
  type PlannedActivity,
  type PlannedDay,
  type PlannerPlace,
} from './types.ts';

/** A day's places lie within this distance of the day's first pick... */
export const CLUSTER_RADIUS_KM = 5;
/** ...or within this one when the tight radius cannot fill the day to the pace's minimum. */
export const WIDE_RADIUS_KM = 10;
/** The day starts here (local time) and every visit ends by DAY_END. */
export const DAY_START = 9 * 60;
export const DAY_END = 23 * 60;
/** Permutations are searched exhaustively up to this many places a day (6! = 720). */
const MAX_PERMUTED = 6;

const sightCostPerPerson = [0, 12, 25, 45, 90];
const foodCostPerPerson = [10, 15, 35, 70, 150];
const mealCostByBudget: Record<Budget, number> = { BUDGET: 15, MIDRANGE: 35, LUXURY: 80 };

/**
 * The built-in planner: a deterministic itinerary from the places table.
 *
 * 1. Score sights by the traveler's interests, budget fit and prominence.
 * 2. Spread the trip's sights evenly over the days within the pace's range.
 * 3. For each day, seed with the best unused sight open that weekday and grow a tight cluster
 *    of the nearest good sights within CLUSTER_RADIUS_KM.
 * 4. Order the cluster by exhaustive search for the shortest route whose schedule respects
 *    opening hours and leaves room for lunch and dinner in their windows; drop the farthest
 *    place and retry when no order fits.
 * 5. Put meals at meal time at the nearest fitting restaurant (or a generic meal nearby).
 * No place is used twice; same inputs and same places give the same plan.
 */
export function planItinerary(request: PlanRequest, places: readonly PlannerPlace[]): PlannedDay[] {
  const dates = datesBetween(request.startDate, request.endDate);
  const interests = new Set(
    request.interests.map((interest) => interest.trim().toLowerCase()).filter(Boolean),
  );
  const ordered = [...places].sort(byId);
  const sights = ordered
    .filter((place) => place.category !== 'FOOD')
    .map((place) => ({ place, score: scorePlace(place, interests, request.budget) }))
    .sort((a, b) => b.score - a.score || a.place.rank - b.place.rank || byId(a.place, b.place));
  const foods = ordered.filter((place) => place.category === 'FOOD');
  const used = new Set<string>();
  const centre = centroid(ordered);
  const range = paceRange[request.pace];
  const targets = dayTargets(dates.length, sights.length, range);

  return dates.map((date, dayIndex) => {
    const day = weekday(date);
    const available = sights.filter(({ place }) => !used.has(place.id) && isOpenOn(place, day));
    const plan = planDay(available, targets[dayIndex]!, range.min, interests);
    for (const place of plan.places) used.add(place.id);
    const activities = buildActivities(plan, day, foods, used, request, centre);
    return { date, activities };
  });
}

function byId(a: { id: string }, b: { id: string }) {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function scorePlace(place: PlannerPlace, interests: Set<string>, budget: Budget): number {
  const matches = place.interests.filter((interest) => interests.has(interest)).length;
  let score = matches * 3;
  if (budget === 'BUDGET') score += place.costLevel <= 1 ? 1 : place.costLevel >= 3 ? -3 : 0;
  if (budget === 'MIDRANGE') score += place.costLevel >= 4 ? -1.5 : 0;
  if (budget === 'LUXURY') score += place.costLevel >= 2 ? 0.5 : 0;
  // Prominence breaks near-ties without outweighing a matching interest.
  return score - Math.min(place.rank, 100) * 0.01;
}

/** Sights per day: the trip's supply spread evenly, never above the pace's maximum. */
export function dayTargets(days: number, supply: number, range: { min: number; max: number }): number[] {
  const total = Math.min(supply, days * range.max);
  const base = Math.floor(total / days);
  const extra = total % days;
  return Array.from({ length: days }, (_, index) => Math.min(range.max, base + (index < extra ? 1 : 0)));
}

function isOpenOn(place: PlannerPlace, day: number) {
  return !place.closedDays.includes(day);
}

interface Scored {
  place: PlannerPlace;
  score: number;
}

interface DayPlan {
  places: PlannerPlace[];
  schedule: Schedule;
}

function planDay(available: Scored[], target: number, minimum: number, interests: Set<string>): DayPlan {
  const empty: DayPlan = { places: [], schedule: simulate([]) ?? { visits: [], meals: [], cost: 0 } };
  if (target <= 0) return empty;
  // Seeds in score order; an isolated seed makes a thin day, so later seeds get their chance
  // until one fills the day. The fullest day wins, then the better-scored one.
  let best: { plan: DayPlan; value: number } | undefined;
  const scoreOf = new Map(available.map(({ place, score }) => [place.id, score]));
  const consider = (plan: DayPlan) => {
    const value =
      plan.places.length * 100 + plan.places.reduce((sum, place) => sum + (scoreOf.get(place.id) ?? 0), 0);
    if (!best || value > best.value + 1e-9) best = { plan, value };
    return plan.places.length >= target;
  };
  for (const seed of available.slice(0, 12)) {
    const neighbours = available
      .filter((candidate) => candidate.place.id !== seed.place.id)
      .map((candidate) => ({
        candidate,
        km: distanceKm(seed.place, candidate.place),
        matches: candidate.place.interests.some((interest) => interests.has(interest)),
      }))
      .filter(({ km }) => km <= WIDE_RADIUS_KM)
      // Nearby first; a place matching an interest counts as 2 km nearer.
      .sort(
        (a, b) =>
          a.km - (a.matches ? 2 : 0) - (b.km - (b.matches ? 2 : 0)) ||
          byId(a.candidate.place, b.candidate.place),
      );
    const size = Math.min(target, MAX_PERMUTED) - 1;
    const tight = neighbours.filter(({ km }) => km <= CLUSTER_RADIUS_KM);
    const chosen = tight.length >= Math.min(size, minimum - 1) ? tight : neighbours;
    const pool = chosen.map(({ candidate }) => candidate.place);
    for (let extra = Math.min(size, pool.length); extra >= 0; extra--) {
      let cluster = [seed.place, ...pool.slice(0, extra)];
      let next = extra;
      let found: DayPlan | undefined;
      for (let attempt = 0; attempt < 6 && !found; attempt++) {
        found = bestOrder(cluster);
        if (found) break;
        if (extra === 0 || next >= pool.length) break;
        // Swap the longest visit for the next-nearest place before giving up a slot.
        const longest = cluster.reduce(
          (worst, place, index) =>
            index > 0 && place.durationMinutes > cluster[worst]!.durationMinutes ? index : worst,
          1,
        );
        cluster = [...cluster.slice(0, longest), ...cluster.slice(longest + 1), pool[next++]!];
      }
      if (found) {
        if (consider(found)) return found;
        break;
      }
    }
  }
  return best?.plan ?? empty;
}

interface Visit {
  place: PlannerPlace;
  start: number;
}

interface Meal {
  kind: 'lunch' | 'dinner';
  start: number;
  /** The visit the meal follows (or precedes, for a meal before the first visit). */
  anchor: PlannerPlace | null;
}

interface Schedule {
  visits: Visit[];
  meals: Meal[];
  /** Travel minutes plus a quarter of the idle minutes: what the order search minimises. */
  cost: number;
}

function bestOrder(places: PlannerPlace[]): DayPlan | undefined {
  let best: DayPlan | undefined;
  for (const order of permutations(places)) {
    const schedule = simulate(order);
    if (schedule && (!best || schedule.cost < best.schedule.cost - 1e-9)) best = { places: order, schedule };
  }
  return best;
}

function* permutations<T>(items: T[]): Generator<T[]> {
  if (items.length <= 1) {
    yield [...items];
    return;
  }
  for (let index = 0; index < items.length; index++) {
    const rest = [...items.slice(0, index), ...items.slice(index + 1)];
    for (const tail of permutations(rest)) yield [items[index]!, ...tail];
  }
}

/** Walks the day in the given order; undefined when opening hours or meal windows break. */
function simulate(order: PlannerPlace[]): Schedule | undefined {
  let time = DAY_START;
  let cost = 0;
  let previous: PlannerPlace | null = null;
  const visits: Visit[] = [];
  const meals: Meal[] = [];
  let lunch = false;
  let dinner = false;

  const takeMeal = (kind: 'lunch' | 'dinner', anchor: PlannerPlace | null) => {
    const window = mealWindows[kind];
    const start = Math.max(time, window.earliest);
    if (start > window.latest) return false;
    cost += (start - time) * 0.25;
    meals.push({ kind, start, anchor });
    time = start + window.durationMinutes;
    return true;
  };

  for (const place of order) {
    for (;;) {
      const travel = previous ? travelMinutes(previous, place) : 0;
      const start = Math.max(time + travel, place.opensMinute);
      const end = start + place.durationMinutes;
      if (!lunch && (start >= mealWindows.lunch.earliest || end > mealWindows.lunch.latest)) {
        lunch = true;
        if (!takeMeal('lunch', previous ?? place)) return undefined;
        continue;
      }
      if (!dinner && (start >= mealWindows.dinner.earliest || end > mealWindows.dinner.latest)) {
        dinner = true;
        if (!takeMeal('dinner', previous ?? place)) return undefined;
        continue;
      }
      if (end > place.closesMinute || end > DAY_END) return undefined;
      cost += travel + (start - time - travel) * 0.25;
      visits.push({ place, start });
      time = end;
      previous = place;
      break;
    }
  }
  if (!lunch && !takeMeal('lunch', previous)) return undefined;
  if (!dinner && !takeMeal('dinner', previous)) return undefined;
  return { visits, meals, cost };
}

function buildActivities(
  plan: DayPlan,
  day: number,
  foods: PlannerPlace[],
  used: Set<string>,
  request: PlanRequest,
  centre: Point & { name: string },
): PlannedActivity[] {
  const money = (perPerson: number) => ({
    amount: (perPerson * request.travelers).toFixed(2),
    currency: 'USD',
  });
  const activities: PlannedActivity[] = plan.schedule.visits.map(({ place, start }) => ({
    title: place.name,
    description: place.description ?? describe(place),
    category: place.category,
    kind: 'ACTIVITY',
    placeId: place.id,
    startTime: formatClock(start),
    durationMinutes: place.durationMinutes,
    latitude: place.latitude,
    longitude: place.longitude,
    estimatedCost: money(sightCostPerPerson[place.costLevel] ?? 0),
  }));
  for (const meal of plan.schedule.meals) {
    const window = mealWindows[meal.kind];
    const anchor: Point & { name: string } = meal.anchor ?? centre;
    const restaurant = foods
      .filter(
        (food) =>
          !used.has(food.id) &&
          isOpenOn(food, day) &&
          food.opensMinute <= meal.start &&
          meal.start + window.durationMinutes <= food.closesMinute &&
          distanceKm(anchor, food) <= 2 &&
          (request.budget !== 'BUDGET' || food.costLevel <= 2),
      )
      .sort((a, b) => distanceKm(anchor, a) - distanceKm(anchor, b) || byId(a, b))[0];
    if (restaurant) used.add(restaurant.id);
    const label = meal.kind === 'lunch' ? 'Lunch' : 'Dinner';
    activities.push({
      title: restaurant ? `${label} at ${restaurant.name}` : `${label} near ${anchor.name}`,
      description:
        restaurant?.description ??
        (restaurant ? describe(restaurant) : `A ${meal.kind} break at a local restaurant of your choice.`),
      category: 'MEAL',
      kind: 'MEAL',
      placeId: restaurant?.id ?? null,
      startTime: formatClock(meal.start),
      durationMinutes: window.durationMinutes,
      latitude: (restaurant ?? anchor).latitude,
      longitude: (restaurant ?? anchor).longitude,
      estimatedCost: money(
        restaurant ? (foodCostPerPerson[restaurant.costLevel] ?? 35) : mealCostByBudget[request.budget],
      ),
    });
  }
  return activities.sort((a, b) => a.startTime.localeCompare(b.startTime));
}

function describe(place: PlannerPlace): string {
  const category = place.category.charAt(0) + place.category.slice(1).toLowerCase().replaceAll('_', ' ');
  const hours =
    place.durationMinutes >= 60
      ? `about ${Math.round(place.durationMinutes / 30) / 2} h`
      : `${place.durationMinutes} min`;
  return `${category}; plan ${hours}. Open ${formatClock(place.opensMinute)}-${formatClock(place.closesMinute)}.`;
}

function centroid(places: readonly PlannerPlace[]): Point & { name: string } {
  if (places.length === 0) return { latitude: 0, longitude: 0, name: 'the city centre' };
  const sum = places.reduce(
    (total, place) => ({
      latitude: total.latitude + place.latitude,
      longitude: total.longitude + place.longitude,
    }),
    { latitude: 0, longitude: 0 },
  );
  return {
    latitude: sum.latitude / places.length,
    longitude: sum.longitude / places.length,
    name: 'the city centre',
  };
}
