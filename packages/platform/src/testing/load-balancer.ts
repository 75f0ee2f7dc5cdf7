import net from 'node:net';
import { once } from 'node:events';

export interface LoadBalancerBackend {
  host?: string;
  port: number;
  /** Polled for readiness: a 200 puts the backend in rotation, anything else takes it out. */
  readyUrl: string;
}

export interface LoadBalancer {
  port: number;
  url(path?: string): string;
  /** Connections each backend was given, by port. */
  readonly connections: Map<number, number>;
  /** The ports in rotation now. */
  ready(): number[];
  close(): Promise<void>;
}

/**
 * A TCP load balancer on loopback, standing in for a Kubernetes Service in tests: each new
 * connection goes to a backend picked at random among those whose readiness answered 200 at the
 * last poll, as kube-proxy picks a ready endpoint. Like a Service, it balances connections, not
 * requests, and it does not retry: a connection to a backend that stopped listening is reset,
 * which its client sees as a connection failure before any answer.
 */
export async function startLoadBalancer(
  backends: LoadBalancerBackend[],
  options: { readinessPollMs?: number } = {},
): Promise<LoadBalancer> {
  const ready = new Set<LoadBalancerBackend>();
  const connections = new Map<number, number>();
  const open = new Set<net.Socket>();
  let closed = false;

  const probe = async (backend: LoadBalancerBackend) => {
    try {
      const response = await fetch(backend.readyUrl, { signal: AbortSignal.timeout(500) });
      await response.arrayBuffer();
      if (response.status === 200) ready.add(backend);
      else ready.delete(backend);
    } catch {
      ready.delete(backend);
    }
  };
  await Promise.all(backends.map(probe));
  const pollMs = options.readinessPollMs ?? 50;
  const poller = setInterval(() => void Promise.all(backends.map(probe)), pollMs);

  const track = (socket: net.Socket) => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
    socket.on('error', () => {});
  };
  const server = net.createServer((client) => {
    track(client);
    const inRotation = [...ready];
    const backend = inRotation[Math.floor(Math.random() * inRotation.length)];
    if (!backend || closed) return void client.resetAndDestroy();
    connections.set(backend.port, (connections.get(backend.port) ?? 0) + 1);
    const upstream = net.connect(backend.port, backend.host ?? '127.0.0.1');
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    // Either side going away ends the other, as a proxied TCP connection does.
    upstream.once('error', () => client.resetAndDestroy());
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  return {
    port,
    url: (path = '') => `http://127.0.0.1:${port}${path}`,
    connections,
    ready: () => [...ready].map((backend) => backend.port),
    close: async () => {
      closed = true;
      clearInterval(poller);
      for (const socket of open) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
