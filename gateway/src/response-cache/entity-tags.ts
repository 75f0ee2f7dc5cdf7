import {
  getNamedType,
  isAbstractType,
  isCompositeType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  parse,
  type StringValueNode,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

/**
 * Entity key fields by type name, from the supergraph's `@join__type(key: "...")`. Only keys of a
 * single field give tags: subgraph caches tag entries `<type>:<id>` (e.g. `trip:42`).
 */
export function entityKeyFieldsOf(supergraphSdl: string): Map<string, string> {
  const keys = new Map<string, string>();
  for (const definition of parse(supergraphSdl).definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.OBJECT_TYPE_EXTENSION)
      continue;
    for (const directive of definition.directives ?? []) {
      if (directive.name.value !== 'join__type') continue;
      const key = directive.arguments?.find((argument) => argument.name.value === 'key')?.value as
        StringValueNode | undefined;
      const field = key?.value.trim();
      if (field && /^\w+$/.test(field) && !keys.has(definition.name.value)) {
        keys.set(definition.name.value, field);
      }
    }
  }
  return keys;
}

/** The tag prefix of a type, as subgraph caches write it: `Trip` -> `trip`. */
export const tagPrefixOf = (typeName: string) => typeName.charAt(0).toLowerCase() + typeName.slice(1);

/** Matches every entry holding an object of the type whose key was not selected. */
export const typeWideTag = (typeName: string) => `${tagPrefixOf(typeName)}:*`;

/**
 * The entity tags of a response: `<type>:<key>` for every entity object in `data` (its key
 * field, or `id`, selected), `<type>:*` for one whose key was not selected or whose concrete type
 * cannot be told (an interface or union without `__typename`: every possible type). Over-tagging
 * only costs hits; a missing tag would keep a changed answer, so any doubt tags wider. Past
 * `maxTags`, tags collapse to one type-wide tag per type.
 */
