import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRedis, type Redis } from '../redis.ts';

/** The shared Redis the machine runs; tests that use it keep to their own key prefix. */
export const testRedisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

// Ports this process has handed out. The port is closed again before the caller binds it, so the
// kernel may give the same one to the next caller meanwhile: two services started side by side
// then collide (EADDRINUSE). A port is never handed out twice by one process.
const handedOut = new Set<number>();

export async function freePort(): Promise<number> {
  for (;;) {
    const server = net.createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as net.AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    return port;
  }
}

export interface PrivateRedis {
  url: string;
  port: number;
  /** Kill the server (to test Redis outages); start() brings it back on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Freeze the server (SIGSTOP): connections stay open but nothing answers; resume() thaws it. */
  pause(): void;
  resume(): void;
}

/**
 * A redis-server of the test's own on a free port, for tests that kill, flush or restart Redis
 * without disturbing the shared one.
 */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(
      process.env.REDIS_SERVER_BIN ?? 'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    await waitForPort(port);
  };
  const stop = async () => {
    if (!child || child.exitCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  };
  await start();
  const signal = (name: NodeJS.Signals) => {
    if (child?.pid && child.exitCode === null) process.kill(child.pid, name);
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    start,
    stop: async () => {
      signal('SIGCONT');
      await stop();
    },
    pause: () => signal('SIGSTOP'),
    resume: () => signal('SIGCONT'),
  };
}

/**
 * A client of `url` made as the services make theirs (createRedis), returned once connected:
 * it has no offline queue, so a command sent before then would fail at once.
 */
export async function connectedRedis(url: string, timeoutMs = 2_000): Promise<Redis> {
  const redis = createRedis(url);
  const deadline = Date.now() + timeoutMs;
  while (redis.status !== 'ready') {
    if (Date.now() > deadline) {
      redis.disconnect();
      throw new Error(`Redis at ${url} not ready after ${timeoutMs} ms (${redis.status})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return redis;
}

export interface PrivateRedisCluster {
  /** The multi-host REDIS_URL of the cluster: every master as a seed. */
  url: string;
  ports: number[];
  stop(): Promise<void>;
}

async function runRedisCli(args: string[]): Promise<string> {
  const child = spawn(process.env.REDIS_CLI_BIN ?? 'redis-cli', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`redis-cli ${args.join(' ')} exited ${code}: ${output}`);
  return output;
}

/**
 * A Redis Cluster of the test's own: `masters` redis-servers (three by default, the smallest
 * cluster redis-cli creates) with cluster mode on, in temporary directories on free ports,
 * joined by `redis-cli --cluster create` and ready once every node reports cluster_state:ok.
 * stop() kills the servers and removes their directories; call it in afterAll.
 */
export async function startRedisCluster(masters = 3): Promise<PrivateRedisCluster> {
  const ports: number[] = [];
  const children: ChildProcess[] = [];
  const directories: string[] = [];
  const stop = async () => {
    await Promise.all(
      children.map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = once(child, 'exit');
        child.kill('SIGKILL');
        await exited;
      }),
    );
    await Promise.all(directories.map((directory) => rm(directory, { recursive: true, force: true })));
  };
  try {
    for (let index = 0; index < masters; index++) {
      const port = await freeClusterPort(ports);
      ports.push(port);
      const directory = await mkdtemp(join(tmpdir(), `redis-cluster-${port}-`));
      directories.push(directory);
      children.push(
        spawn(
          process.env.REDIS_SERVER_BIN ?? 'redis-server',
          [
            '--port',
            String(port),
            '--bind',
            '127.0.0.1',
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            'nodes.conf',
            '--save',
            '',
            '--appendonly',
            'no',
            '--daemonize',
            'no',
            '--dir',
            directory,
          ],
          { stdio: 'ignore' },
        ),
      );
    }
    for (const port of ports) await waitForPort(port);
    await runRedisCli([
      '--cluster',
      'create',
      ...ports.map((port) => `127.0.0.1:${port}`),
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ]);
    for (let attempt = 0; ; attempt++) {
      const states = await Promise.all(
        ports.map((port) => runRedisCli(['-p', String(port), 'cluster', 'info'])),
      );
      if (states.every((info) => info.includes('cluster_state:ok'))) break;
      if (attempt >= 200)
        throw new Error(`redis cluster on ${ports.join(',')} never reached cluster_state:ok`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `redis://${ports.map((port) => `127.0.0.1:${port}`).join(',')}`, ports, stop };
}

export async function portIsFree(port: number): Promise<boolean> {
  const server = net.createServer();
  // Plain listeners, not events.once: once(server, 'listening') rejects on 'error', and that
  // rejection won the race, so a taken port threw EADDRINUSE instead of answering false.
  const free = await new Promise<boolean>((resolve) => {
    server.once('listening', () => resolve(true));
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1');
  });
  if (free) await new Promise((resolve) => server.close(resolve));
  return free;
}

/**
 * A free port whose cluster bus port (port + 10000, where nodes talk to each other) is free too;
 * an ephemeral port from the OS could put the bus past 65535.
 */
async function freeClusterPort(taken: number[]): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 30_000);
    if (taken.includes(port)) continue;
    if ((await portIsFree(port)) && (await portIsFree(port + 10_000))) return port;
  }
  throw new Error('no free port pair for a redis cluster node');
}

async function waitForPort(port: number) {
  for (let attempt = 0; attempt < 100; attempt++) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (up) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`redis-server did not start on port ${port}`);
}
