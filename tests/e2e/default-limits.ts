/**
 * The gateway's own check of an operation at its default limits: GraphQL's validation rules and
 * the edge's operation limits, with the parser's token cap, as a request with no settings meets
 * them.
 */
import { parse, specifiedRules, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import { loadGatewayConfig } from '@traveloure/gateway';
import { armorOptions, operationLimitsOf } from '@traveloure/gateway/edge/index';

export const defaultLimits = operationLimitsOf(loadGatewayConfig({ NODE_ENV: 'test' }));
const rules = [...specifiedRules, ...armorOptions(defaultLimits).validationRules];

/** The operation parsed, and the messages of every rule or limit it breaks against `schema`. */
export function checkAtDefaultLimits(
  schema: GraphQLSchema,
  text: string,
): { document: DocumentNode; errors: string[] } {
  const document = parse(text, { maxTokens: defaultLimits.maxTokens });
  return { document, errors: validate(schema, document, rules).map((error) => error.message) };
}
