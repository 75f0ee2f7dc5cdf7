import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, Kind, type FragmentDefinitionNode } from 'graphql';
import { ErrorCode, isAdmin, type Identity } from '@traveloure/platform';
import type { GatewayContext } from '../context.ts';
import type { OperationLimits } from './operation-limits.ts';
import { deniedRootFields, rootFields, scopeRefusalMessage } from './scopes.ts';

/** Introspection: for everyone when INTROSPECTION_PUBLIC, otherwise for admins and partner keys. */
export function mayIntrospect(
  identity: Identity | undefined,
  limits: Pick<OperationLimits, 'introspectionPublic'>,
) {
  return limits.introspectionPublic || isAdmin(identity) || Boolean(identity?.apiKey);
}

function forbidden(message: string) {
  return new GraphQLError(message, { extensions: { code: ErrorCode.FORBIDDEN, http: { status: 403 } } });
}

/**
 * Who may run what, once the operation is resolved: an operation that cannot run here is the
 * client's error (not the planner's internal one), introspection needs the right to it, and a
 * partner key reaches only the root fields of its scopes. Runs before any subgraph is called.
 */
export function operationPolicyPlugin(
  limits: Pick<OperationLimits, 'introspectionPublic'>,
): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, schema, request, contextValue }) {
          if (!operation) {
            // The gateway's executor would report this as an internal failure; it is the client's.
            throw new GraphQLError(
              request.operationName
                ? `Unknown operation named "${request.operationName}".`
                : 'Must provide an operation name when the document contains several operations.',
              { extensions: { code: 'OPERATION_RESOLUTION_FAILURE', http: { status: 400 } } },
            );
          }
          const rootType = schema.getRootType(operation.operation);
          if (operation.operation === 'subscription' || !rootType) {
            // Query planning would fail on this as an internal error; the operation is the client's.
            throw new GraphQLError(
              operation.operation === 'subscription'
                ? 'Subscriptions are not served; use queries and mutations.'
                : `This API has no ${operation.operation} operations.`,
              { extensions: { code: 'BAD_REQUEST', http: { status: 400 } } },
            );
          }
          const identity = contextValue.identity;
          const fragments: Record<string, FragmentDefinitionNode> = {};
          for (const definition of document.definitions) {
            if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
          }
          const roots = rootFields(operation, fragments);
          if (roots.some((field) => field.name.value === '__schema' || field.name.value === '__type')) {
            if (!mayIntrospect(identity, limits)) {
              throw forbidden(
                'Introspection is available to partner API keys and administrators only; the schema is published at /schema.graphql.',
              );
            }
          }
          if (identity?.apiKey) {
            const denied = deniedRootFields(roots, identity.apiKey.scopes);
            if (denied.length) throw forbidden(scopeRefusalMessage(denied, identity.apiKey.scopes));
          }
        },
      };
    },
  };
}
