export type Pace = 'RELAXED' | 'MODERATE' | 'PACKED';
export type Budget = 'BUDGET' | 'MIDRANGE' | 'LUXURY';

export interface PlannerPlace {
  id: string;
  name: string;
  category: string;
  latitude: number;
  longitude: number;
  durationMinutes: number;
  /** Minutes after local midnight. */
  opensMinute: number;
  closesMinute: number;
  /** 0 = Sunday ... 6 = Saturday. */
  closedDays: number[];
  costLevel: number;
  interests: string[];
  description: string | null;
  rank: number;
}

export interface PlanRequest {
  destinationCode: string;
  /** YYYY-MM-DD, local dates at the destination. */
  startDate: string;
  endDate: string;
  travelers: number;
  budget: Budget;
  pace: Pace;
  interests: string[];
}

export interface PlannedActivity {
  title: string;
  description: string;
  /** Place category, or MEAL. */
  category: string;
  kind: 'ACTIVITY' | 'MEAL';
  placeId: string | null;
  /** HH:MM local time. */
  startTime: string;
  durationMinutes: number;
  latitude: number;
  longitude: number;
  /** Whole group, USD. */
  estimatedCost: { amount: string; currency: string };
}

export interface PlannedDay {
  date: string;
  activities: PlannedActivity[];
}

export const paceRange: Record<Pace, { min: number; max: number }> = {
  RELAXED: { min: 2, max: 3 },
  MODERATE: { min: 3, max: 4 },
  PACKED: { min: 5, max: 6 },
};

/** Meal windows (start times, minutes after midnight). */
export const mealWindows = {
  lunch: { earliest: 12 * 60, latest: 14 * 60, durationMinutes: 60 },
  dinner: { earliest: 18 * 60 + 30, latest: 21 * 60, durationMinutes: 90 },
} as const;

export const MAX_TRIP_DAYS = 30;
