/**
 * The explorer's two endpoints beside GraphQL:
 * - POST /explorer/plan: the query plan of an operation, from the same planner the gateway runs
 *   (@apollo/query-planner over the loaded supergraph), without executing it. Plans show which
 *   subgraphs a query reaches and how, so only ADMIN callers may ask, and anyone in development.
 * - POST /explorer/sign-in: in development only, a token for one of the demo users, so the
 *   explorer can call as a traveler, an expert, an analyst or an admin without a terminal.
 */
import express, { type Request, type RequestHandler, type Response } from 'express';
import { createRequire } from 'node:module';
import type { ValidationRule } from 'graphql';
import { QueryPlanner, prettyFormatQueryPlan, type PlanNode, type QueryPlan } from '@apollo/query-planner';
import { Supergraph, operationFromDocument } from '@apollo/federation-internals';
import { ErrorCode, hasRole, sendGraphQLError, type Identity, type Role } from '@traveloure/platform';
import type { GatewayConfig } from '../config.ts';
import { mintToken } from '../tokens.ts';

// The planner (CommonJS) builds its schema with the CommonJS graphql; validate with that copy.
const graphql = createRequire(import.meta.url)('graphql') as typeof import('graphql');

/**
 * The people `npm run seed` creates (trip and ai subgraph seeds), plus an analyst, who needs no
 * profile. tests/e2e/edge-explorer.test.ts checks these ids against the seeds.
 */
export const demoUsers: readonly { id: string; name: string; role: Role }[] = [
  { id: 'user-demo-us', name: 'Avery Johnson', role: 'TRAVELER' },
  { id: 'user-demo-eu', name: 'Léa Martin', role: 'TRAVELER' },
  { id: 'user-demo-ap', name: 'Aarav Sharma', role: 'TRAVELER' },
  { id: 'expert-demo-camille', name: 'Camille Laurent', role: 'EXPERT' },
  { id: 'user-demo-analyst', name: 'Demo Analyst', role: 'ANALYST' },
  { id: 'user-demo-admin', name: 'Morgan Admin', role: 'ADMIN' },
];

/** How long a development sign-in lasts. */
export const SIGN_IN_TTL_SECONDS = 8 * 3600;

interface LoadedPlanner {
  supergraphSdl: string;
  planner: QueryPlanner;
  supergraph: Supergraph;
  schema: import('graphql').GraphQLSchema;
}

/** Every subgraph a plan fetches from, in the order the plan first reaches them. */
export function subgraphsOfPlan(plan: QueryPlan): string[] {
  const names: string[] = [];
  const visit = (node: PlanNode | undefined | null): void => {
    if (!node) return;
    switch (node.kind) {
      case 'Fetch':
        if (!names.includes(node.serviceName)) names.push(node.serviceName);
        return;
      case 'Sequence':
      case 'Parallel':
        return node.nodes.forEach(visit);
      case 'Flatten':
        return visit(node.node);
      case 'Condition':
        visit(node.ifClause);
        return visit(node.elseClause);
      case 'Defer':
        visit(node.primary.node);
        return node.deferred.forEach((deferred) => visit(deferred.node));
    }
  };
  const root = plan.node;
  if (root?.kind === 'Subscription') {
    visit(root.primary);
    visit(root.rest);
  } else visit(root);
  return names;
}

function requireJson(req: Request, res: Response): boolean {
  if (req.is('application/json')) return true;
  // Also what keeps a cross-site form from posting here: JSON needs a CORS preflight.
  sendGraphQLError(
    res,
    415,
    'BAD_REQUEST',
    'Send a JSON body (content-type: application/json).',
    req.requestId,
  );
  return false;
}