export function entityTagsOf(options: {
  schema: GraphQLSchema;
  document: DocumentNode;
  operation: OperationDefinitionNode;
  data: Record<string, unknown>;
  keyFields: ReadonlyMap<string, string>;
  maxTags?: number;
  /**
   * For a subgraph's `_entities` fetch: the representations it was sent (its `representations`
   * variable), in the order of the answers.
   */
  entities?: readonly Record<string, unknown>[];
}): string[] {
  const { schema, document, keyFields } = options;
  const maxTags = options.maxTags ?? 500;
  const fragments = new Map(
    document.definitions
      .filter((node): node is FragmentDefinitionNode => node.kind === Kind.FRAGMENT_DEFINITION)
      .map((fragment) => [fragment.name.value, fragment]),
  );
  const tags = new Set<string>();
  const types = new Set<string>();

  const keyFieldOf = (type: GraphQLObjectType) =>
    keyFields.get(type.name) ?? ('id' in type.getFields() ? 'id' : undefined);

  /** Tags an object of a known concrete type by its key, as selected (under any alias). */
  function tagObject(
    type: GraphQLObjectType,
    selections: SelectionSetNode[],
    value: Record<string, unknown>,
  ) {
    const keyField = keyFieldOf(type);
    if (!keyField) return;
    types.add(type.name);
    for (const responseKey of responseKeysOf(selections, keyField, type)) {
      const key = value[responseKey];
      if (typeof key === 'string' || typeof key === 'number') {
        tags.add(`${tagPrefixOf(type.name)}:${key}`);
        return;
      }
    }
    tags.add(typeWideTag(type.name));
  }

  /** Response keys under which `fieldName` was selected on `type` (fragments that apply followed). */
  function responseKeysOf(selections: SelectionSetNode[], fieldName: string, type: GraphQLObjectType) {
    const keys: string[] = [];
    const walk = (selectionSet: SelectionSetNode, seen: Set<string>) => {
      for (const selection of selectionSet.selections) {
        if (selection.kind === Kind.FIELD) {
          if (selection.name.value === fieldName) keys.push((selection.alias ?? selection.name).value);
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          if (applies(selection.typeCondition?.name.value, type)) walk(selection.selectionSet, seen);
        } else if (!seen.has(selection.name.value)) {
          seen.add(selection.name.value);
          const fragment = fragments.get(selection.name.value);
          if (fragment && applies(fragment.typeCondition.name.value, type)) walk(fragment.selectionSet, seen);
        }
      }
    };
    for (const selectionSet of selections) walk(selectionSet, new Set());
    return keys;
  }

  function applies(condition: string | undefined, type: GraphQLObjectType) {
    if (!condition || condition === type.name) return true;
    const conditionType = schema.getType(condition);
    return conditionType !== undefined && isAbstractType(conditionType)
      ? schema.isSubType(conditionType, type)
      : false;
  }

  /** The concrete type of an object: its own, or `__typename` if selected, else undefined. */
  function concreteTypeOf(type: GraphQLCompositeType, value: Record<string, unknown>) {
    if (isObjectType(type)) return type;
    const typename = value.__typename;
    const named = typeof typename === 'string' ? schema.getType(typename) : undefined;
    return named && isObjectType(named) ? named : undefined;
  }

  function visit(type: GraphQLOutputType, selectionSet: SelectionSetNode | undefined, value: unknown) {
    if (value === null || value === undefined || !selectionSet) return;
    if (isNonNullType(type)) return visit(type.ofType, selectionSet, value);
    if (isListType(type)) {
      if (Array.isArray(value)) for (const item of value) visit(type.ofType, selectionSet, item);
      return;
    }
    const named = getNamedType(type);
    if (!isCompositeType(named) || typeof value !== 'object') return;
    const object = value as Record<string, unknown>;
    const concrete = concreteTypeOf(named, object);
    if (concrete) {
      tagObject(concrete, [selectionSet], object);
      visitFields(concrete, selectionSet, object, new Set());
      return;
    }
    // An interface or union answered without __typename: any of its types may be here.
    for (const possible of schema.getPossibleTypes(named as Parameters<typeof schema.getPossibleTypes>[0])) {
      if (keyFieldOf(possible)) {
        types.add(possible.name);
        tags.add(typeWideTag(possible.name));
      }
      visitFields(possible, selectionSet, object, new Set());
    }
  }

  function visitFields(
    type: GraphQLObjectType,
    selectionSet: SelectionSetNode,
    value: Record<string, unknown>,
    seen: Set<string>,
  ) {
    const fields = type.getFields();
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        const field = fields[selection.name.value];
        if (field && selection.selectionSet)
          visit(field.type, selection.selectionSet, value[(selection.alias ?? selection.name).value]);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        if (applies(selection.typeCondition?.name.value, type))
          visitFields(type, selection.selectionSet, value, seen);
      } else if (!seen.has(selection.name.value)) {
        seen.add(selection.name.value);
        const fragment = fragments.get(selection.name.value);
        if (fragment && applies(fragment.typeCondition.name.value, type))
          visitFields(type, fragment.selectionSet, value, seen);
      }
    }
  }

  if (options.entities) {
    // A subgraph's `_entities` fetch: each answer is the representation's type, whose key the
    // representation carries, read through the fetch's `... on Type { }` selections.
    const entitiesField = options.operation.selectionSet.selections.find(
      (selection) => selection.kind === Kind.FIELD && selection.name.value === '_entities',
    );
    const answers =
      options.data[
        entitiesField?.kind === Kind.FIELD ? (entitiesField.alias ?? entitiesField.name).value : '_entities'
      ];
    options.entities.forEach((representation, index) => {
      const typename = representation.__typename;
      const named = typeof typename === 'string' ? schema.getType(typename) : undefined;
      if (!named || !isObjectType(named)) {
        tags.add(typeWideTag(String(typename)));
        return;
      }
      const keyField = keyFieldOf(named);
      const key = keyField ? representation[keyField] : undefined;
      types.add(named.name);
      tags.add(
        typeof key === 'string' || typeof key === 'number'
          ? `${tagPrefixOf(named.name)}:${key}`
          : typeWideTag(named.name),
      );
      const answer = Array.isArray(answers) ? answers[index] : undefined;
      if (
        entitiesField?.kind === Kind.FIELD &&
        entitiesField.selectionSet &&
        answer &&
        typeof answer === 'object'
      ) {
        visitFields(named, entitiesField.selectionSet, answer as Record<string, unknown>, new Set());
      }
    });
  } else {
    const root = schema.getRootType(options.operation.operation);
    if (root) visitFields(root, options.operation.selectionSet, options.data, new Set());
  }
  if (tags.size > maxTags) return [...types].map(typeWideTag);
  return [...tags];
}
