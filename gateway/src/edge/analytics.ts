import express, { type Request, type Response } from 'express';
import { stringify } from 'csv-stringify';
import type { ApolloServer } from '@apollo/server';
import {
  Kind,
  parse,
  type DocumentNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type TypeNode,
} from 'graphql';
import { ErrorCode, isAnalystOrAdmin, sendGraphQLError, type Identity } from '@traveloure/platform';
import type { GatewayContext } from '../context.ts';
import type { TrustedDocuments, PersistedOperation } from './persisted.ts';

const reservedParameters = new Set(['format']);

function namedTypeOf(type: TypeNode): { name: string; list: boolean } {
  if (type.kind === Kind.NON_NULL_TYPE) return namedTypeOf(type.type);
  if (type.kind === Kind.LIST_TYPE) return { name: namedTypeOf(type.type).name, list: true };
  return { name: type.name.value, list: false };
}

class ParameterError extends Error {}

function coerce(name: string, raw: string, typeName: string): unknown {
  switch (typeName) {
    case 'Int': {
      if (!/^-?\d+$/.test(raw)) throw new ParameterError(`${name} must be an integer`);
      return Number.parseInt(raw, 10);
    }
    case 'Float': {
      const value = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(value)) throw new ParameterError(`${name} must be a number`);
      return value;
    }
    case 'Boolean':
      if (raw !== 'true' && raw !== 'false') throw new ParameterError(`${name} must be true or false`);
      return raw === 'true';
    default:
      return raw; // String, ID, enums and custom scalars travel as strings; the schema validates them.
  }
}

/** Query string parameters as the operation's variables, typed by its variable definitions. */
export function variablesFromQuery(
  operation: PersistedOperation,
  query: URLSearchParams,
): Record<string, unknown> {
  const definition = parse(operation.body).definitions.find(
    (node): node is OperationDefinitionNode => node.kind === Kind.OPERATION_DEFINITION,
  );
  const declared = new Map(
    (definition?.variableDefinitions ?? []).map((variable) => [
      variable.variable.name.value,
      namedTypeOf(variable.type),
    ]),
  );
  const variables: Record<string, unknown> = {};
  for (const key of new Set(query.keys())) {
    if (reservedParameters.has(key)) continue;
    const type = declared.get(key);
    if (!type) {
      throw new ParameterError(
        `unknown parameter "${key}"; ${operation.name} takes ${[...declared.keys()].join(', ') || 'no parameters'}`,
      );
    }
    const values = query.getAll(key).flatMap((value) => (type.list ? value.split(',') : [value]));
    if (!type.list && values.length > 1) throw new ParameterError(`${key} given more than once`);
    const coerced = values.map((value) => coerce(key, value, type.name));
    variables[key] = type.list ? coerced : coerced[0];
  }
  return variables;
}

/** The rows of a result: the first root field's list (or connection nodes), flattened. */
export function rowsOf(data: Record<string, unknown> | null | undefined): Record<string, unknown>[] {
  const root = data ? Object.values(data)[0] : undefined;
  let items: unknown[];
  if (Array.isArray(root)) items = root;
  else if (root && typeof root === 'object' && Array.isArray((root as { edges?: unknown }).edges)) {
    items = (root as { edges: { node?: unknown }[] }).edges.map((edge) => edge.node);
  } else if (root && typeof root === 'object') {
    // An object with one list (e.g. stats with `rows`) is that list; otherwise it is one row.
    const lists = Object.values(root).filter(Array.isArray);
    items = lists.length === 1 ? (lists[0] as unknown[]) : [root];
  } else items = root === undefined || root === null ? [] : [{ value: root }];
  return items.map((item) => flatten(item));
}

/** Leaf paths (response names, dotted) of a selection set, fragments followed, in document order. */
function leafPaths(
  selectionSet: SelectionSetNode,
  fragments: Map<string, FragmentDefinitionNode>,
  prefix = '',
  into: string[] = [],
) {
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.INLINE_FRAGMENT) leafPaths(selection.selectionSet, fragments, prefix, into);
    else if (selection.kind === Kind.FRAGMENT_SPREAD) {
      const fragment = fragments.get(selection.name.value);
      if (fragment) leafPaths(fragment.selectionSet, fragments, prefix, into);
    } else {
      const path = prefix + (selection.alias ?? selection.name).value;
      if (selection.selectionSet) leafPaths(selection.selectionSet, fragments, `${path}.`, into);
      else if (!into.includes(path)) into.push(path);
    }
  }
  return into;
}

/**
 * The CSV columns an operation promises: the leaf fields its first root field selects (a
 * connection's node fields), so a header is complete and in document order even when no row
 * came back or a nested object was null. Rows of another shape (an object's one list, lists
 * inside rows) keep the columns they carry.
 */
