import { z } from 'zod';

/** What the LLM must answer for an itinerary; checked with zod before anything is kept. */
export const llmActivitySchema = z.strictObject({
  title: z.string().min(1).max(200),
  description: z.string().max(1000),
  category: z.string().min(1).max(40),
  kind: z.enum(['ACTIVITY', 'MEAL']),
  startTime: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM'),
  durationMinutes: z.number().int().min(10).max(720),
  latitude: z.number().min(-90).max(90),
  longitude: z.number().min(-180).max(180),
  estimatedCostUsd: z.number().min(0).max(100_000),
});

export const llmItinerarySchema = z.strictObject({
  days: z
    .array(
      z.strictObject({
        date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD'),
        activities: z.array(llmActivitySchema).min(1).max(12),
      }),
    )
    .min(1)
    .max(31),
});

export type LlmItinerary = z.infer<typeof llmItinerarySchema>;

/**
 * The JSON schema sent as `response_format` (strict mode: every property required, no extras).
 * Written out rather than generated so it stays within the subset strict mode accepts.
 */
export const itineraryJsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['days'],
  properties: {
    days: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['date', 'activities'],
        properties: {
          date: { type: 'string', description: 'YYYY-MM-DD' },
          activities: {
            type: 'array',
            items: {
              type: 'object',
              additionalProperties: false,
              required: [
                'title',
                'description',
                'category',
                'kind',
                'startTime',
                'durationMinutes',
                'latitude',
                'longitude',
                'estimatedCostUsd',
              ],
              properties: {
                title: { type: 'string' },
                description: { type: 'string' },
                category: {
                  type: 'string',
                  description: 'Place category, e.g. MUSEUM, PARK; MEAL for meals',
                },
                kind: { type: 'string', enum: ['ACTIVITY', 'MEAL'] },
                startTime: { type: 'string', description: 'Local time HH:MM (24 h)' },
                durationMinutes: { type: 'integer' },
                latitude: { type: 'number' },
                longitude: { type: 'number' },
                estimatedCostUsd: { type: 'number', description: 'For the whole group' },
              },
            },
          },
        },
      },
    },
  },
} as const;
