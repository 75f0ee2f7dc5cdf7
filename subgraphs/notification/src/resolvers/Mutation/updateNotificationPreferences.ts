import { parseInput, requireViewer, withUserErrors } from '@traveloure/platform';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { preferencesUpdateInput } from '../../preferences/preferences.input.ts';
import { updateNotificationPreferences as updatePreferences } from '../../preferences/preferences.service.ts';

export const updateNotificationPreferences: MutationResolvers['updateNotificationPreferences'] = (
  _parent,
  { input },
  context,
) => {
  const viewer = requireViewer(context);
  const { config, egress } = context.services;
  const schema = preferencesUpdateInput({ production: config.NODE_ENV === 'production', egress });
  return withUserErrors(
    async () => updatePreferences(context.services, viewer.id, parseInput(schema, input)),
    { preferences: null },
  );
};
