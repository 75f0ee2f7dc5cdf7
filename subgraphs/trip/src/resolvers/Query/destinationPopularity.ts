import { forbidden, pageSize } from '@traveloure/platform';
import type { QueryResolvers } from '../../__generated__/resolvers-types.ts';
import { topDestinations } from '../../db/popularity.repository.ts';
import { requireViewer } from '../shared.ts';

const MAX_DAYS = 365;

/** Analysts' view, read from the materialized view on the read pool (never slows the app). */
export const destinationPopularity: QueryResolvers['destinationPopularity'] = async (_parent, args, context) => {
  const viewer = requireViewer(context);
  if (!viewer.analyst && !viewer.admin) throw forbidden('Only analysts and admins can read destination popularity.');
  const days = pageSize(args.days, 30, MAX_DAYS, 'days');
  const limit = pageSize(args.first);
  return topDestinations(context.readDb, { days, limit });
};
