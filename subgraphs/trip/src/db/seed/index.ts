import { sql, type Kysely } from 'kysely';
import type { Logger, ServiceRuntime } from '@traveloure/platform';
import type { TripConfig } from '../../config.ts';
import type { BudgetValue, Database, ItemKindValue, PaceValue, RegionValue } from '../database.ts';
import { upsertDestinations } from '../destinations.repository.ts';
import { assignRegion, provisionUser } from '../users.repository.ts';
import { singleDatabase, tripRegionsOf, type TripRegions } from '../../regions/regions.ts';
import { findTripsByIds } from '../trips.repository.ts';
import { writeTripEvent } from '../../trips/trip-events.ts';
import { addDays, zonedMidnight } from '../../trips/trip-dates.ts';
import { seedDestinations } from './destinations.ts';

/** Demo users, one per region plus an admin; sign in as them with `npm run token -- --user ID`. */
export const demoUsers = [
  { id: 'user-demo-us', name: 'Avery Johnson', email: 'avery.johnson@example.com', region: 'US_EAST' },
  { id: 'user-demo-eu', name: 'Léa Martin', email: 'lea.martin@example.com', region: 'EU_WEST' },
  { id: 'user-demo-ap', name: 'Aarav Sharma', email: 'aarav.sharma@example.com', region: 'AP_SOUTH' },
  { id: 'user-demo-admin', name: 'Morgan Admin', email: 'admin@example.com', region: 'US_EAST' },
] as const satisfies readonly { id: string; name: string; email: string; region: RegionValue }[];

interface DemoItem {
  day: number;
  at: string;
  minutes?: number;
  kind: ItemKindValue;
  title: string;
  location?: string;
  cost?: [string, string];
}

interface DemoTrip {
  id: string;
  userId: (typeof demoUsers)[number]['id'];
  title: string;
  destination: string;
  startsInDays: number;
  days: number;
  travelers: number;
  budget: BudgetValue;
  pace: PaceValue;
  items: DemoItem[];
}

export const demoTrips: DemoTrip[] = [
  {
    id: '5eed0001-0000-4000-8000-000000000000',
    userId: 'user-demo-us',
    title: 'Long weekend in Paris',
    destination: 'PAR',
    startsInDays: 30,
    days: 4,
    travelers: 2,
    budget: 'MIDRANGE',
    pace: 'MODERATE',
    items: [
      {
        day: 0,
        at: '15:00',
        kind: 'LODGING',
        title: 'Check in at Hôtel du Marais',
        location: 'Le Marais',
        cost: ['780.00', 'EUR'],
      },
      {
        day: 0,
        at: '19:30',
        minutes: 120,
        kind: 'MEAL',
        title: 'Dinner at a bistro',
        location: 'Rue de Bretagne',
        cost: ['95.00', 'EUR'],
      },
      {
        day: 1,
        at: '09:30',
        minutes: 180,
        kind: 'ACTIVITY',
        title: 'Louvre Museum',
        location: 'Rue de Rivoli',
        cost: ['44.00', 'EUR'],
      },
      {
        day: 2,
        at: '10:00',
        minutes: 120,
        kind: 'ACTIVITY',
        title: 'Seine river cruise',
        location: 'Port de la Bourdonnais',
      },
    ],
  },
  {
    id: '5eed0002-0000-4000-8000-000000000000',
    userId: 'user-demo-us',
    title: 'Tokyo and food markets',
    destination: 'TYO',
    startsInDays: 75,
    days: 8,
    travelers: 1,
    budget: 'LUXURY',
    pace: 'PACKED',
    items: [
      { day: 0, at: '17:00', kind: 'FLIGHT', title: 'Arrive at Haneda', location: 'HND' },
      {
        day: 1,
        at: '07:00',
        minutes: 120,
        kind: 'MEAL',
        title: 'Breakfast at Toyosu market',
        location: 'Toyosu',
        cost: ['6000', 'JPY'],
      },
      {
        day: 2,
        at: '10:00',
        minutes: 240,
        kind: 'ACTIVITY',
        title: 'teamLab Planets',
        location: 'Toyosu',
        cost: ['3800', 'JPY'],
      },
    ],
  },
  {
    id: '5eed0003-0000-4000-8000-000000000000',
    userId: 'user-demo-eu',
    title: 'New York city break',
    destination: 'NYC',
    startsInDays: 20,
    days: 5,
    travelers: 2,
    budget: 'MIDRANGE',
    pace: 'MODERATE',
    items: [
      {
        day: 0,
        at: '14:00',
        kind: 'LODGING',
        title: 'Hotel in Midtown',
        location: 'Midtown Manhattan',
        cost: ['1450.00', 'USD'],
      },
      {
        day: 1,
        at: '10:00',
        minutes: 180,
        kind: 'ACTIVITY',
        title: 'Metropolitan Museum of Art',
        location: '1000 5th Ave',
        cost: ['60.00', 'USD'],
      },
      {
        day: 2,
        at: '20:00',
        minutes: 150,
        kind: 'ACTIVITY',
        title: 'Broadway show',
        location: 'Theater District',
        cost: ['240.00', 'USD'],
      },
    ],
  },
  {
    id: '5eed0004-0000-4000-8000-000000000000',
    userId: 'user-demo-ap',
    title: 'Sydney harbour and beaches',
    destination: 'SYD',
    startsInDays: 45,
    days: 6,
    travelers: 3,
    budget: 'BUDGET',
    pace: 'RELAXED',
    items: [
      {
        day: 1,
        at: '09:00',
        minutes: 180,
        kind: 'ACTIVITY',
        title: 'Bondi to Coogee coastal walk',
        location: 'Bondi Beach',
      },
      {
        day: 2,
        at: '11:00',
        minutes: 60,
        kind: 'TRANSPORT',
        title: 'Ferry to Manly',
        location: 'Circular Quay',
        cost: ['30.00', 'AUD'],
      },
    ],
  },
];

