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

describe('deprecated settings (env.deprecated)', () => {
  const renamed = z
    .object({
      ...baseConfigShape,
      WIDGET_FAILURE_PERCENT: env.int(50, 1, 100),
      WIDGET_FAILURE_RATE: env.deprecated('WIDGET_FAILURE_PERCENT', (rate) =>
        String(Math.round(Number(rate) * 100)),
      ),
      WIDGET_PREFIX: env.deprecated('REDIS_KEY_PREFIX'),
    })
    // Extended schemas (a worker's) keep their fields' deprecations.
    .extend({ EXTRA: env.int(1) });

  const warningsDuring = async (run: () => void) => {
    const warnings: Error[] = [];
    const listener = (warning: Error) => warnings.push(warning);
    process.on('warning', listener);
    try {
      run();
      // process.emitWarning delivers on the next tick.
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', listener);
    }
    return warnings;
  };

  it('read the old name as its successor, converted to its unit, with a DeprecationWarning naming both', async () => {
    let config: z.infer<typeof renamed> | undefined;
    const warnings = await warningsDuring(() => {
      config = loadConfig(renamed, { WIDGET_FAILURE_RATE: '0.3', WIDGET_PREFIX: 'staging' });
    });
    expect(config!.WIDGET_FAILURE_PERCENT).toBe(30);
    expect(config!.REDIS_KEY_PREFIX).toBe('staging');
    expect(warnings.map((warning) => [warning.name, warning.message])).toEqual([
      [
        'DeprecationWarning',
        'WIDGET_FAILURE_RATE is deprecated: set WIDGET_FAILURE_PERCENT instead (read as WIDGET_FAILURE_PERCENT=30).',
      ],
      [
        'DeprecationWarning',
        'WIDGET_PREFIX is deprecated: set REDIS_KEY_PREFIX instead (read as REDIS_KEY_PREFIX=staging).',
      ],
    ]);
    // Once per process: a second load (the all-in-one host loads many configs) says nothing more.
    expect(await warningsDuring(() => loadConfig(renamed, { WIDGET_FAILURE_RATE: '0.3' }))).toEqual([]);
  });

  it('leave the successor alone when both are set, and validate the converted value under its new name', () => {
    const config = loadConfig(renamed, { WIDGET_FAILURE_RATE: '0.3', WIDGET_FAILURE_PERCENT: '70' });
    expect(config.WIDGET_FAILURE_PERCENT).toBe(70);
    expect(loadConfig(renamed, {}).REDIS_KEY_PREFIX).toBe('traveloure');
    expect(() => loadConfig(renamed, { WIDGET_FAILURE_RATE: '3' })).toThrow(/WIDGET_FAILURE_PERCENT/);
  });
});
