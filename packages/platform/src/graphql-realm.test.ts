import { expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { GraphQLError } from 'graphql';

// Apollo's packages load graphql through require(); our code must see the very same module, or
// `instanceof GraphQLError` checks (error formatting, coded errors) silently fail.
it('shares one graphql module with the CommonJS packages', () => {
  const require = createRequire(import.meta.url);
  expect(require('graphql').GraphQLError).toBe(GraphQLError);
});
