import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { ApolloServerPlugin, GraphQLRequestContextWillSendResponse } from '@apollo/server';
import {
  GraphQLError,
  Kind,
  valueFromASTUntyped,
  type ASTVisitor,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLType,
  type GraphQLSchema,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';
import { counter, ErrorCode } from '@traveloure/platform';
import type { GatewayConfig } from '../config.ts';
import type { GatewayContext } from '../context.ts';

export interface OperationLimits {
  maxDepth: number;
  maxAliases: number;
  maxDirectives: number;
  maxTokens: number;
  maxCost: number;
  maxListSize: number;
  maxListCost: number;
  /** Field suggestions ("Did you mean ...") in validation errors. */
  fieldSuggestions: boolean;
  /** Introspection for everyone; otherwise ADMIN and partner keys only (policy.ts). */
  introspectionPublic: boolean;
}

export function operationLimitsOf(config: GatewayConfig): OperationLimits {
  return {
    maxDepth: config.MAX_DEPTH,
    maxAliases: config.MAX_ALIASES,
    maxDirectives: config.MAX_DIRECTIVES,
    maxTokens: config.MAX_TOKENS,
    maxCost: config.MAX_COST,
    maxListSize: config.MAX_LIST_SIZE,
    maxListCost: config.MAX_LIST_COST,
    fieldSuggestions: config.FIELD_SUGGESTIONS ?? config.NODE_ENV === 'development',
    introspectionPublic: config.INTROSPECTION_PUBLIC || config.NODE_ENV === 'development',
  };
}

/** Operations refused by a limit, by the limit's name (depth, aliases, tokens, listSize ...). */
export const limitRejections = counter(
  'gateway_operation_limit_exceeded_total',
  'Operations refused by an operation limit',
  ['service', 'limit'] as const,
);

export type LimitName =
  | 'depth'
  | 'aliases'
  | 'directives'
  | 'tokens'
  | 'cost'
  | 'listSize'
  | 'listCost'
  | 'bodySize'
  | 'batching'
  | 'validation';

export function operationLimitError(limit: LimitName, message: string, status = 400) {
  return new GraphQLError(message, {
    extensions: { code: ErrorCode.OPERATION_LIMIT_EXCEEDED, limit, http: { status } },
  });
}

const reportLimit = (limit: LimitName) => (context: ValidationContext | null, error: GraphQLError) => {
  context?.reportError(
    new GraphQLError(error.message.replace(/^Syntax Error: /, ''), {
      extensions: { code: ErrorCode.OPERATION_LIMIT_EXCEEDED, limit },
    }),
  );
};

/**
 * The depth limit (nestingDepthRule), GraphQL Armor's validation rules (aliases, directives,
 * structural cost) reporting errors that name the limit, plus the parse-time token limit and
 * batching off. The token limit
 * is graphql-js's own (`maxTokens`): it stops the parser itself, before any work is spent.
 */
export function armorOptions(limits: OperationLimits) {
  const armor = new ApolloArmor({
    // Armor counts every selection level, so a Relay connection's `edges { node }` plumbing
    // would cost two levels of the budget; nestingDepthRule counts with the schema instead.
    maxDepth: { enabled: false },
    maxAliases: {
      n: limits.maxAliases,
      // Armor exempts `__typename` by default; every alias is a field the gateway resolves and
      // answers, so 100 aliases of `__typename` (or of `__schema`) count like any others.
      allowList: [],
      propagateOnRejection: false,
      onReject: [reportLimit('aliases')],
    },
    maxDirectives: {
      n: limits.maxDirectives,
      propagateOnRejection: false,
      onReject: [reportLimit('directives')],
    },
    costLimit: { maxCost: limits.maxCost, propagateOnRejection: false, onReject: [reportLimit('cost')] },
    maxTokens: { enabled: false },
    // Apollo Server's own hideSchemaDetailsFromClientErrors removes suggestions cleanly; Armor's
    // mask would leave "[Suggestion hidden]?" in the message.
    blockFieldSuggestion: { enabled: false },
  });
  const protection = armor.protect();
  return {
    validationRules: [nestingDepthRule(limits.maxDepth), ...protection.validationRules],
    plugins: protection.plugins as ApolloServerPlugin<GatewayContext>[],
    parseOptions: { maxTokens: limits.maxTokens },
    allowBatchedHttpRequests: false as const,
    hideSchemaDetailsFromClientErrors: !limits.fieldSuggestions,
  };
}

// Schema objects come from the gateway's graphql instance (CommonJS); structural checks instead
// of graphql-js's instanceof helpers keep this working whichever copy loaded this module.
function fieldsOf(
  type: GraphQLNamedType | null | undefined,
): Record<string, GraphQLField<unknown, unknown>> | undefined {
  return type && 'getFields' in type && !('parseValue' in type) && 'getInterfaces' in type
    ? (type.getFields() as Record<string, GraphQLField<unknown, unknown>>)
    : undefined;
}

function namedType(type: GraphQLType): GraphQLNamedType {
  let current: GraphQLType = type;
  while ('ofType' in current && current.ofType) current = current.ofType as GraphQLType;
  return current as GraphQLNamedType;
}

/**
 * Relay plumbing: `edges` of a connection (a `...Connection` type with `edges` and `pageInfo`)
 * and `node` of an edge (an `...Edge` type with `node` and `cursor`). These levels carry no data
 * of their own, so `trips { edges { node { title } } }` nests as deep as `trips { title }`.
 */
function isRelayPlumbing(
  parentType: GraphQLNamedType,
  fieldName: string,
  fields: Record<string, GraphQLField<unknown, unknown>>,
) {
  if (fieldName === 'edges' && parentType.name.endsWith('Connection') && fields.pageInfo) {
    return namedType(fields.edges!.type).name.endsWith('Edge');
  }
  return fieldName === 'node' && parentType.name.endsWith('Edge') && Boolean(fields.cursor);
}

/**
 * The depth limit, counted with the schema: every field is a level except a connection's
 * `edges` and an edge's `node` (isRelayPlumbing); fragments add no level of their own, and
 * introspection (`__schema`, `__type`, gated by operationPolicyPlugin) is not counted. Written
 * here because GraphQL Armor's depth rule, like graphql-depth-limit, counts syntax only: neither
 * can exempt a level while still counting what is below it. A cycle such as
 * `owner { trips { edges { node { owner { trips ... } } } } }` still costs two levels a turn.
 */
export function nestingDepthRule(maxDepth: number) {
  return (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(operation) {
      const schema = context.getSchema();
      const fragmentDepths = new Map<string, number>();
      const visiting = new Set<string>();
      const depthOf = (selectionSet: SelectionSetNode, parentType: GraphQLNamedType | undefined): number => {
        let deepest = 0;
        for (const selection of selectionSet.selections) {
          if (selection.kind === Kind.FIELD) {
            const name = selection.name.value;
            if (name === '__schema' || name === '__type') continue;
            const fields = fieldsOf(parentType);
            const field = fields?.[name];
            const level = parentType && field && isRelayPlumbing(parentType, name, fields) ? 0 : 1;
            const below = selection.selectionSet
              ? depthOf(selection.selectionSet, field ? namedType(field.type) : undefined)
              : 0;
            deepest = Math.max(deepest, level + below);
          } else if (selection.kind === Kind.INLINE_FRAGMENT) {
            const type = selection.typeCondition
              ? (schema.getType(selection.typeCondition.name.value) ?? undefined)
              : parentType;
            deepest = Math.max(deepest, depthOf(selection.selectionSet, type));
          } else {
            const fragmentName = selection.name.value;
            let depth = fragmentDepths.get(fragmentName);
            if (depth === undefined) {
              const fragment = context.getFragment(fragmentName);
              // A fragment cycle is NoFragmentCyclesRule's to report.
              if (!fragment || visiting.has(fragmentName)) continue;
              visiting.add(fragmentName);
              const type = schema.getType(fragment.typeCondition.name.value) ?? undefined;
              depth = depthOf(fragment.selectionSet, type);
              visiting.delete(fragmentName);
              fragmentDepths.set(fragmentName, depth);
            }
            deepest = Math.max(deepest, depth);
          }
        }
        return deepest;
      };
      const depth = depthOf(operation.selectionSet, schema.getRootType(operation.operation) ?? undefined);
      if (depth > maxDepth) {
        context.reportError(
          new GraphQLError(`Query depth limit of ${maxDepth} exceeded, found ${depth}.`, {
            nodes: [operation],
            extensions: { code: ErrorCode.OPERATION_LIMIT_EXCEEDED, limit: 'depth' },
          }),
        );
      }
    },
  });
}

