/** A request as `curl` sends it: what "Copy as curl" puts on the clipboard. */
export interface CurlRequest {
  url: string;
  headers: Record<string, string>;
  body: { query: string; variables?: unknown; operationName?: string | null; extensions?: unknown };
}

/** POSIX shell single quoting: the only character to escape inside '...' is ' itself. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

export function curlCommand(request: CurlRequest): string {
  const body: Record<string, unknown> = { query: request.body.query };
  if (request.body.variables !== undefined && request.body.variables !== null) {
    body.variables = request.body.variables;
  }
  if (request.body.operationName) body.operationName = request.body.operationName;
  if (request.body.extensions !== undefined) body.extensions = request.body.extensions;
  const lines = [`curl ${shellQuote(request.url)}`];
  const headers = { 'content-type': 'application/json', ...request.headers };
  for (const [name, value] of Object.entries(headers)) lines.push(`  -H ${shellQuote(`${name}: ${value}`)}`);
  lines.push(`  --data-raw ${shellQuote(JSON.stringify(body))}`);
  return lines.join(' \\\n');
}
