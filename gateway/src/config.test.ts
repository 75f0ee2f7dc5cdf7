import { describe, expect, it } from 'vitest';
import { ConfigError, readSubgraphRegistry } from '@traveloure/platform';
import { loadGatewayConfig } from './config.ts';
import { resolveSubgraphUrls } from './server.ts';
import { readSupergraph } from './supergraph.ts';

describe("the gateway's subgraph URL settings", () => {
  const registry = readSubgraphRegistry();

  it('take one <NAME>_URL variable per subgraph of schema/supergraph.yaml, else its routing URL', () => {
    const [first, ...others] = registry;
    const config = loadGatewayConfig({
      NODE_ENV: 'test',
      [first!.urlVariable]: 'http://10.0.0.7:9001/graphql',
    });
    expect(config.subgraphUrls).toEqual(
      Object.fromEntries(
        registry.map(({ name }) => [name, name === first!.name ? 'http://10.0.0.7:9001/graphql' : undefined]),
      ),
    );
    const urls = resolveSubgraphUrls({ config, logger: undefined as never }, readSupergraph());
    expect(urls[first!.name]).toBe('http://10.0.0.7:9001/graphql');
    for (const entry of others) expect(urls[entry.name]).toBe(entry.routingUrl);
  });

  it('refuse a URL variable that is not a URL, naming it', () => {
    const variable = registry.at(-1)!.urlVariable;
    expect(() => loadGatewayConfig({ NODE_ENV: 'test', [variable]: 'nowhere' })).toThrow(ConfigError);
    expect(() => loadGatewayConfig({ NODE_ENV: 'test', [variable]: 'nowhere' })).toThrow(variable);
  });
});
