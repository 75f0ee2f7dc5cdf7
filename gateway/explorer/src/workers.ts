/**
 * Where Monaco finds its language-service workers: bundled next to the explorer (build.ts), so no
 * CDN is needed and the CSP's `worker-src 'self'` holds. Imported before GraphiQL, which reads
 * MonacoEnvironment when its editors start.
 */
const workerScripts: Record<string, string> = {
  json: '/explorer/workers/json.worker.js',
  graphql: '/explorer/workers/graphql.worker.js',
};

(globalThis as { MonacoEnvironment?: unknown }).MonacoEnvironment = {
  getWorker(_workerId: string, label: string) {
    return new Worker(workerScripts[label] ?? '/explorer/workers/editor.worker.js', { name: label });
  },
};
