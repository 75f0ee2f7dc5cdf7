import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import type { DocumentNode } from 'graphql';
import { codedError, ErrorCode } from './errors.ts';

/**
 * PostgreSQL text cannot hold U+0000: a NUL in any argument would reach the database as a
 * driver error and come back as INTERNAL_SERVER_ERROR. It is the client's input that is wrong, so
 * the request is refused up front with BAD_USER_INPUT and the path of the offending value.
 *
 * Walks with an explicit stack (depth-first, in document order) rather than recursion: how deep
 * the variables nest is the client's choice, and a recursive walk overflowed the call stack.
 * Paths are kept as parent links and spelled out only for the value found.
 */
export function findNulCharacter(value: unknown, path: string[] = []): string[] | undefined {
  interface Step {
    value: unknown;
    key?: string;
    parent?: Step;
    /** The key itself holds a NUL. */
    nulKey?: boolean;
  }
  const pathOf = (step: Step) => {
    const keys: string[] = [];
    for (let at: Step | undefined = step; at?.key !== undefined; at = at.parent) keys.push(at.key);
    return [...path, ...keys.reverse()];
  };
  const stack: Step[] = [{ value }];
  while (stack.length > 0) {
    const step = stack.pop()!;
    if (step.nulKey) return pathOf(step);
    const current = step.value;
    if (typeof current === 'string') {
      if (current.includes('\u0000')) return pathOf(step);
      continue;
    }
    if (current === null || typeof current !== 'object') continue;
    // Children pushed in reverse so the first one is visited first, as a recursive walk would.
    if (Array.isArray(current)) {
      for (let index = current.length - 1; index >= 0; index--) {
        stack.push({ value: current[index], key: String(index), parent: step });
      }
      continue;
    }
    const entries = Object.entries(current);
    for (let index = entries.length - 1; index >= 0; index--) {
      const [key, item] = entries[index]!;
      stack.push({ value: item, key, parent: step, nulKey: key.includes('\u0000') });
    }
  }
  return undefined;
}

/** String literals written in the operation itself, e.g. `user(id: "a\u0000")`; iterative like findNulCharacter. */
function documentHasNul(root: unknown): boolean {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (Array.isArray(node)) {
      for (const item of node) stack.push(item);
      continue;
    }
    if (node === null || typeof node !== 'object') continue;
    const record = node as Record<string, unknown>;
    if (record.kind === 'StringValue') {
      if (typeof record.value === 'string' && record.value.includes('\u0000')) return true;
      continue;
    }
    for (const key in record) {
      if (key !== 'loc') stack.push(record[key]);
    }
  }
  return false;
}

const message = 'Text must not contain NUL (U+0000) characters.';

export function rejectNulCharactersPlugin<TContext extends object>(): ApolloServerPlugin<TContext> {
  // Apollo Server reuses the parsed document of a repeated operation: scan each one once.
  const scanned = new WeakMap<DocumentNode, boolean>();
  // One set of hooks for every request: they keep no per-request state.
  const hooks: GraphQLRequestListener<TContext> = {
    async didResolveOperation({ request, document }) {
      let inDocument = scanned.get(document);
      if (inDocument === undefined) {
        inDocument = documentHasNul(document.definitions);
        scanned.set(document, inDocument);
      }
      if (inDocument) throw refusal();
      if (request.variables) {
        const path = findNulCharacter(request.variables);
        if (path) throw refusal(path);
      }
    },
  };
  return { requestDidStart: async () => hooks };
}

/** Like a variable that fails coercion: 400, with the code (and the variable's path). */
const refusal = (field?: string[]) =>
  codedError(ErrorCode.BAD_USER_INPUT, message, { ...(field ? { field } : {}), http: { status: 400 } });
