/**
 * Polls `check` until it answers something truthy and returns that, or throws "timed out waiting
 * for <what>" after `timeoutMs`. For what a test can only see from outside: a row another process
 * wrote, a worker that became ready, a replica that caught up.
 */
export async function waitFor<T>(
  check: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
