import { describe, expect, it } from 'vitest';
import { loadGatewayConfig } from '../config.ts';
import { operationLimitsOf } from './index.ts';

const limitsFor = (env: Record<string, string>) =>
  operationLimitsOf(
    loadGatewayConfig({ JWT_SECRET: 'x'.repeat(40), GATEWAY_SIGNING_SECRET: 'y'.repeat(40), ...env }),
  );

describe('edge settings by environment', () => {
  it('keeps introspection and field suggestions to development unless asked', () => {
    expect(limitsFor({ NODE_ENV: 'development' })).toMatchObject({
      introspectionPublic: true,
      fieldSuggestions: true,
    });
    expect(limitsFor({ NODE_ENV: 'production' })).toMatchObject({
      introspectionPublic: false,
      fieldSuggestions: false,
    });
    expect(limitsFor({ NODE_ENV: 'test' })).toMatchObject({
      introspectionPublic: false,
      fieldSuggestions: false,
    });
  });

  it('lets FIELD_SUGGESTIONS and INTROSPECTION_PUBLIC override the default', () => {
    expect(limitsFor({ NODE_ENV: 'development', FIELD_SUGGESTIONS: 'false' })).toMatchObject({
      fieldSuggestions: false,
    });
    expect(
      limitsFor({ NODE_ENV: 'production', FIELD_SUGGESTIONS: 'true', INTROSPECTION_PUBLIC: 'true' }),
    ).toMatchObject({
      fieldSuggestions: true,
      introspectionPublic: true,
    });
  });
});