export function columnsOf(document: DocumentNode, rows: Record<string, unknown>[]): string[] {
  const fragments = new Map(
    document.definitions
      .filter((node): node is FragmentDefinitionNode => node.kind === Kind.FRAGMENT_DEFINITION)
      .map((fragment) => [fragment.name.value, fragment]),
  );
  const operation = document.definitions.find(
    (node): node is OperationDefinitionNode => node.kind === Kind.OPERATION_DEFINITION,
  );
  const root = operation?.selectionSet.selections.find((selection) => selection.kind === Kind.FIELD);
  let columns = root?.selectionSet ? leafPaths(root.selectionSet, fragments) : [];
  const nodeColumns = columns.filter((column) => column.startsWith('edges.node.'));
  if (nodeColumns.length) columns = nodeColumns.map((column) => column.slice('edges.node.'.length));
  const carried = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const fits = carried.every(
    (key) =>
      columns.includes(key) ||
      (nullWherePresent(rows, key) && columns.some((column) => column.startsWith(`${key}.`))),
  );
  if (columns.length && fits) return columns;
  return carried.length ? carried : ['value'];
}

/** A nested object that came back null flattens to its own name; its columns stay empty. */
function nullWherePresent(rows: Record<string, unknown>[], key: string) {
  return rows.every((row) => row[key] === null || row[key] === undefined);
}

function flatten(value: unknown, prefix = '', into: Record<string, unknown> = {}): Record<string, unknown> {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, inner] of Object.entries(value)) flatten(inner, prefix ? `${prefix}.${key}` : key, into);
  } else if (Array.isArray(value)) {
    into[prefix || 'value'] = JSON.stringify(value);
  } else {
    into[prefix || 'value'] = value;
  }
  return into;
}

/**
 * `GET /analytics/<OperationName>?param=value[&format=csv]`: runs a manifest operation for an
 * analyst (or admin) and answers JSON, or CSV streamed row by row.
 */
export function analyticsRouter(options: {
  server: () => ApolloServer<GatewayContext>;
  documents: TrustedDocuments;
}) {
  const router = express.Router();
  router.get('/', (req, res) => {
    const identity = res.locals.identity as Identity;
    if (!isAnalystOrAdmin(identity)) return refuse(req, res, identity);
    res.json({
      operations: [...options.documents.byName.values()]
        .filter((operation) => operation.type === 'query')
        .map((operation) => ({
          name: operation.name,
          id: operation.id,
          url: `/analytics/${operation.name}`,
        })),
    });
  });
  router.get('/:operationName', async (req, res, next) => {
    const identity = res.locals.identity as Identity;
    if (!isAnalystOrAdmin(identity)) return refuse(req, res, identity);
    const operation = options.documents.byName.get(req.params.operationName);
    if (!operation || operation.type !== 'query') {
      return sendGraphQLError(
        res,
        404,
        ErrorCode.PERSISTED_QUERY_NOT_FOUND,
        `No persisted query named ${req.params.operationName}.`,
        req.requestId,
      );
    }
    const format = typeof req.query.format === 'string' ? req.query.format : 'json';
    if (format !== 'json' && format !== 'csv') {
      return sendGraphQLError(
        res,
        400,
        ErrorCode.BAD_USER_INPUT,
        'format must be json or csv',
        req.requestId,
      );
    }
    let variables: Record<string, unknown>;
    try {
      variables = variablesFromQuery(operation, new URL(req.originalUrl, 'http://gateway').searchParams);
    } catch (error) {
      if (!(error instanceof ParameterError)) return next(error);
      return sendGraphQLError(res, 400, ErrorCode.BAD_USER_INPUT, error.message, req.requestId);
    }
    try {
      const response = await options.server().executeOperation(
        { query: operation.body, operationName: operation.name, variables },
        {
          contextValue: {
            identity,
            requestId: req.requestId,
            traceparent: req.headers.traceparent as string | undefined,
          },
        },
      );
      if (response.body.kind !== 'single') throw new Error('analytics operations return a single result');
      const result = response.body.singleResult;
      for (const [name, value] of response.http.headers) {
        if (name.startsWith('ratelimit') || name === 'retry-after') res.setHeader(name, value);
      }
      res.setHeader('cache-control', 'private, no-store');
      if (result.errors?.length || format === 'json') {
        return res.status(response.http.status ?? 200).json(result);
      }
      res.status(200);
      res.setHeader('content-type', 'text/csv; charset=utf-8');
      res.setHeader('content-disposition', `attachment; filename="${operation.name}.csv"`);
      const rows = rowsOf(result.data as Record<string, unknown> | undefined);
      const columns = columnsOf(parse(operation.body), rows);
      const csv = stringify({ header: true, columns, cast: { boolean: (value) => String(value) } });
      csv.pipe(res);
      for (const row of rows) {
        // Honour back-pressure so a large export streams instead of piling up in memory.
        if (!csv.write(row)) await new Promise((resolve) => csv.once('drain', resolve));
      }
      csv.end();
    } catch (error) {
      next(error);
    }
  });
  return router;
}

function refuse(req: Request, res: Response, identity: Identity | undefined) {
  if (!identity?.user && !identity?.apiKey) {
    res.setHeader('www-authenticate', 'Bearer');
    return sendGraphQLError(
      res,
      401,
      ErrorCode.UNAUTHENTICATED,
      'Analytics needs an analyst token.',
      req.requestId,
    );
  }
  return sendGraphQLError(
    res,
    403,
    ErrorCode.FORBIDDEN,
    'Analytics is available to analysts only.',
    req.requestId,
  );
}
