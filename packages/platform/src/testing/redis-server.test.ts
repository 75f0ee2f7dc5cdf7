import { describe, expect, it } from 'vitest';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { portIsFree } from './redis-server.ts';

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
