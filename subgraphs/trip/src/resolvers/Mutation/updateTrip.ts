import { requireViewer, withUserErrors } from '@traveloure/platform';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import * as trips from '../../trips/trips.service.ts';

export const updateTrip: MutationResolvers['updateTrip'] = (_parent, { id, input }, context) => {
  requireViewer(context);
  return withUserErrors(async () => ({ trip: await trips.updateTrip(context, id, input) }), { trip: null });
};
