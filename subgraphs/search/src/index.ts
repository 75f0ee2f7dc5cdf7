import { runServiceMain } from '@traveloure/platform';
import { searchService } from './service.ts';

await runServiceMain(searchService);
