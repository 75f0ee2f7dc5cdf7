import { tripChanged, tripDeleted } from '@traveloure/platform/events/contracts';
import { isUuid } from '@traveloure/platform';

// ai keeps trips in a uuid column: the contract's trip id (any id) is refined to a uuid here.
const tripId = tripChanged.shape.tripId.refine(isUuid, 'a trip id is a uuid');

/** The payload of `trip.created` and `trip.updated`, as ai reads it. */
export const tripPayload = tripChanged.extend({ tripId });

/** The payload of `trip.deleted`, as ai reads it. */
export const tripDeletedPayload = tripDeleted.extend({ tripId });
