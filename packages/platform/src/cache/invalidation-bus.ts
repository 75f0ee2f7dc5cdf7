import type { Redis } from 'ioredis';

type Handler = (raw: string) => void;

/**
 * Where a service's caches announce invalidations (`{ origin, tags?, keys? }` as JSON), so other
 * replicas, and the gateway's response cache, drop what they hold for those tags.
 */
export const invalidationChannel = (service: string, keyPrefix = 'cache') =>
  `${keyPrefix}:${service}:invalidate`;

interface Bus {
  subscriber: Redis;
  handlers: Map<string, Set<Handler>>;
}

/**
 * One pub/sub connection per Redis client for every cache that listens for other replicas'
 * invalidations, instead of one per cache (a service has several caches).
 */
const buses = new WeakMap<Redis, Bus>();

function busFor(redis: Redis): Bus {
  let bus = buses.get(redis);
  if (bus) return bus;
  const subscriber = redis.duplicate();
  const handlers = new Map<string, Set<Handler>>();
  subscriber.on('error', () => {
    // Reported by the main connection; the subscriber reconnects on its own.
  });
  // (Re)subscribe every channel on each (re)connect.
  subscriber.on('ready', () => {
    if (handlers.size) subscriber.subscribe(...handlers.keys()).catch(() => undefined);
  });
  subscriber.on('message', (channel: string, raw: string) => {
    for (const handler of handlers.get(channel) ?? []) handler(raw);
  });
  bus = { subscriber, handlers };
  buses.set(redis, bus);
  return bus;
}

/** Calls `handler` with every message on `channel`; the returned function stops it. */
export function subscribeInvalidations(redis: Redis, channel: string, handler: Handler): () => void {
  const bus = busFor(redis);
  let channelHandlers = bus.handlers.get(channel);
  if (!channelHandlers) {
    channelHandlers = new Set();
    bus.handlers.set(channel, channelHandlers);
    if (bus.subscriber.status === 'ready') bus.subscriber.subscribe(channel).catch(() => undefined);
  }
  channelHandlers.add(handler);
  let stopped = false;
  return () => {
    if (stopped) return;
    stopped = true;
    channelHandlers.delete(handler);
    if (channelHandlers.size) return;
    bus.handlers.delete(channel);
    if (bus.handlers.size) {
      bus.subscriber.unsubscribe(channel).catch(() => undefined);
      return;
    }
    if (buses.get(redis) === bus) buses.delete(redis);
    bus.subscriber.disconnect();
  };
}
