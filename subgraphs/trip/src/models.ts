/** What resolvers pass around for each GraphQL type (codegen mappers, see ../codegen.json). */
import type { Connection } from '@traveloure/platform';
import type { DestinationRow, ItemRow, TripRow, UserRow } from './db/database.ts';
import type { PopularityRow } from './db/popularity.repository.ts';

export type UserModel = UserRow;
export type DestinationModel = DestinationRow;
export type TripModel = TripRow;
export type ItemModel = ItemRow;
export type PopularityModel = PopularityRow;
/** totalCount may be a function: it is counted only when a client asks for it. */
export type TripConnectionModel = Connection<TripRow>;
