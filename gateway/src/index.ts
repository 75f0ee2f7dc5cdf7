export * from './config.ts';
export * from './tokens.ts';
export * from './authentication.ts';
export * from './server.ts';
export * from './supergraph.ts';
export * from './signed-data-source.ts';
