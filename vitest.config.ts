import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // graphql ships CommonJS and ES module copies. Node (and so @apollo/*) loads the CommonJS one;
    // Vite would hand our sources the ES one, and `instanceof GraphQLError` would fail across them.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    exclude: ['**/node_modules/**', 'tests/bench/**'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    env: {
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
      NODE_ENV: 'test',
    },
    // `npm test` runs both; `npm run test:unit` (or `vitest run --project unit`) the first alone.
    projects: [
      {
        extends: true,
        test: {
          // Beside the code: units and their integration with real PostgreSQL and Redis.
          name: 'unit',
          include: [
            'host/src/**/*.test.ts',
            'packages/*/src/**/*.test.ts',
            'gateway/src/**/*.test.ts',
            'subgraphs/*/src/**/*.test.ts',
          ],
        },
      },
      {
        extends: true,
        test: {
          // tests/: the stack end to end over HTTP, and the hostile, chaos and browser suites.
          name: 'system',
          include: ['tests/**/*.test.ts'],
        },
      },
    ],
  },
});
