import { dateScalars } from '@traveloure/platform';
import type { Resolvers } from '../__generated__/resolvers-types.ts';
import { Destination } from './Destination.ts';
import { DestinationPopularity } from './DestinationPopularity.ts';
import { ItineraryItem } from './ItineraryItem.ts';
import { Trip } from './Trip.ts';
import { User } from './User.ts';
import { me } from './Query/me.ts';
import { user } from './Query/user.ts';
import { trip } from './Query/trip.ts';
import { trips } from './Query/trips.ts';
import { destination } from './Query/destination.ts';
import { destinations } from './Query/destinations.ts';
import { destinationPopularity } from './Query/destinationPopularity.ts';
import { createTrip } from './Mutation/createTrip.ts';
import { updateTrip } from './Mutation/updateTrip.ts';
import { deleteTrip } from './Mutation/deleteTrip.ts';
import { addItineraryItem } from './Mutation/addItineraryItem.ts';
import { updateItineraryItem } from './Mutation/updateItineraryItem.ts';
import { removeItineraryItem } from './Mutation/removeItineraryItem.ts';

export const resolvers: Resolvers = {
  ...dateScalars({ inputs: 'lenient' }),
  Query: { me, user, trip, trips, destination, destinations, destinationPopularity },
  Mutation: {
    createTrip,
    updateTrip,
    deleteTrip,
    addItineraryItem,
    updateItineraryItem,
    removeItineraryItem,
  },
  User,
  Destination,
  DestinationPopularity,
  Trip,
  ItineraryItem,
};
