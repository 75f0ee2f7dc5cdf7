import { isSelfOrAdmin, notFound, type Viewer } from '@traveloure/platform';
import type { TripContext } from '../context.ts';
import type { UserRow } from '../db/database.ts';

export async function findSignedInUser(context: TripContext, viewer: Viewer): Promise<UserRow> {
  const user = await context.loaders.userById.load(viewer.id);
  // The context provisioned this user before any resolver ran.
  if (!user) throw new Error(`signed-in user ${viewer.id} was not provisioned`);
  return user;
}

export async function findUser(context: TripContext, id: string): Promise<UserRow> {
  const found = await context.loaders.userById.load(id);
  if (!found) throw notFound('User', id);
  return found;
}

/** Owner or admin: the only people who see a user's private fields. */
export const visibleEmail = (context: TripContext, user: UserRow): string | null =>
  isSelfOrAdmin(context.viewer, user.id) ? user.email : null;
