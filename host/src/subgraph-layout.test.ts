/**
 * Every field's behaviour is at most three hops from its SDL, in every subgraph
 * (docs/architecture.md, "Inside a subgraph"): its resolver (hop 1), the feature service or
 * loaders it delegates to (hop 2), the repository or upstream client that runs the SQL or the
 * call (hop 3).
 *
 * A hop is a runtime import from one module of a subgraph's `src/` to another: `import type`
 * (and imports of types alone) are erased, and packages (`@traveloure/platform`, npm) are the
 * layers below every subgraph, so neither counts. A module's layer is its path:
 *
 * - resolver: `resolvers/<Type>/<field>.ts` for a root field (Query, Mutation), one file per
 *   field; `resolvers/<Type>.ts` for every other type, its fields and `__resolveReference`;
 * - service: `<feature>/<feature>.service.ts`, and `loaders.ts` (resolvers and services reach the
 *   loaders through `context.loaders`, not an import);
 * - repository: `db/<table>.repository.ts`; upstream client: `<upstream>/client.ts`;
 * - helper: any other module (input schemas, local policies, pure rules, row types, code two
 *   services share). A helper only imports helpers, so it adds no hop: it is part of the hop
 *   that calls it and reaches nothing that does the work.
 *
 * The imports a field's chain may follow: resolver → service or helper; service → repository,
 * client or helper; repository or client → helper; helper → helper. Anything else is a hop too
 * many or out of order: a resolver running SQL itself or calling a resolver, a service reaching
 * the work through another service, a helper that leads to a service or a repository. A field's
 * chain starts at the imports its own resolver uses (and the file's local functions it calls),
 * then follows whole modules. What a module calls through the context (`context.loaders`, and
 * in `context.services` the caches, clients and long-lived services made at start) is no import:
 * so every service and the loaders are checked whole as well, whether a resolver imports them or
 * not. Fields without a resolver (a property of the parent) have no chain.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Kind, parse, type DefinitionNode } from 'graphql';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { presentSubgraphs, repositoryRoot } from '@traveloure/platform';

type Layer = 'resolver' | 'service' | 'repository' | 'client' | 'helper';

const rootTypes = new Set(['Query', 'Mutation', 'Subscription']);

/** Which layer a module of `src/` is, from its path (relative to `src/`). */
function layerOf(module: string): Layer {
  if (module.startsWith('resolvers/')) return 'resolver';
  if (module === 'loaders.ts' || module.endsWith('.service.ts')) return 'service';
  if (/^db\/[^/]+\.repository\.ts$/.test(module)) return 'repository';
  if (module.endsWith('/client.ts')) return 'client';
  return 'helper';
}

const allowed: Record<Layer, readonly Layer[]> = {
  resolver: ['service', 'helper'],
  service: ['repository', 'client', 'helper'],
  repository: ['helper'],
  client: ['helper'],
  helper: ['helper'],
};

/** Why an import breaks the rule, in the words of the layers. */
function whyRefused(from: Layer, to: Layer): string {
  if (from === 'resolver' && to === 'resolver') return 'a resolver calls another resolver';
  if (from === 'resolver') return `a resolver reaches a ${to} without a service`;
  if (from === 'service' && to === 'service') return 'a service reaches the work through another service';
  if (from === 'helper') return `a helper leads to a ${to}, a hop more`;
  return `a ${from} imports a ${to}, a hop more`;
}

interface ParsedModule {
  source: ts.SourceFile;
  /** Local name of each runtime import binding → the module (relative to `src/`) it comes from. */
  bindings: Map<string, string>;
  /** Every module this one imports at runtime (relative to `src/`). */
  imports: string[];
}

/** Import clauses that bring in values, not types alone. */
function importsValues(clause: ts.ImportClause | undefined): boolean {
  if (!clause) return true; // a bare `import './x.ts'` runs the module
  if (clause.isTypeOnly) return false;
  if (clause.name) return true;
  const named = clause.namedBindings;
  if (!named || ts.isNamespaceImport(named)) return true;
  return named.elements.some((element) => !element.isTypeOnly);
}

