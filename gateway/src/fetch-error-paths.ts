import {
  Kind,
  parse,
  type DirectiveNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

export type ResponsePath = (string | number)[];

/**
 * The fields a subgraph fetch would have filled, as paths in that fetch's own response:
 * `["searchFlights"]` for a root field, `["_entities", 2, "flightOffers"]` for a field of the
 * third entity of an entity fetch. An error carrying such a path is mapped by the gateway onto
 * the client's response (it turns `_entities` indexes into full paths such as
 * `["trips", "edges", 2, "node", "flightOffers"]`), exactly as it maps a subgraph's own errors;
 * so a fetch that failed as a whole can still say which fields it nulled.
 */
export function fieldPathsOfFetch(request: {
  query?: string;
  variables?: Record<string, unknown>;
  document?: DocumentNode;
}): ResponsePath[] {
  let document = request.document;
  if (!document) {
    if (!request.query) return [];
    try {
      document = parse(request.query);
    } catch {
      return [];
    }
  }
  const variables = request.variables ?? {};
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const operation = document.definitions.find((definition) => definition.kind === Kind.OPERATION_DEFINITION);
  if (!operation) return [];

  const rootFields = collectFields(operation.selectionSet, undefined, fragments, variables);
  const entities =
    rootFields.length === 1 && rootFields[0]!.name.value === '_entities' ? rootFields[0] : undefined;
  if (!entities?.selectionSet) return rootFields.map((field) => [responseNameOf(field)]);

  const representations = Array.isArray(variables.representations) ? variables.representations : [];
  return representations.flatMap((representation, index) => {
    const typename = (representation as { __typename?: unknown } | null)?.__typename;
    let fields = collectFields(
      entities.selectionSet!,
      typeof typename === 'string' ? typename : undefined,
      fragments,
      variables,
    );
    // A type condition on an interface the representation's concrete type implements: the
    // planner knows, we do not; naming every field asked of the entity is still right.
    if (fields.length === 0) fields = collectFields(entities.selectionSet!, undefined, fragments, variables);
    return fields.map((field) => ['_entities', index, responseNameOf(field)]);
  });
}

function responseNameOf(field: FieldNode) {
  return field.alias?.value ?? field.name.value;
}

/**
 * The fields of a selection set by response name, through inline fragments and fragment
 * spreads that apply to `typename` (all of them when it is unknown), minus `__typename`, which
 * the gateway fills itself, and minus what @skip/@include leave out.
 */
function collectFields(
  selectionSet: SelectionSetNode,
  typename: string | undefined,
  fragments: Map<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
  seen = new Map<string, FieldNode>(),
): FieldNode[] {
  for (const selection of selectionSet.selections) {
    if (!isIncluded(selection.directives, variables)) continue;
    if (selection.kind === Kind.FIELD) {
      const name = responseNameOf(selection);
      if (name !== '__typename' && !seen.has(name)) seen.set(name, selection);
      continue;
    }
    const fragment =
      selection.kind === Kind.INLINE_FRAGMENT ? selection : fragments.get(selection.name.value);
    if (!fragment) continue;
    const condition = fragment.typeCondition?.name.value;
    if (condition && typename && condition !== typename) continue;
    collectFields(fragment.selectionSet, typename, fragments, variables, seen);
  }
  return [...seen.values()];
}

function isIncluded(directives: readonly DirectiveNode[] | undefined, variables: Record<string, unknown>) {
  for (const directive of directives ?? []) {
    const name = directive.name.value;
    if (name !== 'skip' && name !== 'include') continue;
    const argument = directive.arguments?.find((candidate) => candidate.name.value === 'if')?.value;
    let value: unknown;
    if (argument?.kind === Kind.BOOLEAN) value = argument.value;
    else if (argument?.kind === Kind.VARIABLE) value = variables[argument.name.value];
    if (name === 'skip' && value === true) return false;
    if (name === 'include' && value === false) return false;
  }
  return true;
}