/** POST /explorer/plan and POST /explorer/sign-in (mounted before the explorer's static files). */
export function explorerApiRouter(options: {
  config: Pick<GatewayConfig, 'NODE_ENV' | 'JWT_SECRET' | 'JWT_ISSUER' | 'JWT_AUDIENCE' | 'JWT_JWKS_URL'>;
  /** The composed supergraph the gateway serves (core SDL), once loaded. */
  supergraphSdl: () => string | undefined;
  /** Identity and rate limit, as on /graphql. */
  authenticate: RequestHandler;
  rateLimit: RequestHandler;
  jsonBody: RequestHandler;
  /** The gateway's operation limits, so planning takes no more than executing would. */
  validationRules?: readonly ValidationRule[];
}) {
  const { config } = options;
  const development = config.NODE_ENV === 'development';
  let loaded: LoadedPlanner | undefined;

  function plannerFor(supergraphSdl: string): LoadedPlanner {
    if (loaded?.supergraphSdl !== supergraphSdl) {
      const supergraph = Supergraph.build(supergraphSdl);
      loaded = {
        supergraphSdl,
        supergraph,
        planner: new QueryPlanner(supergraph),
        schema: supergraph.apiSchema().toGraphQLJSSchema(),
      };
    }
    return loaded;
  }

  const router = express.Router();

  router.post('/explorer/plan', options.authenticate, options.rateLimit, options.jsonBody, (req, res) => {
    const identity = res.locals.identity as Identity;
    if (!development && !hasRole(identity, 'ADMIN')) {
      return sendGraphQLError(
        res,
        403,
        ErrorCode.FORBIDDEN,
        'Query plans are shown to admins only (and to everyone in development).',
        req.requestId,
      );
    }
    if (!requireJson(req, res)) return;
    const { query, operationName } = (req.body ?? {}) as { query?: unknown; operationName?: unknown };
    if (typeof query !== 'string' || !query.trim()) {
      return sendGraphQLError(res, 400, ErrorCode.BAD_USER_INPUT, 'Send { "query": "..." }.', req.requestId);
    }
    if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') {
      return sendGraphQLError(
        res,
        400,
        ErrorCode.BAD_USER_INPUT,
        'operationName must be a string.',
        req.requestId,
      );
    }
    const supergraphSdl = options.supergraphSdl();
    if (!supergraphSdl) {
      return sendGraphQLError(
        res,
        503,
        ErrorCode.UPSTREAM_UNAVAILABLE,
        'No supergraph is loaded yet.',
        req.requestId,
      );
    }
    const { planner, supergraph, schema } = plannerFor(supergraphSdl);
    let document: import('graphql').DocumentNode;
    try {
      document = graphql.parse(query);
    } catch (error) {
      return sendGraphQLError(res, 400, 'GRAPHQL_PARSE_FAILED', (error as Error).message, req.requestId);
    }
    const problems = graphql.validate(schema, document, [
      ...graphql.specifiedRules,
      ...(options.validationRules ?? []),
    ]);
    if (problems.length) {
      return res.status(400).json({
        errors: problems.map((problem) => ({
          message: problem.message,
          ...(problem.locations ? { locations: problem.locations } : {}),
          extensions: {
            code: (problem.extensions?.code as string | undefined) ?? 'GRAPHQL_VALIDATION_FAILED',
            requestId: req.requestId,
          },
        })),
      });
    }
    let plan: QueryPlan;
    try {
      const operation = operationFromDocument(supergraph.apiSchema(), document, {
        operationName: (operationName as string | undefined) || undefined,
      });
      plan = planner.buildQueryPlan(operation);
    } catch (error) {
      // A document that validates can still name no operation, or several without a name.
      return sendGraphQLError(res, 400, ErrorCode.BAD_USER_INPUT, (error as Error).message, req.requestId);
    }
    res.setHeader('cache-control', 'private, no-store');
    res.json({
      operationName: (operationName as string | undefined) || null,
      subgraphs: subgraphsOfPlan(plan),
      plan: prettyFormatQueryPlan(plan),
    });
  });

  router.post('/explorer/sign-in', options.jsonBody, async (req, res, next) => {
    if (!development) {
      return sendGraphQLError(
        res,
        403,
        ErrorCode.FORBIDDEN,
        'Signing in from the explorer is for development only; tokens come from the identity provider.',
        req.requestId,
      );
    }
    if (config.JWT_JWKS_URL) {
      return sendGraphQLError(
        res,
        403,
        ErrorCode.FORBIDDEN,
        'This gateway verifies tokens against JWT_JWKS_URL; sign in with that identity provider.',
        req.requestId,
      );
    }
    if (!requireJson(req, res)) return;
    const { userId } = (req.body ?? {}) as { userId?: unknown };
    const user = demoUsers.find((candidate) => candidate.id === userId);
    if (!user) {
      return sendGraphQLError(
        res,
        400,
        ErrorCode.BAD_USER_INPUT,
        `userId must be one of the demo users: ${demoUsers.map((demo) => demo.id).join(', ')}.`,
        req.requestId,
      );
    }
    try {
      const token = await mintToken({
        role: user.role,
        userId: user.id,
        // The seeded profile (name, email, region) stays the subgraphs' to say.
        onlyGivenClaims: true,
        secret: config.JWT_SECRET,
        issuer: config.JWT_ISSUER,
        audience: config.JWT_AUDIENCE,
        expiresIn: `${SIGN_IN_TTL_SECONDS}s`,
      });
      res.setHeader('cache-control', 'no-store');
      res.json({
        token,
        user,
        expiresAt: new Date(Date.now() + SIGN_IN_TTL_SECONDS * 1000).toISOString(),
      });
    } catch (error) {
      next(error);
    }
  });

  return router;
}
