import { forbidden, unauthenticated } from '../errors.ts';
import type { Viewer } from '../identity.ts';

/** Every subgraph's context carries the signed-in caller, when there is one, as a Viewer. */
export interface ViewerContext {
  viewer?: Viewer;
}

/** The signed-in caller, or UNAUTHENTICATED. */
export function requireViewer(context: ViewerContext): Viewer {
  if (!context.viewer) throw unauthenticated();
  return context.viewer;
}

/** The signed-in caller when they are an admin: UNAUTHENTICATED when anonymous, FORBIDDEN otherwise. */
export function requireAdmin(context: ViewerContext, message = 'Only admins can do this.'): Viewer {
  const viewer = requireViewer(context);
  if (!viewer.admin) throw forbidden(message);
  return viewer;
}

/** The signed-in caller when they are `userId` themselves (private data): FORBIDDEN for anyone else. */
export function requireSelf(
  context: ViewerContext,
  userId: string,
  message = 'Only the user themselves can see this.',
): Viewer {
  const viewer = requireViewer(context);
  if (viewer.id !== userId) throw forbidden(message);
  return viewer;
}

/** The owner or an admin: who may see a user's private fields. */
export function isSelfOrAdmin(viewer: Viewer | undefined, userId: string): boolean {
  return viewer !== undefined && (viewer.id === userId || viewer.admin);
}
