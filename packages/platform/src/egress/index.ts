export * from './address.ts';
export * from './policy.ts';
