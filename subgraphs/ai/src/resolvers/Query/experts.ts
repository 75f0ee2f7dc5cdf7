import { pageSize } from '@traveloure/platform';
import type { QueryResolvers } from '../../__generated__/resolvers-types.ts';
import { findExperts } from '../../db/experts.repository.ts';

export const experts: QueryResolvers['experts'] = (_root, { destinationCode, specialty, first }, context) =>
  findExperts(context.db, { destinationCode, specialty, limit: pageSize(first, 20) });
