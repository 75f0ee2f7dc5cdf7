export * from './viewer.ts';
export * from './roles.ts';
export * from './ids.ts';
export * from './iata.ts';
export * from './user-input.ts';
export * from './loader-order.ts';
export * from './input.ts';
