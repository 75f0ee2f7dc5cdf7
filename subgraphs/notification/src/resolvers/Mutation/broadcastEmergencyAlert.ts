import { parseInput, requireAdmin, withUserErrors } from '@traveloure/platform';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { emergencyAlertInput } from '../../alerts/alerts.input.ts';
import { broadcastEmergencyAlert as broadcast } from '../../alerts/alerts.service.ts';

export const broadcastEmergencyAlert: MutationResolvers['broadcastEmergencyAlert'] = (
  _parent,
  { input },
  context,
) => {
  const viewer = requireAdmin(context, 'Only admins can broadcast emergency alerts.');
  return withUserErrors(
    async () => broadcast(context.services, context.logger, viewer, parseInput(emergencyAlertInput, input)),
    { recipients: 0 },
  );
};
