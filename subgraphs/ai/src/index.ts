import { runServiceMain } from '@traveloure/platform';
import { aiService } from './service.ts';

await runServiceMain(aiService);
