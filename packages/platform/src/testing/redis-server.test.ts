import { describe, expect, it } from 'vitest';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { freePort, portIsFree } from './redis-server.ts';

describe('portIsFree (choosing cluster node ports)', () => {
  it('answers false for a port something listens on, and true once it is released', async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as AddressInfo;
    expect(await portIsFree(port)).toBe(false);
    await new Promise((resolve) => taken.close(resolve));
    expect(await portIsFree(port)).toBe(true);
  });
});

describe('freePort (services started side by side)', () => {
  it('never hands out the same port twice, though each is closed before the caller binds it', async () => {
    // The kernel reuses a just-closed port often enough that 600 picks repeat one almost always.
    const ports = [];
    for (let i = 0; i < 600; i++) ports.push(await freePort());
    expect(new Set(ports).size).toBe(ports.length);
  });
});
