import { parseInput, requireAnalyticsReader } from '@traveloure/platform';
import type { QueryResolvers } from '../../__generated__/resolvers-types.ts';
import { notificationStatsArguments } from '../../delivery/delivery.input.ts';
import { notificationStats as readNotificationStats } from '../../delivery/delivery.service.ts';

export const notificationStats: QueryResolvers['notificationStats'] = (_parent, args, context) => {
  requireAnalyticsReader(context.identity, 'Notification statistics');
  const { days } = parseInput(notificationStatsArguments, args, []);
  return readNotificationStats(context.services, days);
};
