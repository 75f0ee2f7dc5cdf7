import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { baseConfigShape, checkConfigs, ConfigError, env, loadConfig } from './config.ts';

const schema = z.object({ ...baseConfigShape, TRIP_PORT: env.port(4001), FEATURE: env.boolean(false) });

describe('loadConfig', () => {
  it('applies defaults and coerces values', () => {
    const config = loadConfig(schema, { TRIP_PORT: '5001', FEATURE: 'true' });
    expect(config.TRIP_PORT).toBe(5001);
    expect(config.FEATURE).toBe(true);
    expect(config.PG_POOL_MAX).toBe(10);
    expect(config.DATABASE_URL).toBeUndefined();
  });

  it('names every bad variable in one error', () => {
    let caught: unknown;
    try {
      loadConfig(schema, { TRIP_PORT: 'eighty', DATABASE_URL: 'not a url', LOG_LEVEL: 'loud' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const variables = (caught as ConfigError).issues.map((issue) => issue.variable).sort();
    expect(variables).toEqual(['DATABASE_URL', 'LOG_LEVEL', 'TRIP_PORT']);
    expect((caught as ConfigError).message).toContain('TRIP_PORT');
  });

  it('treats empty strings as unset', () => {
    expect(loadConfig(schema, { DATABASE_URL: '' }).DATABASE_URL).toBeUndefined();
  });

  it('loads demo data by default except in production, unless told', () => {
    expect(loadConfig(schema, {}).SEED_DEMO_DATA).toBe(true);
    const secret = { GATEWAY_SIGNING_SECRET: 'x'.repeat(40) };
    expect(loadConfig(schema, { NODE_ENV: 'production', ...secret }).SEED_DEMO_DATA).toBe(false);
    expect(
      loadConfig(schema, { NODE_ENV: 'production', SEED_DEMO_DATA: 'true', ...secret }).SEED_DEMO_DATA,
    ).toBe(true);
    expect(loadConfig(schema, { SEED_DEMO_DATA: 'false' }).SEED_DEMO_DATA).toBe(false);
  });

  it('refuses the development signing secret in production', () => {
    expect(() => loadConfig(schema, { NODE_ENV: 'production' })).toThrow(/GATEWAY_SIGNING_SECRET/);
    expect(
      loadConfig(schema, { NODE_ENV: 'production', GATEWAY_SIGNING_SECRET: 'x'.repeat(40) }).NODE_ENV,
    ).toBe('production');
  });
});

describe('checkConfigs', () => {
  const gatewaySchema = z.object({ ...baseConfigShape, GATEWAY_PORT: env.port(4000) });
  it('reports every service’s problems at once, each variable once with the services it stops', () => {
    let caught: unknown;
    try {
      checkConfigs(
        [
          { service: 'trip', load: (source) => loadConfig(schema, source) },
          { service: 'gateway', load: (source) => loadConfig(gatewaySchema, source) },
        ],
        { GATEWAY_PORT: '40OO', DATABASE_URL: 'postgres://user:pw@', LOG_FORMAT: 'fancy' },
      );
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const message = (caught as ConfigError).message;
    expect(message).toContain('GATEWAY_PORT (gateway): must be a port number (0 to 65535) (got "40OO")');
    expect(message).toMatch(/LOG_FORMAT \(trip, gateway\): .*"json"\|"pretty"/);
    // A URL may carry a password: its value is never repeated.
    expect(message).toMatch(/DATABASE_URL \(trip, gateway\): Invalid URL$/m);
    expect(message).not.toContain('pw@');
  });

  it('passes when every configuration is good', () => {
    expect(() =>
      checkConfigs([{ service: 'trip', load: (source) => loadConfig(schema, source) }], { TRIP_PORT: '1' }),
    ).not.toThrow();
  });
});
