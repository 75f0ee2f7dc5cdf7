import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Kind, parse, type ObjectTypeDefinitionNode } from 'graphql';
import {
  deniedRootFields,
  keyForbiddenRootFields,
  retiredScopes,
  rootFields,
  scopeOfRootField,
  scopeRefusalMessage,
  scopes,
  userOnlyRootFields,
} from './scopes.ts';

const supergraphPath = fileURLToPath(new URL('../../../schema/supergraph.graphql', import.meta.url));
const partnersDocPath = fileURLToPath(new URL('../../../docs/partners.md', import.meta.url));

function supergraphRootFields() {
  expect(existsSync(supergraphPath)).toBe(true);
  const document = parse(readFileSync(supergraphPath, 'utf8'));
  return document.definitions
    .filter(
      (definition): definition is ObjectTypeDefinitionNode =>
        definition.kind === Kind.OBJECT_TYPE_DEFINITION &&
        ['Query', 'Mutation'].includes(definition.name.value),
    )
    .flatMap((type) => type.fields ?? [])
    .map((field) => field.name.value);
}

/** The scope table of docs/partners.md: scope -> the root fields its row names. */
function documentedScopes(): Record<string, string[]> {
  const doc = readFileSync(partnersDocPath, 'utf8');
  const section = doc.slice(doc.indexOf('### Scopes'), doc.indexOf('## The schema explorer'));
  const rows: Record<string, string[]> = {};
  for (const line of section.split('\n')) {
    const row = /^\| `(\w+)` \| (.*) \|$/.exec(line);
    if (!row) continue;
    // Field names are the backquoted words before any parenthesised remark.
    rows[row[1]!] = [...row[2]!.replace(/\(.*\)/g, '').matchAll(/`(\w+)`/g)].map((match) => match[1]!);
  }
  return rows;
}

describe('scopes', () => {
  it('place every root field of the supergraph in a scope, or close it to keys on purpose', () => {
    const unplaced = supergraphRootFields().filter(
      (name) => !scopeOfRootField[name] && !keyForbiddenRootFields.has(name) && !userOnlyRootFields.has(name),
    );
    // A new root field must be given a scope in scopes.ts (or listed as closed to keys).
    expect(unplaced).toEqual([]);
  });

  it('give each root field one place only, and name only fields the supergraph has', () => {
    const fields = new Set(supergraphRootFields());
    const placed = [...Object.keys(scopeOfRootField), ...userOnlyRootFields, ...keyForbiddenRootFields];
    expect(placed.filter((name) => !fields.has(name))).toEqual([]);
    expect(placed.length).toBe(new Set(placed).size);
  });

  it('open at least one root field with every scope, and no retired scope is still a scope', () => {
    for (const scope of scopes) {
      expect(Object.values(scopeOfRootField), scope).toContain(scope);
    }
    expect(scopes.filter((scope) => retiredScopes[scope])).toEqual([]);
  });

  it('are documented in docs/partners.md exactly as the code grants them', () => {
    const expected = Object.fromEntries(
      scopes.map((scope) => [
        scope,
        Object.entries(scopeOfRootField)
          .filter(([, owner]) => owner === scope)
          .map(([field]) => field),
      ]),
    );
    expect(documentedScopes()).toEqual(expected);
  });

  it('deny root fields outside the granted scopes, including aliased and fragment ones', () => {
    const document = parse(
      'query { a: searchFlights(input: {}) ...F __typename } fragment F on Query { destinations }',
    );
    const operation = document.definitions[0]!;
    const fragment = document.definitions[1]!;
    if (operation.kind !== Kind.OPERATION_DEFINITION || fragment.kind !== Kind.FRAGMENT_DEFINITION)
      throw new Error('bad fixture');
    const fields = rootFields(operation, { F: fragment });
    expect(fields.map((field) => field.name.value)).toEqual(['searchFlights', 'destinations', '__typename']);
    expect(deniedRootFields(fields, ['search'])).toEqual(['destinations']);
    expect(deniedRootFields(fields, ['search', 'catalog'])).toEqual([]);
    expect(deniedRootFields(parseRoots('{ broadcastEmergencyAlert me }'), [...scopes])).toEqual([
      'broadcastEmergencyAlert',
      'me',
    ]);
  });

  it('explain a refusal by what each field would take', () => {
    const denied = deniedRootFields(parseRoots('{ destinations me createTrip broadcastEmergencyAlert }'), [
      'search',
    ]);
    const message = scopeRefusalMessage(denied, ['search']);
    expect(message).toMatch(/scopes \(search\) do not allow destinations: that takes the catalog scope/);
    expect(message).toMatch(/me, createTrip act for a signed-in person.*Authorization: Bearer/);
    expect(message).toMatch(/broadcastEmergencyAlert are for administrators only/);
  });
});

function parseRoots(query: string) {
  const operation = parse(query).definitions[0]!;
  if (operation.kind !== Kind.OPERATION_DEFINITION) throw new Error('bad fixture');
  return rootFields(operation, {});
}
