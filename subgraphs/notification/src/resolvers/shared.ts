import { forbidden, unauthenticated } from '@traveloure/platform';
import type { Context, Viewer } from '../context.ts';

export function requireViewer(context: Context): Viewer {
  if (!context.viewer) throw unauthenticated();
  return context.viewer;
}

/** Inbox and preferences are private: only the user themselves sees them. */
export function requireSelf(context: Context, userId: string): Viewer {
  const viewer = requireViewer(context);
  if (viewer.id !== userId) throw forbidden('Only the user themselves can see their notifications.');
  return viewer;
}

export const toIso = (value: Date | string) => new Date(value).toISOString();
