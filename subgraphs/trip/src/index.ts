import { runServiceMain } from '@traveloure/platform';
import { tripService } from './service.ts';

await runServiceMain(tripService);
