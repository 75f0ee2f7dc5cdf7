export * from './supergraph.ts';
export * from './services.ts';
