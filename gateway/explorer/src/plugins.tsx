/**
 * The explorer's own GraphiQL plugins: the persisted operations (run by id, CSV for analysts),
 * the query plan of the current operation, and the schema as SDL.
 */
import { useEffect, useState } from 'react';
import { useGraphiQL, useGraphiQLActions, type GraphiQLPlugin } from '@graphiql/react';
import type { ExplorerConfig, ExplorerOperation } from './config.ts';
import { credentialHeaders, parseAnswer, sendToGateway, useCredentials } from './session.ts';

const icon = (path: string) =>
  function PluginIcon() {
    return (
      <svg viewBox="0 0 24 24" width="1em" height="1em" fill="none" stroke="currentColor" strokeWidth="1.5">
        <path d={path} strokeLinecap="round" strokeLinejoin="round" />
      </svg>
    );
  };

const audienceLabel: Record<ExplorerOperation['audience'], string> = {
  anyone: 'anyone',
  user: 'signed-in user',
  analyst: 'analysts',
  admin: 'admins',
};

function useOpenInNewTab() {
  const { addTab } = useGraphiQLActions();
  const queryEditor = useGraphiQL((state) => state.queryEditor);
  return (body: string) => {
    addTab();
    // addTab empties the editors; the new tab takes what they then hold.
    queryEditor?.setValue(body);
  };
}

function OperationsPane({ config }: { config: ExplorerConfig }) {
  const open = useOpenInNewTab();
  const responseEditor = useGraphiQL((state) => state.responseEditor);
  const { updateActiveTabValues } = useGraphiQLActions();
  const [notice, setNotice] = useState<string>();

  async function runById(operation: ExplorerOperation) {
    open(operation.body);
    const { response, text } = await sendToGateway(
      config.endpoint,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({
          operationName: operation.name,
          extensions: { persistedQuery: { version: 1, sha256Hash: operation.id } },
        }),
      },
      `${operation.name} by id`,
    );
    const pretty = JSON.stringify(parseAnswer(response, text), null, 2);
    responseEditor?.setValue(pretty);
    updateActiveTabValues({ response: pretty });
  }

  async function downloadCsv(operation: ExplorerOperation) {
    // A plain link would not carry the token; fetch it with the credentials, then save it.
    const { response, text } = await sendToGateway(operation.csvUrl!, {}, `${operation.name}.csv`);
    if (!response.ok) {
      const answer = parseAnswer(response, text);
      setNotice(`${response.status}: ${answer.errors?.[0]?.message ?? response.statusText}`);
      return;
    }
    setNotice(undefined);
    const link = document.createElement('a');
    link.href = URL.createObjectURL(new Blob([text], { type: 'text/csv' }));
    link.download = `${operation.name}.csv`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  }

  return (
    <section className="explorer-pane explorer-operations">
      <div className="graphiql-doc-explorer-title">Persisted operations</div>
      <p className="explorer-hint">
        The trusted documents of <code>schema/operations</code>. Run one by its id (the sha-256 of its text),
        as clients do in safelist mode.
      </p>
      {notice ? <p className="explorer-error">{notice}</p> : null}
      <ul>
        {config.operations.map((operation) => (
          <li key={operation.id} data-operation={operation.name}>
            <div className="explorer-operation-head">
              <strong>{operation.name}</strong>
              <span className={`explorer-badge explorer-badge-${operation.audience}`}>
                {audienceLabel[operation.audience]}
              </span>
            </div>
            <code className="explorer-operation-id" title={operation.id}>
              {operation.id}
            </code>
            <div className="explorer-operation-actions">
              <button type="button" className="graphiql-button" onClick={() => open(operation.body)}>
                Open
              </button>
              <button type="button" className="graphiql-button" onClick={() => void runById(operation)}>
                Run by id
              </button>
              {operation.csvUrl ? (
                <>
                  <button
                    type="button"
                    className="graphiql-button"
                    onClick={() => void downloadCsv(operation)}
                  >
                    Download CSV
                  </button>
                  <a className="explorer-csv-link" href={operation.csvUrl}>
                    {operation.csvUrl}
                  </a>
                </>
              ) : null}
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}

function QueryPlanPane({ config }: { config: ExplorerConfig }) {
  const query = useGraphiQL((state) => state.tabs[state.activeTabIndex]?.query ?? '');
  const operationName = useGraphiQL((state) => state.operationName);
  const credentials = useCredentials();
  const [answer, setAnswer] = useState<{ plan?: string; error?: string; code?: string }>({});
  const [refresh, setRefresh] = useState(0);

  useEffect(() => {
    if (!query.trim()) return setAnswer({});
    const controller = new AbortController();
    // Planning follows typing, a moment after it stops.
    const timer = setTimeout(async () => {
      try {
        const response = await fetch(config.planEndpoint, {
          method: 'POST',
          signal: controller.signal,
          headers: { 'content-type': 'application/json', ...credentialHeaders(credentials) },
          body: JSON.stringify({ query, operationName: operationName || undefined }),
        });
        const body = parseAnswer(response, await response.text());
        if (response.ok) setAnswer({ plan: body.plan });
        else setAnswer({ error: body.errors?.[0]?.message, code: body.errors?.[0]?.extensions?.code });
      } catch (error) {
        if (!controller.signal.aborted) setAnswer({ error: String(error) });
      }
    }, 300);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [config.planEndpoint, query, operationName, credentials, refresh]);

  return (
    <section className="explorer-pane explorer-plan">
      <div className="graphiql-doc-explorer-title">Query plan</div>
      <p className="explorer-hint">
        How the gateway splits the current operation across the subgraphs. Open to admins, and to everyone in
        development.{' '}
        <button type="button" className="graphiql-button" onClick={() => setRefresh((n) => n + 1)}>
          Refresh
        </button>
      </p>
      {answer.error ? (
        <p className="explorer-error" data-code={answer.code}>
          {answer.code ? `${answer.code}: ` : ''}
          {answer.error}
        </p>
      ) : null}
      {answer.plan ? <pre className="explorer-plan-text">{answer.plan}</pre> : null}
    </section>
  );
}

function SchemaPane() {
  const [sdl, setSdl] = useState<string>();
  useEffect(() => {
    void fetch('/schema.graphql')
      .then((response) => response.text())
      .then(setSdl);
  }, []);
  return (
    <section className="explorer-pane explorer-schema">
      <div className="graphiql-doc-explorer-title">Schema (SDL)</div>
      <p className="explorer-hint">
        The public API schema, without federation internals.{' '}
        <a className="graphiql-button" href="/schema.graphql" download="schema.graphql">
          Download schema.graphql
        </a>
      </p>
      <pre className="explorer-sdl">{sdl ?? 'Loading…'}</pre>
    </section>
  );
}

export function operationsPlugin(config: ExplorerConfig): GraphiQLPlugin {
  return {
    title: 'Persisted operations',
    icon: icon('M4 6h16M4 12h16M4 18h10'),
    content: () => <OperationsPane config={config} />,
  };
}

export function queryPlanPlugin(config: ExplorerConfig): GraphiQLPlugin {
  return {
    title: 'Query plan',
    icon: icon('M5 4v6a2 2 0 0 0 2 2h10a2 2 0 0 1 2 2v6M5 20v-4M12 12v8'),
    content: () => <QueryPlanPane config={config} />,
  };
}

export const schemaPlugin: GraphiQLPlugin = {
  title: 'Schema (SDL)',
  icon: icon('M8 4 3 12l5 8M16 4l5 8-5 8'),
  content: SchemaPane,
};
