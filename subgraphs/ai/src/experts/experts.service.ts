import { pageSize } from '@traveloure/platform';
import type { AiContext } from '../context.ts';
import type { ExpertRow } from '../db/database.ts';
import { findExperts } from '../db/experts.repository.ts';

/** Experts by destination (IATA code) and specialty, best rated first, up to `first` (20 by default). */
export function listExperts(
  deps: Pick<AiContext, 'services'>,
  filter: { destinationCode?: string | null; specialty?: string | null; first?: number | null },
): Promise<ExpertRow[]> {
  return findExperts(deps.services.db, {
    destinationCode: filter.destinationCode,
    specialty: filter.specialty,
    limit: pageSize(filter.first, 20),
  });
}
