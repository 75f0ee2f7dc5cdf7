/**
 * The import rules of the repository (`npm run check:imports`, run by CI): layers point one way
 * (applications over subgraphs over packages), subgraphs know nothing of each other, no import
 * cycles, and every imported package is declared. docs/architecture.md explains the layers.
 */
const applications = '^(gateway|host|tests|scripts)/';

module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      comment:
        'Files that import each other cannot be read, tested or moved one at a time, and that holds for type imports too: a service names the dependencies it takes beside itself, and the context imports that name.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'packages-stay-below',
      comment: 'A package is a library: it imports no subgraph and no application.',
      severity: 'error',
      from: { path: '^packages/' },
      to: { path: ['^subgraphs/', applications] },
    },
    {
      name: 'subgraphs-stay-below-applications',
      comment: 'A subgraph uses packages only; what hosts or routes to it sits above it.',
      severity: 'error',
      from: { path: '^subgraphs/' },
      to: { path: applications },
    },
    {
      name: 'subgraphs-apart',
      comment: 'A subgraph reaches another only through the supergraph or events, never its code.',
      severity: 'error',
      from: { path: '^subgraphs/([^/]+)/' },
      to: { path: '^subgraphs/', pathNot: '^subgraphs/$1/' },
    },
    {
      name: 'gateway-over-http',
      comment: 'The gateway calls the subgraphs over HTTP; it imports neither them nor the host.',
      severity: 'error',
      from: { path: '^gateway/' },
      to: { path: ['^subgraphs/', '^host/'] },
    },
    {
      name: 'gateway-stays-below-tooling',
      comment:
        'Scripts and tests use the gateway, not the other way round (its own tests may build fixtures with a script).',
      severity: 'error',
      from: { path: '^gateway/', pathNot: '[.]test[.]ts$' },
      to: { path: '^(tests|scripts)/' },
    },
    {
      name: 'declared-packages',
      comment:
        'Every package a file imports is declared in its package.json. Test files in a workspace use the test toolchain the root package.json declares (vitest and the like).',
      severity: 'error',
      from: { pathNot: '^(packages|gateway|subgraphs|host)/.*([.]test[.]ts|/test-support[.]ts)$' },
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown'] },
    },
    {
      name: 'resolvable',
      severity: 'error',
      from: {},
      // k6 provides its modules to tests/load itself.
      to: { couldNotResolve: true, pathNot: '^k6(/|$)' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['__generated__', 'gateway/explorer/dist'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // Each workspace declares its own; tests/ and scripts/ belong to the root package.json.
    combinedDependencies: false,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
