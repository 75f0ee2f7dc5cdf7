/**
 * The trusted documents as shipped: the committed manifest is what `npm run codegen` makes of
 * schema/operations, in Apollo's format, and every operation is valid against the composed API
 * schema and inside the edge's default operation limits (a persisted operation the gateway would
 * refuse is no use to an analyst).
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { listCost, TrustedDocuments } from '@traveloure/gateway/edge/index';
import { apiSchema, buildManifest, manifestPath } from '../../scripts/build-persisted-operations.ts';
import { checkAtDefaultLimits, defaultLimits } from './default-limits.ts';

const committed = JSON.parse(readFileSync(manifestPath, 'utf8'));

describe('persisted operations manifest', () => {
  it('is up to date with schema/operations, in Apollo manifest format', () => {
    expect(committed).toEqual(buildManifest());
    expect(committed).toMatchObject({ format: 'apollo-persisted-query-manifest', version: 1 });
    // Ids are the sha-256 of the bodies (the gateway refuses a manifest where they are not).
    expect(TrustedDocuments.load(manifestPath).byId.size).toBe(committed.operations.length);
  });

  it('has only operations the API schema and the default edge limits accept', () => {
    const schema = apiSchema()!;
    for (const operation of committed.operations as { name: string; body: string }[]) {
      const { document, errors } = checkAtDefaultLimits(schema, operation.body);
      expect(errors, operation.name).toEqual([]);
      const definition = document.definitions.find((node) => node.kind === 'OperationDefinition')!;
      let oversized = 0;
      const cost = listCost(
        schema,
        definition.selectionSet,
        schema.getQueryType(),
        {},
        {},
        (_field, size) => {
          if (size > defaultLimits.maxListSize) oversized++;
        },
      );
      expect(oversized, operation.name).toBe(0);
      expect(cost, operation.name).toBeLessThanOrEqual(defaultLimits.maxListCost);
    }
  });
});
