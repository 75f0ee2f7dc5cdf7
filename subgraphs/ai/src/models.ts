import type { ConversationRow, ExpertRow, MessageRow } from './db/database.ts';
import type { PlannedDay } from './planner/types.ts';

/** A suggestion as resolvers see it (and as the response cache stores it: plain JSON). */
export interface SuggestionModel {
  id: string;
  source: 'LLM' | 'PLANNER';
  model: string | null;
  destinationCode: string;
  days: PlannedDay[];
  generatedAt: string;
}

/** The fields of a Trip this subgraph gets from the trip subgraph (@requires), or just its id. */
export interface TripModel {
  id: string;
  destinationCode?: string;
  startDate?: string;
  endDate?: string;
  pace?: 'RELAXED' | 'MODERATE' | 'PACKED';
  budget?: 'BUDGET' | 'MIDRANGE' | 'LUXURY';
  travelers?: number;
}

export type ExpertModel = ExpertRow;
export type ConversationModel = ConversationRow;
export type MessageModel = MessageRow;