function itemId(tripId: string, index: number) {
  return `${tripId.slice(0, 24)}${String(index + 1).padStart(12, '0')}`;
}

function todayUtc() {
  return new Date().toISOString().slice(0, 10);
}

/**
 * Idempotent demo data: destinations are upserted, demo users provisioned, demo trips inserted
 * once. A demo trip whose start date has passed is moved forward again (with its items), so the
 * demo always shows upcoming trips. Trip and user events go to the outbox as for real changes.
 */
/** Destinations always (reference data); demo users and trips unless `demo` is false. */
export async function seedTripData(
  databases: Kysely<Database> | TripRegions,
  logger?: Logger,
  options: { demo?: boolean } = {},
) {
  const router = 'home' in databases ? databases : singleDatabase(databases);
  // Destinations are reference data every trip refers to (a foreign key): in every database,
  // and in the home one, which answers destination reads even when it holds no region.
  const everyDatabase = new Set([router.home, ...router.databases.map((database) => database.db)]);
  for (const db of everyDatabase) await upsertDestinations(db, seedDestinations);
  if (options.demo === false) {
    logger?.info({ destinations: seedDestinations.length }, 'trip reference data loaded (no demo data)');
    return;
  }
  for (const user of demoUsers) {
    // Each demo user in their region's database, and in the directory when regions are apart.
    if (!router.single) await assignRegion(router.home, user.id, user.region);
    await provisionUser(router.of(user.region), user, { region: user.region }, { directory: router.single });
  }
  const timezones = new Map(seedDestinations.map((row) => [row.code, row.timezone]));
  const regions = new Map<string, RegionValue>(demoUsers.map((user) => [user.id, user.region]));

  let written = 0;
  for (const demo of demoTrips) {
    const startDate = addDays(todayUtc(), demo.startsInDays);
    const endDate = addDays(startDate, demo.days - 1);
    const region = regions.get(demo.userId)!;
    await router
      .of(region)
      .transaction()
      .execute(async (trx) => {
        // Partitioned tables have no usable xmax, so "inserted or moved forward" takes two statements.
        const inserted = await sql`
        insert into trip.trips
          (id, region, user_id, title, destination_code, start_date, end_date, travelers, budget, pace)
        values (${demo.id}, ${region}, ${demo.userId}, ${demo.title}, ${demo.destination}, ${startDate}, ${endDate},
                ${demo.travelers}, ${demo.budget}, ${demo.pace})
        on conflict (id, region) do nothing
        returning id`.execute(trx);
        const moved =
          inserted.rows.length > 0
            ? undefined
            : await trx
                .updateTable('trip.trips')
                .set({ start_date: startDate, end_date: endDate, updated_at: new Date() })
                .where('id', '=', demo.id)
                .where('region', '=', region)
                .where('start_date', '<', sql<string>`current_date`)
                .returning('id')
                .executeTakeFirst();
        if (inserted.rows.length === 0 && !moved) return;
        written++;
        const timezone = timezones.get(demo.destination)!;
        await trx.deleteFrom('trip.itinerary_items').where('trip_id', '=', demo.id).execute();
        if (demo.items.length > 0) {
          await trx
            .insertInto('trip.itinerary_items')
            .values(
              demo.items.map((item, index) => {
                const [hours, minutes] = item.at.split(':').map(Number) as [number, number];
                const start = new Date(
                  zonedMidnight(addDays(startDate, item.day), timezone).getTime() +
                    (hours * 60 + minutes) * 60_000,
                );
                return {
                  id: itemId(demo.id, index),
                  trip_id: demo.id,
                  trip_region: region,
                  kind: item.kind,
                  title: item.title,
                  start_time: start,
                  end_time: item.minutes ? new Date(start.getTime() + item.minutes * 60_000) : null,
                  location: item.location ?? null,
                  notes: null,
                  cost_amount: item.cost?.[0] ?? null,
                  cost_currency: item.cost?.[1] ?? null,
                };
              }),
            )
            .execute();
        }
        const [trip] = await findTripsByIds(trx, [demo.id], { userId: demo.userId, admin: true });
        await writeTripEvent(trx, inserted.rows.length > 0 ? 'trip.created' : 'trip.updated', trip!);
      });
  }
  logger?.info(
    { destinations: seedDestinations.length, users: demoUsers.length, tripsWritten: written },
    'trip seed data loaded',
  );
}

/**
 * The service's seed step: ServiceDefinition.seed, and what `npm run seed` loads without the
 * rest of the service.
 */
export function seed(runtime: Pick<ServiceRuntime<TripConfig>, 'db' | 'logger' | 'config' | 'regional'>) {
  return seedTripData(tripRegionsOf(runtime.regional, runtime.db), runtime.logger, {
    demo: runtime.config.SEED_DEMO_DATA,
  });
}
