/**
 * The Traveloure schema explorer: GraphiQL with the docs panel, a field for a partner API key
 * (sent as x-api-key), and the example operations of the persisted-operations manifest as tabs.
 * Bundled with esbuild into explorer/dist and served by the gateway, so it needs no internet.
 */
import { StrictMode, useMemo, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { GraphiQL } from 'graphiql';
import { buildSchema, type GraphQLSchema } from 'graphql';
import 'graphiql/style.css';
import './explorer.css';

interface ExplorerConfig {
  endpoint: string;
  examples: { name: string; body: string }[];
}

const API_KEY_STORAGE = 'traveloure.explorer.apiKey';

function Explorer({ config, schema }: { config: ExplorerConfig; schema: GraphQLSchema | undefined }) {
  const [apiKey, setApiKey] = useState(() => sessionStorage.getItem(API_KEY_STORAGE) ?? '');
  const fetcher = useMemo(
    () =>
      async (
        {
          query,
          variables,
          operationName,
        }: { query: string; variables?: unknown; operationName?: string | null },
        options?: { headers?: Record<string, string> },
      ) => {
        const headers: Record<string, string> = {
          'content-type': 'application/json',
          ...(options?.headers ?? {}),
        };
        if (apiKey.trim()) headers['x-api-key'] = apiKey.trim();
        const response = await fetch(config.endpoint, {
          method: 'POST',
          headers,
          body: JSON.stringify({ query, variables, operationName: operationName ?? undefined }),
        });
        return response.json();
      },
    [apiKey, config.endpoint],
  );
  // The exact manifest text, so the examples also run where only trusted operations are accepted.
  const tabs = config.examples.map((example) => ({ query: example.body }));
  return (
    <div className="explorer">
      <header className="explorer-bar">
        <strong>Traveloure API explorer</strong>
        <label>
          API key
          <input
            id="api-key"
            type="password"
            autoComplete="off"
            placeholder="tvl_..."
            value={apiKey}
            onChange={(event) => {
              setApiKey(event.target.value);
              sessionStorage.setItem(API_KEY_STORAGE, event.target.value);
            }}
          />
        </label>
        <a href="/schema.graphql">schema.graphql</a>
      </header>
      <main className="explorer-main">
        <GraphiQL
          fetcher={fetcher as never}
          schema={schema}
          defaultTabs={tabs.length ? tabs : undefined}
          defaultEditorToolsVisibility="variables"
          shouldPersistHeaders={false}
        />
      </main>
    </div>
  );
}

async function start() {
  const config = (await (await fetch('/explorer/config.json')).json()) as ExplorerConfig;
  let schema: GraphQLSchema | undefined;
  try {
    // The published SDL, so the docs panel works without introspection rights.
    schema = buildSchema(await (await fetch('/schema.graphql')).text());
  } catch {
    schema = undefined; // GraphiQL falls back to introspection (works with a partner key).
  }
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <Explorer config={config} schema={schema} />
    </StrictMode>,
  );
}

void start();
