/**
 * The Traveloure schema explorer: GraphiQL 5 with the docs, history and "build from docs"
 * (@graphiql/plugin-explorer) plugins, plus our own: persisted operations, the query plan of the
 * current operation and the SDL. A top bar carries the credentials (a partner API key, or in
 * development a sign-in as one of the demo users); the toolbar copies the request as curl; the
 * footer shows the response's status, headers and timing.
 * Bundled with esbuild into explorer/dist and served by the gateway, so it needs no internet.
 */
import './workers.ts';
import { StrictMode, useMemo, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { GraphiQL } from 'graphiql';
import { ToolbarButton, useGraphiQL } from '@graphiql/react';
import { explorerPlugin } from '@graphiql/plugin-explorer';
import { buildSchema, type GraphQLSchema } from 'graphql';
import 'graphiql/style.css';
import '@graphiql/plugin-explorer/style.css';
import './explorer.css';
import type { ExplorerConfig } from './config.ts';
import { curlCommand } from './curl.ts';
import { operationsPlugin, queryPlanPlugin, schemaPlugin } from './plugins.tsx';
import {
  credentialHeaders,
  credentials,
  parseAnswer,
  sendToGateway,
  useCredentials,
  useLastResponse,
} from './session.ts';

type FetcherParams = {
  query: string;
  variables?: unknown;
  operationName?: string | null;
  extensions?: unknown;
};

function CredentialsBar({ config }: { config: ExplorerConfig }) {
  const current = useCredentials();
  const [signInError, setSignInError] = useState<string>();

  async function signInAs(userId: string) {
    setSignInError(undefined);
    if (!userId) return credentials.set({ kind: 'anonymous' });
    const response = await fetch(config.signInEndpoint!, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId }),
    });
    const answer = parseAnswer(response, await response.text());
    if (!response.ok) return setSignInError(answer.errors?.[0]?.message ?? `HTTP ${response.status}`);
    credentials.set({
      kind: 'user',
      token: answer.token,
      userId: answer.user.id,
      name: answer.user.name,
      role: answer.user.role,
      expiresAt: answer.expiresAt,
    });
  }

  return (
    <header className="explorer-bar">
      <strong className="explorer-title">Traveloure API</strong>
      {config.development ? <span className="explorer-badge">development</span> : null}
      <label>
        API key
        <input
          id="api-key"
          type="password"
          autoComplete="off"
          placeholder="tvl_..."
          value={current.kind === 'apiKey' ? current.key : ''}
          onChange={(event) =>
            credentials.set(
              event.target.value ? { kind: 'apiKey', key: event.target.value } : { kind: 'anonymous' },
            )
          }
        />
      </label>
      {config.signInEndpoint ? (
        <label>
          Sign in as
          <select
            id="sign-in-as"
            value={current.kind === 'user' ? current.userId : ''}
            onChange={(event) => void signInAs(event.target.value)}
          >
            <option value="">nobody (anonymous)</option>
            {config.demoUsers.map((user) => (
              <option key={user.id} value={user.id}>
                {user.name} ({user.role})
              </option>
            ))}
          </select>
        </label>
      ) : null}
      <span className="explorer-identity" id="identity">
        {current.kind === 'user'
          ? `signed in as ${current.name} (${current.role})`
          : current.kind === 'apiKey'
            ? 'calling with an API key'
            : 'anonymous'}
      </span>
      {signInError ? <span className="explorer-error">{signInError}</span> : null}
      <a className="explorer-schema-link" href="/schema.graphql" download="schema.graphql">
        schema.graphql
      </a>
    </header>
  );
}

