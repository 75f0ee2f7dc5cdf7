import { requireViewer, withUserErrors } from '@traveloure/platform';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import * as trips from '../../trips/trips.service.ts';

export const createTrip: MutationResolvers['createTrip'] = (_parent, { input }, context) => {
  const viewer = requireViewer(context);
  return withUserErrors(async () => ({ trip: await trips.createTrip(context, viewer, input) }), {
    trip: null,
  });
};
