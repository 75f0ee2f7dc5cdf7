/**
 * The stack the hostile suite attacks: the gateway and the four subgraphs, each its own child
 * process started as the container image starts it (`node --import tsx <entry>`), in production
 * settings (NODE_ENV=production, a fresh PostgreSQL database, a private Redis, real secrets), so a
 * crash is an exit we see and every log line is one we read.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import {
  createTestDatabase,
  freePort,
  productionServiceEnv,
  startPrivateRedis,
  type PrivateRedis,
  type TestDatabase,
} from '@traveloure/testing';

const root = resolve(import.meta.dirname, '../..');

export const serviceEntries = {
  trip: 'subgraphs/trip/src/index.ts',
  ai: 'subgraphs/ai/src/index.ts',
  search: 'subgraphs/search/src/index.ts',
  notification: 'subgraphs/notification/src/index.ts',
  gateway: 'gateway/src/main.ts',
} as const;
export type StackService = keyof typeof serviceEntries;
export type SubgraphName = Exclude<StackService, 'gateway'>;
export const subgraphNames: SubgraphName[] = ['trip', 'ai', 'search', 'notification'];

const portVariables: Record<StackService, string> = {
  trip: 'TRIP_PORT',
  ai: 'AI_PORT',
  search: 'SEARCH_PORT',
  notification: 'NOTIFICATION_PORT',
  gateway: 'GATEWAY_PORT',
};

export interface LogLine {
  service: StackService;
  level: number | string;
  msg?: string;
  raw: string;
  at?: number;
}

export interface RunningProcess {
  name: StackService;
  port: number;
  baseUrl: string;
  child: ChildProcess;
  exit?: { code: number | null; signal: NodeJS.Signals | null };
}

export interface HostileStack {
  gatewayUrl: string;
  subgraphUrl: Record<SubgraphName, string>;
  processes: Record<StackService, RunningProcess>;
  jwtSecret: string;
  signingSecret: string;
  /** The services' database, for fixtures the API cannot make in production (experts). */
  databaseUrl: string;
  /** Every line each service wrote, parsed (non-JSON lines kept raw with level 'raw'). */
  logs: LogLine[];
  /** Processes that have exited since start. */
  exited(): RunningProcess[];
  /**
   * The last identity header the gateway sent to `subgraph` for `userId`: a real signature, so
   * direct calls (IDOR through `_entities`, cross-subgraph replay) need not know how it is made.
   */
  capturedIdentity(subgraph: SubgraphName, userId: string): string | undefined;
  /** Each service's /health and /health/ready (status codes), for after-batch checks. */
  health(): Promise<Record<StackService, { live: number; ready: number; readyStatus?: string }>>;
  close(): Promise<void>;
}

