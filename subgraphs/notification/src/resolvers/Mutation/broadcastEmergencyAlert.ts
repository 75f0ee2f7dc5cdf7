import { isIataCode, requireAdmin, userError, type UserError } from '@traveloure/platform';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { startBroadcast } from '../../delivery/broadcast.ts';

export const broadcastEmergencyAlert: MutationResolvers['broadcastEmergencyAlert'] = async (
  _parent,
  { input },
  context,
) => {
  const viewer = requireAdmin(context, 'Only admins can broadcast emergency alerts.');
  const errors: UserError[] = [];
  const destinationCode = input.destinationCode.trim().toUpperCase();
  const title = input.title.trim();
  const body = input.body.trim();
  if (!isIataCode(destinationCode)) {
    errors.push(
      userError(
        ['input', 'destinationCode'],
        'Destination code must be 3 letters (IATA city code).',
        'INVALID',
      ),
    );
  }
  if (title.length < 1 || title.length > 200)
    errors.push(userError(['input', 'title'], 'Title must be 1 to 200 characters.', 'INVALID_LENGTH'));
  if (body.length < 1 || body.length > 5_000)
    errors.push(userError(['input', 'body'], 'Body must be 1 to 5000 characters.', 'INVALID_LENGTH'));
  if (errors.length > 0) return { recipients: 0, userErrors: errors };
  const { app } = context;
  const { alertId, recipients } = await startBroadcast(
    { db: app.db, queue: app.queues.broadcasts, clock: app.clock },
    { destinationCode, severity: input.severity, title, body },
  );
  context.logger.info(
    { alertId, destinationCode, severity: input.severity, recipients, by: viewer.id },
    'emergency alert broadcast',
  );
  return { recipients, userErrors: [] };
};
