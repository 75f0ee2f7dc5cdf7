import type { QueryResolvers } from '../../__generated__/resolvers-types.ts';
import { listExperts } from '../../experts/experts.service.ts';

export const experts: QueryResolvers['experts'] = (_root, args, context) => listExperts(context, args);