const listSizeArguments = new Set(['first', 'last', 'maxResults', 'limit']);

function listSizeOf(args: Record<string, unknown>): number | undefined {
  let size: number | undefined;
  const consider = (value: unknown) => {
    if (typeof value === 'number' && Number.isFinite(value)) size = Math.max(size ?? 0, value);
  };
  for (const [name, value] of Object.entries(args)) {
    if (listSizeArguments.has(name)) consider(value);
    // Search inputs carry their size inside the input object (`input: { maxResults }`).
    else if (value && typeof value === 'object' && !Array.isArray(value)) {
      for (const [inner, innerValue] of Object.entries(value))
        if (listSizeArguments.has(inner)) consider(innerValue);
    }
  }
  return size;
}

/**
 * The number of fields an operation can make the subgraphs produce: each field costs one, and
 * a field with a list size (`first`, `maxResults` ...) multiplies the cost of what it selects.
 * Variables are resolved, so `first: $n` counts as what $n is.
 */
export function listCost(
  schema: GraphQLSchema,
  selectionSet: SelectionSetNode,
  parentType: GraphQLNamedType | null | undefined,
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
  onListSize: (fieldName: string, size: number) => void,
  visiting: Set<string> = new Set(),
): number {
  let cost = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.INLINE_FRAGMENT) {
      const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parentType;
      cost += listCost(schema, selection.selectionSet, type, fragments, variables, onListSize, visiting);
      continue;
    }
    if (selection.kind === Kind.FRAGMENT_SPREAD) {
      const fragment = fragments[selection.name.value];
      if (!fragment || visiting.has(fragment.name.value)) continue;
      visiting.add(fragment.name.value);
      const type = schema.getType(fragment.typeCondition.name.value);
      cost += listCost(schema, fragment.selectionSet, type, fragments, variables, onListSize, visiting);
      visiting.delete(fragment.name.value);
      continue;
    }
    const fieldDef = fieldsOf(parentType)?.[selection.name.value];
    const args: Record<string, unknown> = {};
    for (const argDef of fieldDef?.args ?? []) {
      if (argDef.defaultValue !== undefined) args[argDef.name] = argDef.defaultValue;
    }
    for (const argument of selection.arguments ?? []) {
      args[argument.name.value] = valueFromASTUntyped(argument.value, variables);
    }
    const size = listSizeOf(args);
    if (size !== undefined) onListSize(selection.name.value, size);
    const childCost = selection.selectionSet
      ? listCost(
          schema,
          selection.selectionSet,
          fieldDef ? namedType(fieldDef.type) : undefined,
          fragments,
          variables,
          onListSize,
          visiting,
        )
      : 0;
    cost += 1 + Math.max(1, size ?? 1) * childCost;
  }
  return cost;
}

