import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';

export { Redis, Cluster } from 'ioredis';

/** What a service does without Redis, said in the "running degraded" line. */
export const defaultRedisDegradedMeaning = 'caches in process, rate limits local to this process';

/** How often, at most, a Redis outage that goes on is mentioned again. */
const outageReminderMs = 60_000;

const connectionErrorCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);

/**
 * True for the errors a lost or refused Redis connection raises (ioredis and BullMQ repeat them
 * on every reconnect attempt); the outage reporter speaks for those, so callers need not log them.
 */
export function isRedisConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as NodeJS.ErrnoException).code;
  if (code && connectionErrorCodes.has(code)) return true;
  return /connection is closed|stream isn't writeable|connect timeout|reached the max retries/i.test(
    error.message,
  );
}

/**
 * Log fields for an error of work that needed Redis: just the reason when Redis is away (the
 * service's outage reporter has said so, and a stack adds nothing), the error otherwise.
 */
export function redisErrorFields(error: unknown): { reason: string } | { err: unknown } {
  return isRedisConnectionError(error) ? { reason: (error as Error).message } : { err: error };
}

/** Where a REDIS_URL points: one server, or the seed nodes of a Redis Cluster. */
export interface RedisTarget {
  nodes: { host: string; port: number }[];
  /** Several hosts in the URL: a Redis Cluster (the client learns the other nodes from them). */
  cluster: boolean;
  /** Credentials, TLS and database of the URL, the same for every node. */
  options: RedisOptions;
}

const redisUrlPattern = /^(rediss?):\/\/(?:([^@/?#]*)@)?([^/?#]+)(?:\/(\d*))?(?:[?#].*)?$/;

/**
 * Reads a REDIS_URL. Several comma-separated hosts (`redis://:secret@10.0.0.1:6379,10.0.0.2:6379`,
 * the multi-host form PostgreSQL and MongoDB URLs use) name the seed nodes of a Redis Cluster;
 * one host is a single server (or a proxy in front of one). Throws on anything else.
 */
export function parseRedisUrl(url: string): RedisTarget {
  const match = redisUrlPattern.exec(url.trim());
  if (!match) throw new Error('not a redis:// or rediss:// URL');
  const [, scheme, userinfo, hosts, database] = match;
  const nodes = hosts!.split(',').map((hostPort) => {
    const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(hostPort);
    const [host, port] = bracketed
      ? [bracketed[1]!, bracketed[2]]
      : [hostPort.replace(/:\d+$/, ''), /:(\d+)$/.exec(hostPort)?.[1]];
    const portNumber = port ? Number(port) : 6379;
    if (!host || portNumber < 1 || portNumber > 65_535) throw new Error(`bad host "${hostPort}"`);
    return { host, port: portNumber };
  });
  const options: RedisOptions = {};
  if (userinfo) {
    const [user, ...password] = userinfo.split(':');
    if (user) options.username = decodeURIComponent(user);
    if (password.length) options.password = decodeURIComponent(password.join(':'));
  }
  if (scheme === 'rediss') options.tls = {};
  const cluster = nodes.length > 1;
  // A cluster has only database 0; a number in the URL would be a mistake worth refusing.
  if (database && Number(database) !== 0) {
    if (cluster) throw new Error('a Redis Cluster has only database 0');
    options.db = Number(database);
  }
  return { nodes, cluster, options };
}

/** `host:port` of a Redis URL (every seed of a cluster), never its password. */
export function describeRedisLocation(url: string): string {
  try {
    return parseRedisUrl(url)
      .nodes.map(({ host, port }) => `${host}:${port}`)
      .join(',');
  } catch {
    return 'REDIS_URL';
  }
}

/** True when `redis` is a Redis Cluster client (the URL named several hosts). */
export function isRedisCluster(redis: Redis | Cluster): boolean {
  return redis instanceof Cluster;
}

/**
 * A BullMQ prefix that keeps each queue's keys in one cluster slot: BullMQ's scripts touch many
 * keys of a queue at once, so on a cluster the prefix is a hash tag (`{traveloure}`, the BullMQ
 * documentation's advice). On one server the prefix stays as it was, so queued jobs survive the
 * upgrade.
 */
export function queueKeyPrefix(prefix: string, redisUrl: string): string {
  if (!parseRedisUrl(redisUrl).cluster || /^\{[^}]+\}$/.test(prefix)) return prefix;
  return `{${prefix}}`;
}

/**
 * A connection to the Redis `url` names: a `Redis` for one server, a `Cluster` for several seed
 * hosts. A Cluster answers the same commands (multi-key ones only within a slot, which the key
 * layouts ensure with hash tags), so callers hold it as a `Redis`; `options` apply to every node.
 */
export function connectRedis(url: string, options: RedisOptions = {}): Redis {
  const target = parseRedisUrl(url);
  if (!target.cluster) return new Redis(url, options);
  const { enableOfflineQueue, lazyConnect, retryStrategy, ...nodeOptions } = options;
  const clusterOptions: ClusterOptions = {
    redisOptions: { ...target.options, ...nodeOptions },
    ...(enableOfflineQueue !== undefined ? { enableOfflineQueue } : {}),
    ...(lazyConnect !== undefined ? { lazyConnect } : {}),
    ...(retryStrategy ? { clusterRetryStrategy: (attempt) => retryStrategy(attempt) ?? null } : {}),
    // With TLS, connect by the names given rather than resolved addresses, so certificates match.
    ...(target.options.tls ? { dnsLookup: (address, callback) => callback(null, address) } : {}),
  };
  return new Cluster(target.nodes, clusterOptions) as unknown as Redis;
}

function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 120) return `${seconds} s`;
  return `${Math.round(seconds / 60)} min`;
}

