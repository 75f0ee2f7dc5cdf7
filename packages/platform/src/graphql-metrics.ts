import type { ApolloServerPlugin } from '@apollo/server';
import { performance } from 'node:perf_hooks';
import { BoundedLabel, counter, histogram } from './metrics.ts';

export const graphqlOperationDuration = histogram(
  'graphql_operation_duration_seconds',
  'GraphQL operations by name and type, from request received to response sent',
  ['service', 'operation', 'type'] as const,
  [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
);

export const graphqlOperationErrors = counter(
  'graphql_operation_errors_total',
  'Errors in GraphQL responses by operation, type and error code (one per error)',
  ['service', 'operation', 'type', 'code'] as const,
);

/** Distinct operation names per service with a series of their own, after the declared ones. */
export const DEFAULT_OPERATION_NAME_CAP = 200;
/** Error codes are ours (ErrorCode) but a subgraph or library may add some: bounded too. */
const ERROR_CODE_CAP = 50;

export interface GraphQLMetricsOptions {
  service: string;
  /** Names that always get their own series, e.g. the persisted-operation manifest's. */
  knownOperations?: Iterable<string>;
  /** Further names seen that get their own series before the rest count as `other`. */
  operationNameCap?: number;
}

/**
 * Duration and errors of every GraphQL operation, by operation name, operation type and error
 * code: what is slow and what fails. An operation without a name is `anonymous`; a request whose
 * document never parsed or resolved to an operation has name and type `unknown`.
 */
export function graphqlMetricsPlugin(options: GraphQLMetricsOptions): ApolloServerPlugin<any> {
  const names = new BoundedLabel(options.operationNameCap ?? DEFAULT_OPERATION_NAME_CAP);
  names.declare(options.knownOperations ?? []);
  const codes = new BoundedLabel(ERROR_CODE_CAP, 'OTHER');
  return {
    async requestDidStart() {
      const startedAt = performance.now();
      return {
        async willSendResponse({ operation, response }) {
          // The name of the operation that ran, never the request's `operationName` field as sent:
          // that one is any string a client likes until the document resolved.
          const name = operation?.name?.value;
          const labels = {
            service: options.service,
            operation: name ? names.valueOf(name) : operation ? 'anonymous' : 'unknown',
            type: operation?.operation ?? 'unknown',
          };
          graphqlOperationDuration.observe(labels, (performance.now() - startedAt) / 1000);
          const errors =
            response.body.kind === 'single'
              ? response.body.singleResult.errors
              : response.body.initialResult.errors;
          for (const error of errors ?? []) {
            const code = error.extensions?.code;
            graphqlOperationErrors.inc({
              ...labels,
              code: typeof code === 'string' ? codes.valueOf(code) : 'INTERNAL_SERVER_ERROR',
            });
          }
        },
      };
    },
  };
}
