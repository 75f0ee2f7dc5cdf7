import { runServiceMain } from '@traveloure/platform';
import { notificationService } from './service.ts';

await runServiceMain(notificationService);
