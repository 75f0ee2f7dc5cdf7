/**
 * Compiles the trusted documents in schema/operations/**\/*.graphql into
 * schema/operations/persisted-operations.json (Apollo's persisted query manifest: one entry per
 * named operation, its body printed with the fragments it uses, id = sha256 of the body).
 *   tsx scripts/build-persisted-operations.ts            write the manifest (part of `npm run codegen`)
 *   tsx scripts/build-persisted-operations.ts --strict   also fail when an operation does not validate
 * Operations are validated against the API schema of schema/supergraph.graphql when it exists.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  Kind,
  parse,
  print,
  validate,
  visit,
  type DefinitionNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { Supergraph } from '@apollo/federation-internals';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const operationsDir = join(root, 'schema/operations');
export const manifestPath = join(operationsDir, 'persisted-operations.json');
const supergraphPath = join(root, 'schema/supergraph.graphql');

function graphqlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return graphqlFiles(path);
      return entry.name.endsWith('.graphql') ? [path] : [];
    })
    .sort();
}

function fragmentsUsedBy(
  definition: DefinitionNode,
  fragments: Map<string, FragmentDefinitionNode>,
  used = new Set<string>(),
): Set<string> {
  visit(definition, {
    FragmentSpread(node) {
      if (used.has(node.name.value)) return;
      const fragment = fragments.get(node.name.value);
      if (!fragment) throw new Error(`fragment ${node.name.value} is not defined in schema/operations`);
      used.add(node.name.value);
      fragmentsUsedBy(fragment, fragments, used);
    },
  });
  return used;
}

export function buildManifest(files = graphqlFiles(operationsDir)) {
  const operations: { definition: OperationDefinitionNode; file: string }[] = [];
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const file of files) {
    const document = parse(readFileSync(file, 'utf8'));
    for (const definition of document.definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) {
        if (fragments.has(definition.name.value))
          throw new Error(`${relative(root, file)}: fragment ${definition.name.value} defined twice`);
        fragments.set(definition.name.value, definition);
      } else if (definition.kind === Kind.OPERATION_DEFINITION) {
        if (!definition.name)
          throw new Error(`${relative(root, file)}: every trusted operation needs a name`);
        operations.push({ definition, file });
      }
    }
  }
  const names = new Set<string>();
  const entries = operations.map(({ definition, file }) => {
    const name = definition.name!.value;
    if (names.has(name)) throw new Error(`${relative(root, file)}: operation name ${name} is used twice`);
    names.add(name);
    const used = [...fragmentsUsedBy(definition, fragments)]
      .sort()
      .map((fragment) => fragments.get(fragment)!);
    const body = print({ kind: Kind.DOCUMENT, definitions: [definition, ...used] });
    return {
      id: createHash('sha256').update(body).digest('hex'),
      name,
      type: definition.operation,
      body,
    };
  });
  entries.sort((a, b) => a.name.localeCompare(b.name));
  return { format: 'apollo-persisted-query-manifest' as const, version: 1 as const, operations: entries };
}

export function apiSchema(): GraphQLSchema | undefined {
  if (!existsSync(supergraphPath)) return undefined;
  return Supergraph.build(readFileSync(supergraphPath, 'utf8')).apiSchema().toGraphQLJSSchema();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const strict = process.argv.includes('--strict');
  const manifest = buildManifest();
  const schema = apiSchema();
  let invalid = 0;
  if (schema) {
    for (const operation of manifest.operations) {
      const errors = validate(schema, parse(operation.body));
      for (const error of errors) {
        invalid++;
        console.warn(`persisted operation ${operation.name}: ${error.message}`);
      }
    }
  }
  const text = JSON.stringify(manifest, null, 2) + '\n';
  const previous = existsSync(manifestPath) ? readFileSync(manifestPath, 'utf8') : '';
  if (text !== previous) writeFileSync(manifestPath, text);
  console.log(
    `persisted operations: ${manifest.operations.length} in ${relative(root, manifestPath)}` +
      (schema
        ? invalid
          ? `, ${invalid} validation problem(s)`
          : ', all valid'
        : ' (no supergraph to validate against)'),
  );
  if (strict && invalid) process.exit(1);
}
