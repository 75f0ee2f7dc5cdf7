import { badUserInput, requireAnalyticsReader } from '@traveloure/platform';
import type { QueryResolvers } from '../../__generated__/resolvers-types.ts';
import { deliveryStats } from '../../db/notifications.repository.ts';

const DAY_MS = 86_400_000;

export const notificationStats: QueryResolvers['notificationStats'] = async (_parent, args, context) => {
  requireAnalyticsReader(context.identity, 'Notification statistics');
  const days = args.days ?? 7;
  if (!Number.isInteger(days) || days < 1 || days > 365)
    throw badUserInput('"days" must be between 1 and 365.', ['days']);
  const today = new Date(context.app.clock.now());
  const since = new Date(
    Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate()) - (days - 1) * DAY_MS,
  );
  return deliveryStats(context.app.readDb, since);
};
