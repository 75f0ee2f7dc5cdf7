import type { ApolloServerPlugin } from '@apollo/server';
import Negotiator from 'negotiator';
import { ErrorCode } from '@traveloure/platform';
import type { GatewayContext } from '../context.ts';

/**
 * Codes of GraphQL request errors: the request was a well-formed GraphQL-over-HTTP request and
 * GraphQL itself refused the document (parse, validation, the edge's operation limits, variable
 * coercion, choosing the operation). A malformed body, a missing query, a bad persisted-query
 * extension (BAD_REQUEST), credentials, scopes and rates keep their 4xx under any media type.
 */
const graphqlRequestErrorCodes = new Set<unknown>([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  ErrorCode.BAD_USER_INPUT,
  ErrorCode.OPERATION_LIMIT_EXCEEDED,
  'OPERATION_RESOLUTION_FAILURE',
]);

// The media types Apollo Server chooses between for a single result, in its order, so the
// negotiation here picks what Apollo Server will answer with.
const singleResultMediaTypes = [
  'application/json; charset=utf-8',
  'application/graphql-response+json; charset=utf-8',
  'application/json; callbackSpec=1.0; charset=utf-8',
];

/** Whether the answer goes out as `application/json` (also when `accept` is missing or `*\/*`). */
export function answersPlainJson(accept: string | undefined | null) {
  if (!accept) return true;
  const preferred = new Negotiator({ headers: { accept } }).mediaType(singleResultMediaTypes);
  return preferred !== undefined && preferred.startsWith('application/json');
}

/**
 * GraphQL over HTTP: under `application/json` a well-formed request answers 200 whatever
 * GraphQL errors it produced, since a legacy client cannot tell a proxy's 400 from GraphQL's;
 * under `application/graphql-response+json` request errors keep their 400 (that media type
 * says the body is GraphQL's). Apollo Server answers 400 under both, which graphql-http's audit
 * flags. The errors stay as they are: coded, with the request id.
 */
export function graphqlOverHttpStatusPlugin(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ request, response }) {
          // Without request.http the operation came from inside (the analytics endpoint's
          // executeOperation), which answers by REST rules: a bad parameter is a 400 there.
          if (!request.http || response.http.status !== 400 || response.body.kind !== 'single') return;
          const { errors, data } = response.body.singleResult;
          if (!errors?.length || data !== undefined) return;
          if (!errors.every((error) => graphqlRequestErrorCodes.has(error.extensions?.code))) return;
          if (answersPlainJson(request.http.headers.get('accept'))) response.http.status = 200;
        },
      };
    },
  };
}
