import net from 'node:net';
import { once } from 'node:events';

export type ProxyFault =
  /** Pass bytes through untouched. */
  | { kind: 'forward' }
  /** Hold every chunk, both ways, this long before passing it on. */
  | { kind: 'delay'; ms: number }
  /** Accept and read, never answer: a peer that hangs. */
  | { kind: 'blackhole' }
  /** Accept, then reset the connection (RST): a peer that crashes on every call. */
  | { kind: 'reset' };

export interface FaultProxy {
  url(scheme: string, path?: string): string;
  port: number;
  /** Applies to new and open connections alike. */
  setFault(fault: ProxyFault): void;
  /** Connections accepted since the start. */
  readonly accepted: number;
  /** Resets every open connection (a network cut), keeping the listener. */
  cutAll(): void;
  close(): Promise<void>;
}

/**
 * A TCP proxy on loopback between a service and a dependency, for chaos tests: forwards, delays,
 * black-holes or resets connections on demand. Toxiproxy does this with a server binary of its
 * own, which this environment cannot install; the few faults the tests need fit in node:net.
 */
export async function startFaultProxy(target: { host?: string; port: number }): Promise<FaultProxy> {
  let fault: ProxyFault = { kind: 'forward' };
  let accepted = 0;
  const open = new Set<net.Socket>();
  const track = (socket: net.Socket) => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
    socket.on('error', () => {});
  };
  // Each direction queues its chunks so a delay never reorders bytes.
  const pipe = (from: net.Socket, to: net.Socket) => {
    let chain = Promise.resolve();
    from.on('data', (chunk) => {
      const current = fault;
      if (current.kind === 'blackhole') return;
      if (current.kind === 'reset') return void (from.resetAndDestroy(), to.resetAndDestroy());
      const wait = current.kind === 'delay' ? current.ms : 0;
      chain = chain.then(async () => {
        if (wait) await new Promise((resolve) => setTimeout(resolve, wait));
        if (!to.destroyed) to.write(chunk);
      });
    });
    from.once('end', () => void chain.then(() => to.end()));
    from.once('close', () => void chain.then(() => to.destroy()));
  };

  const server = net.createServer((client) => {
    accepted++;
    track(client);
    if (fault.kind === 'reset') return void client.resetAndDestroy();
    const upstream = net.connect(target.port, target.host ?? '127.0.0.1');
    track(upstream);
    pipe(client, upstream);
    pipe(upstream, client);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  const cutAll = () => {
    for (const socket of open) socket.resetAndDestroy();
  };
  return {
    port,
    url: (scheme, path = '') => `${scheme}://127.0.0.1:${port}${path}`,
    setFault: (next) => void (fault = next),
    get accepted() {
      return accepted;
    },
    cutAll,
    close: async () => {
      cutAll();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
