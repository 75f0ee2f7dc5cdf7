export * from './config.ts';
export * from './context.ts';
export * from './tokens.ts';
export { AuthenticationError } from './edge/auth.ts';
export * from './server.ts';
export * from './supergraph.ts';
export * from './signed-data-source.ts';