function parseModule(srcRoot: string, module: string): ParsedModule {
  const file = join(srcRoot, module);
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const bindings = new Map<string, string>();
  const imports = new Set<string>();
  const local = (specifier: string) =>
    specifier.startsWith('.') ? relative(srcRoot, resolve(dirname(file), specifier)) : undefined;
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const target = local(node.moduleSpecifier.text);
      if (target && importsValues(node.importClause)) {
        imports.add(target);
        const clause = node.importClause;
        if (clause?.name) bindings.set(clause.name.text, target);
        const named = clause?.namedBindings;
        if (named && ts.isNamespaceImport(named)) bindings.set(named.name.text, target);
        if (named && ts.isNamedImports(named)) {
          for (const element of named.elements)
            if (!element.isTypeOnly && !clause?.isTypeOnly) bindings.set(element.name.text, target);
        }
      }
    } else if (
      ts.isExportDeclaration(node) &&
      !node.isTypeOnly &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      const target = local(node.moduleSpecifier.text);
      if (target) imports.add(target);
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      const target = local(node.arguments[0].text);
      if (target) imports.add(target);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { source, bindings, imports: [...imports] };
}

/** The file's top-level declarations by name: functions and consts a resolver may call. */
function topLevelDeclarations(source: ts.SourceFile): Map<string, ts.Node> {
  const declarations = new Map<string, ts.Node>();
  for (const statement of source.statements) {
    if (ts.isFunctionDeclaration(statement) && statement.name)
      declarations.set(statement.name.text, statement);
    if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations)
        if (ts.isIdentifier(declaration.name)) declarations.set(declaration.name.text, declaration);
    }
  }
  return declarations;
}

/** The modules the code under `node` uses at runtime, through the file's imports and local functions. */
function importsUsedBy(parsed: ParsedModule, node: ts.Node): string[] {
  const declarations = topLevelDeclarations(parsed.source);
  const used = new Set<string>();
  const seen = new Set<ts.Node>();
  const walk = (current: ts.Node) => {
    if (seen.has(current)) return;
    seen.add(current);
    const visit = (child: ts.Node) => {
      if (ts.isIdentifier(child)) {
        const target = parsed.bindings.get(child.text);
        if (target) used.add(target);
        const declaration = declarations.get(child.text);
        if (declaration) walk(declaration);
      }
      ts.forEachChild(child, visit);
    };
    ts.forEachChild(current, visit);
  };
  walk(node);
  return [...used];
}

/** The initializer of `export const <name>`, and the property `<field>` of it when it is an object literal. */
function resolverNode(parsed: ParsedModule, exportName: string, field?: string): ts.Node | undefined {
  const declaration = topLevelDeclarations(parsed.source).get(exportName);
  if (!declaration) return undefined;
  if (field === undefined) return declaration;
  const initializer = ts.isVariableDeclaration(declaration) ? declaration.initializer : undefined;
  if (!initializer || !ts.isObjectLiteralExpression(initializer)) return declaration;
  return (
    initializer.properties.find(
      (property) => property.name && ts.isIdentifier(property.name) && property.name.text === field,
    ) ?? declaration
  );
}

interface SubgraphLayout {
  name: string;
  srcRoot: string;
  /** Object, interface and union types of the SDL with their fields; scalars apart. */
  types: Map<string, Set<string>>;
  scalars: Set<string>;
  resolvers: Record<string, unknown>;
}

function schemaOf(sdl: string): Pick<SubgraphLayout, 'types' | 'scalars'> {
  const types = new Map<string, Set<string>>();
  const scalars = new Set<string>();
  for (const definition of parse(sdl).definitions as readonly DefinitionNode[]) {
    switch (definition.kind) {
      case Kind.OBJECT_TYPE_DEFINITION:
      case Kind.OBJECT_TYPE_EXTENSION:
      case Kind.INTERFACE_TYPE_DEFINITION:
      case Kind.INTERFACE_TYPE_EXTENSION: {
        const fields = types.get(definition.name.value) ?? new Set<string>();
        for (const field of definition.fields ?? []) fields.add(field.name.value);
        types.set(definition.name.value, fields);
        break;
      }
      case Kind.UNION_TYPE_DEFINITION:
      case Kind.UNION_TYPE_EXTENSION:
        types.set(definition.name.value, types.get(definition.name.value) ?? new Set());
        break;
      case Kind.SCALAR_TYPE_DEFINITION:
        scalars.add(definition.name.value);
        break;
    }
  }
  return { types, scalars };
}

