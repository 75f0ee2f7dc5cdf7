/**
 * Who the explorer calls as (nobody, a partner API key, or a development sign-in), and the last
 * response it got (status, headers, timing). Small stores read with useSyncExternalStore, so the
 * top bar, the toolbar, the plugins and the footer all see the same values.
 */
import { useSyncExternalStore } from 'react';

export type Credentials =
  | { kind: 'anonymous' }
  | { kind: 'apiKey'; key: string }
  | { kind: 'user'; token: string; userId: string; name: string; role: string; expiresAt: string };

export interface ResponseMeta {
  status: number;
  statusText: string;
  headers: [string, string][];
  durationMs: number;
  bytes: number;
  label: string;
}

function store<T>(initial: T) {
  let value = initial;
  const listeners = new Set<() => void>();
  return {
    get: () => value,
    set(next: T) {
      value = next;
      for (const listener of listeners) listener();
    },
    subscribe(listener: () => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

const CREDENTIALS_STORAGE = 'traveloure.explorer.credentials';

function storedCredentials(): Credentials {
  try {
    const stored = JSON.parse(sessionStorage.getItem(CREDENTIALS_STORAGE) ?? 'null') as Credentials | null;
    if (stored?.kind === 'apiKey' || stored?.kind === 'user') return stored;
  } catch {
    // A damaged entry is forgotten, not fatal.
  }
  return { kind: 'anonymous' };
}

export const credentials = store<Credentials>(storedCredentials());
credentials.subscribe(() => {
  // Kept for the browser session only: a tab closed forgets the key or token.
  sessionStorage.setItem(CREDENTIALS_STORAGE, JSON.stringify(credentials.get()));
});

export const lastResponse = store<ResponseMeta | undefined>(undefined);

export function useCredentials(): Credentials {
  return useSyncExternalStore(credentials.subscribe, credentials.get);
}

export function useLastResponse(): ResponseMeta | undefined {
  return useSyncExternalStore(lastResponse.subscribe, lastResponse.get);
}

/** The headers that carry the current credentials. */
export function credentialHeaders(current: Credentials = credentials.get()): Record<string, string> {
  if (current.kind === 'apiKey' && current.key.trim()) return { 'x-api-key': current.key.trim() };
  if (current.kind === 'user') return { authorization: `Bearer ${current.token}` };
  return {};
}

/**
 * Every request the explorer sends to the gateway: credentials added, and status, headers,
 * timing and size recorded for the response panel.
 */
export async function sendToGateway(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string },
  label: string,
): Promise<{ response: Response; text: string }> {
  const headers = { ...credentialHeaders(), ...(init.headers ?? {}) };
  const started = performance.now();
  const response = await fetch(url, { ...init, headers });
  const text = await response.text();
  lastResponse.set({
    status: response.status,
    statusText: response.statusText,
    headers: [...response.headers.entries()],
    durationMs: performance.now() - started,
    bytes: new TextEncoder().encode(text).length,
    label,
  });
  return { response, text };
}

/** A JSON answer, or a GraphQL-shaped error that says what came back instead. */
export function parseAnswer(response: Response, text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return {
      errors: [
        { message: `HTTP ${response.status}: the gateway answered ${text.slice(0, 200) || 'nothing'}` },
      ],
    };
  }
}