/** Numeric pino level, whether the logger prints labels (`"level":"error"`) or numbers. */
export function levelNumber(level: number | string): number {
  if (typeof level === 'number') return level;
  return { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 }[level] ?? 0;
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string, dead: () => string) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const gone = dead();
    if (gone) throw new Error(`${what}: ${gone}`);
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what}: not up after ${timeoutMs} ms`);
}

export async function startHostileStack(
  options: { env?: Record<string, string>; startTimeoutMs?: number } = {},
): Promise<HostileStack> {
  const database: TestDatabase = await createTestDatabase('hostile');
  let redis: PrivateRedis | undefined;
  const processes = {} as Record<StackService, RunningProcess>;
  const logs: LogLine[] = [];
  const jwtSecret = `hostile-jwt-${randomBytes(24).toString('hex')}`;
  const signingSecret = `hostile-signing-${randomBytes(24).toString('hex')}`;
  const captured = new Map<string, string>();
  const proxies: http.Server[] = [];
  const proxyUrls = {} as Record<SubgraphName, string>;

  const close = async () => {
    await Promise.all(
      Object.values(processes).map(async (running) => {
        if (running.exit || running.child.exitCode !== null) return;
        const exited = new Promise((r) => running.child.once('exit', r));
        running.child.kill('SIGTERM');
        const timer = setTimeout(() => running.child.kill('SIGKILL'), 8_000);
        await exited;
        clearTimeout(timer);
      }),
    );
    for (const proxy of proxies) {
      proxy.closeAllConnections();
      await new Promise((r) => proxy.close(r));
    }
    await redis?.stop();
    await database.drop();
  };

  try {
    redis = await startPrivateRedis();
    const names = Object.keys(serviceEntries) as StackService[];
    const ports = Object.fromEntries(
      await Promise.all(names.map(async (name) => [name, await freePort()] as const)),
    ) as Record<StackService, number>;
    const baseUrl = (name: StackService) => `http://127.0.0.1:${ports[name]}`;
    for (const name of subgraphNames) {
      const proxy = await captureProxy(name, ports[name], captured);
      proxies.push(proxy.server);
      proxyUrls[name] = proxy.url;
    }
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      ...productionServiceEnv({
        databaseUrl: database.url,
        redisUrl: redis.url,
        jwtSecret,
        signingSecret,
        poolMax: 4,
      }),
      SHUTDOWN_GRACE_MS: '5000',
      // Background jobs add load and log lines that have nothing to do with the requests sent.
      SEARCH_WARM_INTERVAL_MS: '0',
      TRIP_POPULARITY_REFRESH_MS: '0',
      // /metrics has a listener of its own (9464 in production): a free one each, on loopback.
      METRICS_PORT: '0',
      METRICS_HOST: '127.0.0.1',
      ...Object.fromEntries(names.map((name) => [portVariables[name], String(ports[name])])),
      TRIP_URL: `${proxyUrls.trip}/graphql`,
      AI_URL: `${proxyUrls.ai}/graphql`,
      SEARCH_URL: `${proxyUrls.search}/graphql`,
      NOTIFICATION_URL: `${proxyUrls.notification}/graphql`,
      ...options.env,
    };

    const spawnService = (name: StackService) => {
      const child = spawn(process.execPath, ['--import', 'tsx', serviceEntries[name]], {
        cwd: root,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const running: RunningProcess = { name, port: ports[name], baseUrl: baseUrl(name), child };
      child.once('exit', (code, signal) => (running.exit = { code, signal }));
      for (const stream of [child.stdout!, child.stderr!]) {
        createInterface({ input: stream }).on('line', (raw) => {
          if (!raw.trim()) return;
          try {
            const parsed = JSON.parse(raw) as { level?: number | string; msg?: string };
            logs.push({ service: name, level: parsed.level ?? 'raw', msg: parsed.msg, raw });
          } catch {
            // A stack dump arrives as many lines at once: keep it as one entry.
            const previous = logs.at(-1);
            if (
              previous?.service === name &&
              previous.level === 'raw' &&
              Date.now() - (previous.at ?? 0) < 50
            ) {
              previous.raw += `\n${raw}`;
              previous.at = Date.now();
            } else logs.push({ service: name, level: 'raw', raw, at: Date.now() });
          }
        });
      }
      processes[name] = running;
    };

    const timeout = options.startTimeoutMs ?? 360_000;
    const deadText = (running: RunningProcess) => () => {
      if (!running.exit) return '';
      const tail = logs
        .filter((line) => line.service === running.name)
        .slice(-10)
        .map((line) => line.raw)
        .join('\n');
      return `exited ${running.exit.code ?? running.exit.signal}\n${tail}`;
    };
    const ready = (name: StackService) =>
      waitFor(
        async () => (await fetch(`${baseUrl(name)}/health/ready`)).status === 200,
        timeout,
        `${name} did not start`,
        deadText(processes[name]),
      );
    // All at once: the gateway reads the composed supergraph from its file and does not need
    // the subgraphs up to start, and on two cores the start is mostly compiling TypeScript.
    for (const name of names) spawnService(name);
    await Promise.all(names.map(ready));

    return {
      gatewayUrl: `${baseUrl('gateway')}/graphql`,
      subgraphUrl: Object.fromEntries(
        subgraphNames.map((name) => [name, `${baseUrl(name)}/graphql`]),
      ) as Record<SubgraphName, string>,
      processes,
      jwtSecret,
      signingSecret,
      databaseUrl: database.url,
      logs,
      capturedIdentity: (subgraph, userId) => captured.get(`${subgraph}:${userId}`),
      exited: () => Object.values(processes).filter((running) => running.exit !== undefined),
      health: async () => {
        const entries = await Promise.all(
          names.map(async (name) => {
            const probe = async (path: string) => {
              try {
                const response = await fetch(`${baseUrl(name)}${path}`, {
                  signal: AbortSignal.timeout(5_000),
                });
                const body = (await response.json().catch(() => ({}))) as { status?: string };
                return { status: response.status, body };
              } catch {
                return { status: 0, body: {} as { status?: string } };
              }
            };
            const [live, ready] = await Promise.all([probe('/health'), probe('/health/ready')]);
            return [
              name,
              { live: live.status, ready: ready.status, readyStatus: ready.body.status },
            ] as const;
          }),
        );
        return Object.fromEntries(entries) as Record<
          StackService,
          { live: number; ready: number; readyStatus?: string }
        >;
      },
      close,
    };
  } catch (error) {
    await close().catch(() => {});
    throw error;
  }
}

/**
 * A pass-through in front of one subgraph that remembers the identity header the gateway signed
 * for each user. Only the gateway talks to it, with well-formed requests.
 */
async function captureProxy(name: SubgraphName, targetPort: number, captured: Map<string, string>) {
  const server = http.createServer((req, res) => {
    const header = req.headers['x-traveloure-identity'];
    if (typeof header === 'string') {
      try {
        const payload = JSON.parse(Buffer.from(header.split('.')[1] ?? '', 'base64url').toString()) as {
          identity?: { user?: { id?: string } };
        };
        const userId = payload.identity?.user?.id;
        if (userId) captured.set(`${name}:${userId}`, header);
      } catch {
        // not a JWT: nothing to remember
      }
    }
    const upstream = http.request(
      { host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers: req.headers },
      (upstreamResponse) => {
        res.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.headers);
        upstreamResponse.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}
