import net from 'node:net';

export interface RawHttpAnswer {
  status: number;
  /** Header names in lower case. */
  headers: Record<string, string>;
  /** The body, parsed as JSON. */
  json: any;
  /** From connecting to the server closing the connection. */
  elapsedMs: number;
}

/**
 * Writes raw bytes to a server on loopback and reads its JSON answer once it closes the
 * connection: requests fetch would never send (a false Content-Length, headers that never end,
 * paths it would normalise), as a broken or hostile client does.
 */
export function rawHttpExchange(port: number, request: string, giveUpMs = 10_000): Promise<RawHttpAnswer> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = net.connect(port, '127.0.0.1', () => socket.write(request));
    let response = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (response += chunk));
    // A reset after the answer arrived still counts as the answer.
    socket.on('error', () => {});
    socket.on('close', () => {
      const elapsedMs = performance.now() - started;
      try {
        resolve({ ...parseHttpResponse(response), elapsedMs });
      } catch (error) {
        reject(error);
      }
    });
    setTimeout(() => {
      socket.destroy();
      reject(new Error(`connection still open after ${giveUpMs} ms; received ${JSON.stringify(response)}`));
    }, giveUpMs).unref();
  });
}

function parseHttpResponse(raw: string) {
  const [head, body] = raw.split('\r\n\r\n', 2) as [string, string];
  const [statusLine, ...headerLines] = head.split('\r\n');
  const headers = Object.fromEntries(
    headerLines.map((line) => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()];
    }),
  );
  return { status: Number(statusLine!.split(' ')[1]), headers, json: JSON.parse(body) as any };
}
