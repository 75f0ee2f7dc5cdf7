import type { DeliveryResolvers } from '../__generated__/resolvers-types.ts';

export const Delivery: DeliveryResolvers = {
  lastError: (row) => row.last_error,
  updatedAt: (row) => row.updated_at,
};
