import { createServiceServer, readTypeDefs, type ServiceDefinition } from '@traveloure/platform';
import { notificationConfigSchema, type NotificationConfig } from './config.ts';
import { createContext } from './context.ts';
import { migrations } from './db/migrations/index.ts';
import { resolvers } from './resolvers/index.ts';
import {
  createNotificationServices,
  type NotificationServices,
  type NotificationServicesOptions,
} from './services.ts';

export const typeDefs = readTypeDefs(new URL('./schema.graphql', import.meta.url));

/**
 * The notification subgraph as a ServiceDefinition, with its clock injectable (tests). The
 * workers start with it unless NOTIFICATION_WORKERS=false (they then run alone: npm run worker).
 */
export function defineNotificationService(
  options: NotificationServicesOptions & { onServices?: (services: NotificationServices) => void } = {},
): ServiceDefinition<NotificationConfig> {
  return {
    name: 'notification',
    schema: 'notification',
    defaultPort: 4004,
    portVariable: 'NOTIFICATION_PORT',
    configSchema: notificationConfigSchema,
    migrations,

    async create(runtime) {
      const services = createNotificationServices(runtime, options);
      options.onServices?.(services);
      const workers = runtime.config.NOTIFICATION_WORKERS ? services.startWorkers() : undefined;
      const server = await createServiceServer(runtime, {
        typeDefs,
        resolvers,
        createContext: ({ identity }) => createContext(services, identity),
      });
      return {
        server,
        stop: async () => {
          await workers?.close();
          await services.close();
        },
      };
    },
  };
}

/** Inbox, delivery queues and channels, reminders and emergency alerts in the `notification` schema. */
export const notificationService = defineNotificationService();