async function loadSubgraphLayout(name: string, directory: string): Promise<SubgraphLayout> {
  const srcRoot = resolve(repositoryRoot, directory, 'src');
  const { resolvers } = (await import(pathToFileURL(join(srcRoot, 'resolvers/index.ts')).href)) as {
    resolvers: Record<string, unknown>;
  };
  return { name, srcRoot, resolvers, ...schemaOf(readFileSync(join(srcRoot, 'schema.graphql'), 'utf8')) };
}

/** Where a field's resolver must live, and the name it is exported under there. */
function homeOf(type: string, field: string): { module: string; exportName: string; field?: string } {
  return rootTypes.has(type)
    ? { module: `resolvers/${type}/${field}.ts`, exportName: field }
    : { module: `resolvers/${type}.ts`, exportName: type, field };
}

function resolverFiles(srcRoot: string): string[] {
  return readdirSync(join(srcRoot, 'resolvers'), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts') && file !== 'index.ts')
    .map((file) => `resolvers/${file}`);
}

/** Problems with where each resolver lives: one file per root field, one per other type. */
async function misplacedResolvers(layout: SubgraphLayout): Promise<string[]> {
  const problems: string[] = [];
  const expected = new Set<string>();
  for (const [type, value] of Object.entries(layout.resolvers)) {
    if (layout.scalars.has(type)) continue; // scalars come from the platform (dateScalars)
    const fields = layout.types.get(type);
    if (!fields) {
      problems.push(`${type}: a resolver for a type the SDL does not define`);
      continue;
    }
    for (const field of Object.keys(value as object)) {
      if (!field.startsWith('__') && !fields.has(field)) {
        problems.push(`${type}.${field}: a resolver for a field the SDL does not define`);
        continue;
      }
      const home = homeOf(type, field);
      expected.add(home.module);
      const exported = await import(pathToFileURL(join(layout.srcRoot, home.module)).href).then(
        (module: Record<string, unknown>) => module[home.exportName],
        () => undefined,
      );
      const resolver = (value as Record<string, unknown>)[field];
      const found = rootTypes.has(type) ? exported === resolver : exported === value;
      if (!found)
        problems.push(
          `${type}.${field}: its resolver is not the ${home.exportName} export of ${home.module}` +
            (rootTypes.has(type) ? '' : ' (every resolver of the type, in one object)'),
        );
    }
  }
  for (const file of resolverFiles(layout.srcRoot))
    if (!expected.has(file)) problems.push(`${file}: holds no resolver of the resolver map`);
  return problems;
}

/** Every chain that breaks the rule, as `what: a → b → c: why`. */
function longChains(layout: SubgraphLayout): string[] {
  const parsed = new Map<string, ParsedModule>();
  const moduleOf = (module: string) => {
    let found = parsed.get(module);
    if (!found) parsed.set(module, (found = parseModule(layout.srcRoot, module)));
    return found;
  };
  const problems = new Set<string>();
  const follow = (what: string, chain: string[], next: string[]) => {
    const from = chain.at(-1)!;
    for (const module of next) {
      if (chain.includes(module)) continue;
      const path = [...chain, module];
      if (!allowed[layerOf(from)].includes(layerOf(module))) {
        problems.add(`${what}: ${path.join(' → ')}: ${whyRefused(layerOf(from), layerOf(module))}`);
        continue;
      }
      follow(what, path, moduleOf(module).imports);
    }
  };
  for (const [type, value] of Object.entries(layout.resolvers)) {
    if (layout.scalars.has(type) || !layout.types.has(type)) continue;
    for (const field of Object.keys(value as object)) {
      const home = homeOf(type, field);
      // A resolver away from its file is the other check's finding.
      if (!existsSync(join(layout.srcRoot, home.module))) continue;
      const resolverModule = moduleOf(home.module);
      const node = resolverNode(resolverModule, home.exportName, home.field);
      follow(
        `${type}.${field}`,
        [home.module],
        node ? importsUsedBy(resolverModule, node) : resolverModule.imports,
      );
    }
  }
  const services = readdirSync(layout.srcRoot, { recursive: true, encoding: 'utf8' }).filter(
    (file) => layerOf(file) === 'service' && !file.includes('__generated__'),
  );
  for (const service of services) follow(service, [service], moduleOf(service).imports);
  return [...problems];
}

const subgraphs = presentSubgraphs();

describe('the three hops from SDL to the work', () => {
  it.each(subgraphs.map(({ name, directory }) => [name, directory]))(
    '%s: each resolver lives in the file its type and field name',
    async (name, directory) => {
      expect(await misplacedResolvers(await loadSubgraphLayout(name, directory))).toEqual([]);
    },
  );

  it.each(subgraphs.map(({ name, directory }) => [name, directory]))(
    '%s: each field reaches its repository or upstream client in at most three hops',
    async (name, directory) => {
      expect(longChains(await loadSubgraphLayout(name, directory))).toEqual([]);
    },
  );

  it('refuses a chain a hop too long, a resolver running SQL, and a helper that leads to a repository', () => {
    const srcRoot = mkdtempSync(join(tmpdir(), 'subgraph-layout-'));
    const files: Record<string, string> = {
      'resolvers/Query/trips.ts': [
        "import type { Row } from '../../db/trips.repository.ts';",
        "import { listTrips } from '../../trips/trips.service.ts';",
        'export const trips = (): Row[] => listTrips();',
      ].join('\n'),
      'resolvers/Trip.ts': [
        "import { findRows } from '../db/trips.repository.ts';",
        "import { label } from '../trips/label.ts';",
        'export const Trip = { owner: () => findRows(), title: () => label() };',
      ].join('\n'),
      'trips/trips.service.ts': [
        "import { countRows } from '../users/users.service.ts';",
        "import { page } from './paging.ts';",
        'export const listTrips = () => [countRows(), ...page()];',
      ].join('\n'),
      'trips/paging.ts':
        "import { findRows } from '../db/trips.repository.ts';\nexport const page = () => findRows();",
      'trips/label.ts': "export const label = () => 'trip';",
      'users/users.service.ts':
        "import { countRows as count } from '../db/users.repository.ts';\nexport const countRows = () => count();",
      'db/trips.repository.ts': 'export type Row = object;\nexport const findRows = (): Row[] => [];',
      'db/users.repository.ts': 'export const countRows = () => 0;',
    };
    try {
      for (const [file, text] of Object.entries(files)) {
        mkdirSync(dirname(join(srcRoot, file)), { recursive: true });
        writeFileSync(join(srcRoot, file), text);
      }
      const layout: SubgraphLayout = {
        name: 'planted',
        srcRoot,
        types: new Map([
          ['Query', new Set(['trips'])],
          ['Trip', new Set(['owner', 'title'])],
        ]),
        scalars: new Set(),
        resolvers: { Query: { trips: null }, Trip: { owner: null, title: null } },
      };
      const twoServices =
        'trips/trips.service.ts → users/users.service.ts: a service reaches the work through another service';
      const throughHelper =
        'trips/trips.service.ts → trips/paging.ts → db/trips.repository.ts: a helper leads to a repository, a hop more';
      expect(longChains(layout).sort()).toEqual(
        [
          `Query.trips: resolvers/Query/trips.ts → ${twoServices}`,
          `Query.trips: resolvers/Query/trips.ts → ${throughHelper}`,
          'Trip.owner: resolvers/Trip.ts → db/trips.repository.ts: a resolver reaches a repository without a service',
          `trips/trips.service.ts: ${twoServices}`,
          `trips/trips.service.ts: ${throughHelper}`,
        ].sort(),
      );
    } finally {
      rmSync(srcRoot, { recursive: true, force: true });
    }
  });
});