function CopyAsCurlButton({ endpoint }: { endpoint: string }) {
  const tab = useGraphiQL((state) => state.tabs[state.activeTabIndex]);
  const operationName = useGraphiQL((state) => state.operationName);
  const [command, setCommand] = useState<string>();

  function copy() {
    let variables: unknown;
    let headers: Record<string, string> = {};
    try {
      variables = tab?.variables?.trim() ? JSON.parse(tab.variables) : undefined;
      headers = tab?.headers?.trim() ? (JSON.parse(tab.headers) as Record<string, string>) : {};
    } catch {
      // Broken JSON in an editor: copy what is valid and leave the rest out.
    }
    const text = curlCommand({
      url: new URL(endpoint, location.href).href,
      headers: { ...credentialHeaders(), ...headers },
      body: { query: tab?.query ?? '', variables, operationName },
    });
    setCommand(text);
    void navigator.clipboard?.writeText(text).catch(() => {
      // Without clipboard rights the command still shows, ready to select.
    });
  }

  return (
    <>
      <ToolbarButton onClick={copy} label="Copy as curl" className="explorer-copy-curl">
        <svg viewBox="0 0 24 24" className="graphiql-toolbar-icon" aria-hidden="true" fill="none">
          <path d="M4 17l6-5-6-5M12 19h8" stroke="currentColor" strokeWidth="1.5" strokeLinecap="round" />
        </svg>
      </ToolbarButton>
      {command ? (
        <div className="explorer-curl" role="dialog" aria-label="curl command">
          <div className="explorer-curl-head">
            Copied to the clipboard (it carries your credentials)
            <button type="button" className="graphiql-button" onClick={() => setCommand(undefined)}>
              Close
            </button>
          </div>
          <pre>{command}</pre>
        </div>
      ) : null}
    </>
  );
}

function ResponseFooter() {
  const meta = useLastResponse();
  if (!meta) return <div className="explorer-response-meta">No request sent yet.</div>;
  return (
    <details className="explorer-response-meta">
      <summary>
        <span
          className={meta.status < 400 ? 'explorer-status-ok' : 'explorer-status-error'}
          id="response-status"
        >
          {meta.status} {meta.statusText}
        </span>
        {' · '}
        <span id="response-time">{Math.round(meta.durationMs)} ms</span>
        {' · '}
        {meta.bytes} bytes · {meta.label} · headers
      </summary>
      <table className="explorer-response-headers">
        <tbody>
          {meta.headers.map(([name, value]) => (
            <tr key={name}>
              <th>{name}</th>
              <td>{value}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}

function Explorer({ config, schema }: { config: ExplorerConfig; schema: GraphQLSchema | undefined }) {
  const fetcher = useMemo(
    () => async (params: FetcherParams, options?: { headers?: Record<string, string> }) => {
      const { response, text } = await sendToGateway(
        config.endpoint,
        {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'application/graphql-response+json, application/json',
            ...(options?.headers ?? {}),
          },
          body: JSON.stringify({
            query: params.query,
            variables: params.variables,
            operationName: params.operationName ?? undefined,
            extensions: params.extensions,
          }),
        },
        params.operationName ?? 'operation',
      );
      return parseAnswer(response, text);
    },
    [config.endpoint],
  );
  const plugins = useMemo(
    () => [
      explorerPlugin({ showAttribution: false }),
      operationsPlugin(config),
      queryPlanPlugin(config),
      schemaPlugin,
    ],
    [config],
  );
  // The exact manifest text, so the examples also run where only trusted operations are accepted;
  // the server lists first what anyone can run, so the first tab works before signing in.
  const tabs = config.operations
    .filter((operation) => operation.type === 'query')
    .map((operation) => ({ query: operation.body }));
  return (
    <div className="explorer graphiql-container">
      <CredentialsBar config={config} />
      <main className="explorer-main">
        <GraphiQL
          fetcher={fetcher as never}
          schema={schema}
          plugins={plugins}
          defaultTabs={tabs.length ? tabs : undefined}
          defaultEditorToolsVisibility="variables"
          shouldPersistHeaders={false}
        >
          <GraphiQL.Toolbar>
            {({ prettify, merge, copy }) => (
              <>
                {prettify}
                {merge}
                {copy}
                <CopyAsCurlButton endpoint={config.endpoint} />
              </>
            )}
          </GraphiQL.Toolbar>
          <GraphiQL.Footer>
            <ResponseFooter />
          </GraphiQL.Footer>
        </GraphiQL>
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
