import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Kind, parse, type ObjectTypeDefinitionNode } from 'graphql';
import { deniedRootFields, keyForbiddenRootFields, rootFields, scopeOfRootField } from './scopes.ts';

const supergraphPath = fileURLToPath(new URL('../../../schema/supergraph.graphql', import.meta.url));

describe('scopes', () => {
  it('place every root field of the supergraph in a scope, or close it to keys on purpose', () => {
    expect(existsSync(supergraphPath)).toBe(true);
    const document = parse(readFileSync(supergraphPath, 'utf8'));
    const rootTypes = document.definitions.filter(
      (definition): definition is ObjectTypeDefinitionNode =>
        definition.kind === Kind.OBJECT_TYPE_DEFINITION &&
        ['Query', 'Mutation'].includes(definition.name.value),
    );
    const unplaced = rootTypes
      .flatMap((type) => type.fields ?? [])
      .map((field) => field.name.value)
      .filter((name) => !scopeOfRootField[name] && !keyForbiddenRootFields.has(name));
    // A new root field must be given a scope in scopes.ts (or listed as closed to keys).
    expect(unplaced).toEqual([]);
  });

  it('deny root fields outside the granted scopes, including aliased and fragment ones', () => {
    const document = parse(
      'query { a: searchFlights(input: {}) ...F __typename } fragment F on Query { trips }',
    );
    const operation = document.definitions[0]!;
    const fragment = document.definitions[1]!;
    if (operation.kind !== Kind.OPERATION_DEFINITION || fragment.kind !== Kind.FRAGMENT_DEFINITION)
      throw new Error('bad fixture');
    const fields = rootFields(operation, { F: fragment });
    expect(fields.map((field) => field.name.value)).toEqual(['searchFlights', 'trips', '__typename']);
    expect(deniedRootFields(fields, ['search'])).toEqual(['trips']);
    expect(deniedRootFields(fields, ['search', 'trips'])).toEqual([]);
    expect(deniedRootFields(parseRoots('{ broadcastEmergencyAlert }'), ['notifications', 'trips'])).toEqual([
      'broadcastEmergencyAlert',
    ]);
  });
});

function parseRoots(query: string) {
  const operation = parse(query).definitions[0]!;
  if (operation.kind !== Kind.OPERATION_DEFINITION) throw new Error('bad fixture');
  return rootFields(operation, {});
}