/**
 * One voice per service for the state of its Redis. A service holds several connections (its
 * own client, one per BullMQ queue and worker) and ioredis reports every failed reconnect of
 * each, which used to print hundreds of stack traces a minute. The reporter says once that Redis
 * is unreachable and what that means, reminds at most once a minute while the outage goes on,
 * and says once that it is back when every connection that had failed is ready again.
 */
export class RedisOutageReporter {
  private readonly failing = new Set<Redis>();
  private downSince: number | undefined;
  private lastMention = 0;

  constructor(
    private readonly logger: Logger | undefined,
    private readonly where: string,
    private degraded: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** A connection of the service: its failures and recoveries count toward the outage. */
  track(redis: Redis): Redis {
    redis.on('error', (error: Error) => this.failed(redis, error));
    redis.on('ready', () => this.recovered(redis));
    // A connection closed on purpose (shutdown) no longer holds the outage open.
    redis.on('end', () => this.failing.delete(redis));
    return redis;
  }

  /** The first creator's description wins unless a later one is more specific (given explicitly). */
  describeDegraded(meaning: string) {
    this.degraded = meaning;
  }

  get isDown(): boolean {
    return this.downSince !== undefined;
  }

  private failed(redis: Redis, error: Error) {
    this.failing.add(redis);
    const now = this.now();
    const reason = (error as NodeJS.ErrnoException).code ?? error.message;
    if (this.downSince === undefined) {
      this.downSince = now;
      this.lastMention = now;
      this.logger?.warn(
        { redis: this.where, reason },
        `Redis at ${this.where} is unreachable (${reason}): running degraded: ${this.degraded}`,
      );
      return;
    }
    if (now - this.lastMention >= outageReminderMs) {
      this.lastMention = now;
      this.logger?.warn(
        { redis: this.where, reason, downForMs: now - this.downSince },
        `Redis at ${this.where} still unreachable after ${formatDuration(now - this.downSince)} (${reason}): still running degraded`,
      );
    }
  }

  private recovered(redis: Redis) {
    this.failing.delete(redis);
    if (this.downSince === undefined || this.failing.size > 0) return;
    const downForMs = this.now() - this.downSince;
    this.downSince = undefined;
    this.logger?.info(
      { redis: this.where, downForMs },
      `Redis at ${this.where} is back after ${formatDuration(downForMs)}: shared caches and limits again`,
    );
  }
}

// Keyed by the service a logger speaks for and the Redis URL: every connection one service makes
// to one Redis shares a reporter, so an outage is one line per service, not one per connection.
const reporters = new Map<string, RedisOutageReporter>();

function serviceOf(logger: Logger | undefined): string {
  if (!logger) return '';
  const bindings = logger.bindings() as { service?: string; subgraph?: string };
  return `${bindings.service ?? ''}/${bindings.subgraph ?? ''}`;
}

/** The outage reporter of the service `logger` speaks for, for the Redis at `url`. */
export function redisOutageReporter(url: string, logger?: Logger, degraded?: string): RedisOutageReporter {
  const key = `${serviceOf(logger)}|${url}`;
  let reporter = reporters.get(key);
  if (!reporter) {
    reporter = new RedisOutageReporter(
      logger,
      describeRedisLocation(url),
      degraded ?? defaultRedisDegradedMeaning,
    );
    // Without a logger nothing is said, and nothing needs to be remembered.
    if (logger) reporters.set(key, reporter);
  } else if (degraded) {
    reporter.describeDegraded(degraded);
  }
  return reporter;
}

/**
 * A Redis client that fails fast instead of queueing commands forever while Redis is down, so
 * callers (cache, rate limiter) can fall back to their in-process paths at once. A Redis that
 * accepts the connection but stops answering (frozen, overloaded) fails commands after
 * `commandTimeout` (1 s by default) for the same reason. Not for blocking commands or BullMQ,
 * which make their own connections (and report them with redisOutageReporter). `degraded` says
 * what the service does while Redis is away, for the one line that announces an outage.
 */
export function createRedis(
  url: string,
  logger?: Logger,
  options: RedisOptions = {},
  degraded?: string,
): Redis {
  const redis = connectRedis(url, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectTimeout: 2_000,
    commandTimeout: 1_000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    lazyConnect: false,
    ...options,
  });
  // Also keeps an 'error' listener on the client, without which ioredis would crash the process.
  redisOutageReporter(url, logger, degraded).track(redis);
  return redis;
}

export async function pingRedis(redis: Redis) {
  if (redis.status !== 'ready') throw new Error(`redis ${redis.status}`);
  await redis.ping();
}
