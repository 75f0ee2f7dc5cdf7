import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import { IATA_CODE_PATTERN } from '@traveloure/platform/policies/iata';
import { parseClock } from '../planner/time.ts';
import { weekdayNames } from '../planner/time.ts';
import type { NewPlace } from './database.ts';

export const placeCategories = [
  'MUSEUM',
  'LANDMARK',
  'PARK',
  'MARKET',
  'NEIGHBORHOOD',
  'VIEWPOINT',
  'RELIGIOUS',
  'SHOPPING',
  'ENTERTAINMENT',
  'ADVENTURE',
  'BEACH',
  'FOOD',
] as const;

/** Interests each category serves; a row's `tags` column adds more. */
const categoryInterests: Record<(typeof placeCategories)[number], string[]> = {
  MUSEUM: ['culture', 'history', 'art'],
  LANDMARK: ['culture', 'history', 'architecture'],
  PARK: ['nature', 'family'],
  MARKET: ['food', 'shopping', 'culture'],
  NEIGHBORHOOD: ['culture', 'architecture'],
  VIEWPOINT: ['viewpoint', 'nature'],
  RELIGIOUS: ['culture', 'history', 'architecture'],
  SHOPPING: ['shopping'],
  ENTERTAINMENT: ['family', 'entertainment'],
  ADVENTURE: ['adventure', 'nature'],
  BEACH: ['beach', 'nature'],
  FOOD: ['food'],
};

const hours = z
  .string()
  .regex(/^\d{2}:\d{2}-\d{2}:\d{2}$/, 'must look like 09:00-18:00')
  .transform((value, context) => {
    const [opens, closes] = value.split('-') as [string, string];
    try {
      return { opens: parseClock(opens), closes: parseClock(closes) };
    } catch (error) {
      // An issue, not a throw: the import reports it with its line, beside the row's other problems.
      context.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  })
  .refine(
    (value) => value.closes > value.opens,
    'must close after it opens (use 23:59 or 24:00 past midnight)',
  );

const list = z.string().transform((value) =>
  value
    .split(';')
    .map((item) => item.trim())
    .filter(Boolean),
);

const rowSchema = z.object({
  destination_code: z.string().regex(IATA_CODE_PATTERN, 'must be a 3-letter IATA city code'),
  name: z.string().trim().min(1).max(200),
  category: z.enum(placeCategories),
  latitude: z.coerce.number().min(-90).max(90),
  longitude: z.coerce.number().min(-180).max(180),
  duration_minutes: z.coerce.number().int().min(15).max(600),
  hours,
  closed_days: list.pipe(z.array(z.enum(weekdayNames))),
  cost_level: z.coerce.number().int().min(0).max(4),
  tags: list.optional().default([]),
  description: z.string().trim().max(1000).optional(),
});

export class PlaceImportError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid places file:\n${problems.map((problem) => `  ${problem}`).join('\n')}`);
    this.name = 'PlaceImportError';
  }
}

/**
 * Parses a places CSV (header: destination_code,name,category,latitude,longitude,
 * duration_minutes,hours,closed_days,cost_level,tags[,description]). Every bad row is reported
 * with its line number; nothing is returned unless the whole file is valid.
 */
export function parsePlacesCsv(text: string): NewPlace[] {
  const records = parse(text, {
    columns: true,
    skip_empty_lines: true,
    trim: true,
    bom: true,
  }) as Record<string, string>[];
  const problems: string[] = [];
  const places: NewPlace[] = [];
  const rankByCity = new Map<string, number>();
  // A place is keyed by destination and name; one upsert statement cannot write a key twice.
  const lineOfPlace = new Map<string, number>();
  records.forEach((record, index) => {
    const line = index + 2;
    const result = rowSchema.safeParse(record);
    if (!result.success) {
      for (const issue of result.error.issues)
        problems.push(`line ${line}: ${issue.path.join('.') || 'row'}: ${issue.message}`);
      return;
    }
    const row = result.data;
    const key = `${row.destination_code}\u0000${row.name}`;
    const earlier = lineOfPlace.get(key);
    if (earlier !== undefined) {
      problems.push(
        `line ${line}: name: ${row.destination_code} "${row.name}" is already on line ${earlier}`,
      );
      return;
    }
    lineOfPlace.set(key, line);
    // Rows come most prominent first within a city; the order is the planner's tie-breaker.
    const rank = (rankByCity.get(row.destination_code) ?? 0) + 1;
    rankByCity.set(row.destination_code, rank);
    places.push({
      destination_code: row.destination_code,
      name: row.name,
      category: row.category,
      latitude: row.latitude,
      longitude: row.longitude,
      duration_minutes: row.duration_minutes,
      opens_minute: row.hours.opens,
      closes_minute: row.hours.closes,
      closed_days: row.closed_days.map((day) => weekdayNames.indexOf(day)),
      cost_level: row.cost_level,
      interests: [
        ...new Set([...categoryInterests[row.category], ...row.tags.map((tag) => tag.toLowerCase())]),
      ],
      description: row.description || null,
      rank,
    });
  });
  if (problems.length > 0) throw new PlaceImportError(problems);
  return places;
}
