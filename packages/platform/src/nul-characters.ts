import type { ApolloServerPlugin } from '@apollo/server';
import type { DocumentNode } from 'graphql';
import { codedError, ErrorCode } from './errors.ts';

/**
 * PostgreSQL text cannot hold U+0000: a NUL in any argument would reach the database as a
 * driver error and come back as INTERNAL_SERVER_ERROR. It is the client's input that is wrong, so
 * the request is refused up front with BAD_USER_INPUT and the path of the offending value.
 */
export function findNulCharacter(value: unknown, path: string[] = []): string[] | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path : undefined;
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = findNulCharacter(item, [...path, String(index)]);
      if (found) return found;
    }
    return undefined;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (key.includes('\u0000')) return [...path, key];
      const found = findNulCharacter(item, [...path, key]);
      if (found) return found;
    }
  }
  return undefined;
}

/** String literals written in the operation itself, e.g. `user(id: "a\u0000")`. */
function documentHasNul(node: unknown): boolean {
  if (Array.isArray(node)) return node.some(documentHasNul);
  if (node === null || typeof node !== 'object') return false;
  const record = node as Record<string, unknown>;
  if (record.kind === 'StringValue')
    return typeof record.value === 'string' && record.value.includes('\u0000');
  return Object.entries(record).some(([key, child]) => key !== 'loc' && documentHasNul(child));
}

const message = 'Text must not contain NUL (U+0000) characters.';

export function rejectNulCharactersPlugin<TContext extends object>(): ApolloServerPlugin<TContext> {
  // Apollo Server reuses the parsed document of a repeated operation: scan each one once.
  const scanned = new WeakMap<DocumentNode, boolean>();
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document }) {
          let inDocument = scanned.get(document);
          if (inDocument === undefined) {
            inDocument = documentHasNul(document.definitions);
            scanned.set(document, inDocument);
          }
          if (inDocument) throw refusal();
          const path = findNulCharacter(request.variables ?? {});
          if (path) throw refusal(path);
        },
      };
    },
  };
}

/** Like a variable that fails coercion: 400, with the code (and the variable's path). */
const refusal = (field?: string[]) =>
  codedError(ErrorCode.BAD_USER_INPUT, message, { ...(field ? { field } : {}), http: { status: 400 } });