/**
 * List sizes and the list cost, which need the resolved operation and its variables (`first:
 * $n` counts as what $n is): checked after validation, before any subgraph is called.
 */
export function listCostPlugin(limits: OperationLimits): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, schema, request }) {
          // An operation that cannot run is operationPolicyPlugin's to refuse.
          const rootType = operation ? schema.getRootType(operation.operation) : undefined;
          if (!operation || !rootType || operation.operation === 'subscription') return;
          const fragments: Record<string, FragmentDefinitionNode> = {};
          for (const definition of document.definitions) {
            if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
          }
          let oversized: { field: string; size: number } | undefined;
          const cost = listCost(
            schema,
            operation.selectionSet,
            rootType,
            fragments,
            request.variables ?? {},
            (field, size) => {
              if (size > limits.maxListSize && !oversized) oversized = { field, size };
            },
          );
          if (oversized) {
            throw operationLimitError(
              'listSize',
              `List size ${oversized.size} on "${oversized.field}" exceeds the limit of ${limits.maxListSize}.`,
            );
          }
          if (cost > limits.maxListCost) {
            throw operationLimitError(
              'listCost',
              `Operation may fetch ${cost} fields, over the limit of ${limits.maxListCost}; ask for smaller pages.`,
            );
          }
        },
      };
    },
  };
}

const tokenLimitPattern = /Document contains more th(?:an|at) (\d+) tokens/; // graphql-js 16 spells it "that"

/**
 * Apollo Server files validation and parse failures under its own codes; limit failures are
 * re-labelled OPERATION_LIMIT_EXCEEDED (with the limit named) so clients can tell them apart.
 */
export function limitErrorCodesPlugin(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }: GraphQLRequestContextWillSendResponse<GatewayContext>) {
          if (response.body.kind !== 'single') return;
          const errors = response.body.singleResult.errors;
          if (!errors?.length) return;
          response.body.singleResult.errors = errors.map((error) => {
            const extensions = error.extensions ?? {};
            const tokens = tokenLimitPattern.exec(error.message);
            if (tokens && extensions.code === 'GRAPHQL_PARSE_FAILED') {
              limitRejections.inc({ service: 'gateway', limit: 'tokens' });
              return {
                message: `Operation has more than ${tokens[1]} tokens, over the limit.`,
                extensions: { ...extensions, code: ErrorCode.OPERATION_LIMIT_EXCEEDED, limit: 'tokens' },
              };
            }
            // graphql-js gives up on an operation whose validation would take too long (hundreds of
            // repeats of one field, fragments spread over and over) and says only "Validation aborted.".
            if (extensions.code === 'GRAPHQL_VALIDATION_FAILED' && error.message === 'Validation aborted.') {
              limitRejections.inc({ service: 'gateway', limit: 'validation' });
              return {
                message:
                  'Operation is too complex to validate (fields or fragments repeated too often); simplify it.',
                extensions: { ...extensions, code: ErrorCode.OPERATION_LIMIT_EXCEEDED, limit: 'validation' },
              };
            }
            if (!extensions.limit) return error;
            limitRejections.inc({ service: 'gateway', limit: String(extensions.limit) });
            return { ...error, extensions: { ...extensions, code: ErrorCode.OPERATION_LIMIT_EXCEEDED } };
          });
        },
      };
    },
  };
}
