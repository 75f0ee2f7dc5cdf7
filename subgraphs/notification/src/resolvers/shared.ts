import { requireSelf, type Viewer } from '@traveloure/platform';
import type { Context } from '../context.ts';

/** Inbox and preferences are private: only the user themselves sees them. */
export const requireInboxOwner = (context: Context, userId: string): Viewer =>
  requireSelf(context, userId, 'Only the user themselves can see their notifications.');

export const toIso = (value: Date | string) => new Date(value).toISOString();
