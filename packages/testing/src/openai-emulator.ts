/**
 * An OpenAI-compatible chat-completions server for tests and local runs: it speaks the real
 * wire protocol (the `openai` SDK talks to it unchanged) and can be told to misbehave.
 *
 *   POST /v1/chat/completions   answers; with response_format json_schema named `itinerary` it
 *                               writes an itinerary from the candidates in the last user message
 *   POST /control               { "mode": "slow", "delayMs": 5000, "times": 2 } (times omitted: until changed;
 *                               "then": the mode after those times, `ok` when omitted)
 *   GET  /control               the current mode and request count
 *
 * Modes: ok, slow (answer after delayMs), rate-limited (429 with retry-after), error (500),
 * malformed (content is not JSON), refusal (a refusal message), wrong-shape (JSON of the wrong shape),
 * repeated-place (a schema-valid itinerary that visits the same sight every day).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';

export const emulatorModes = [
  'ok',
  'slow',
  'rate-limited',
  'error',
  'malformed',
  'refusal',
  'wrong-shape',
  'repeated-place',
] as const;
export type EmulatorMode = (typeof emulatorModes)[number];

export interface ChatRequestBody {
  model: string;
  messages: { role: string; content: string }[];
  response_format?: { type: string; json_schema?: { name?: string; schema?: unknown; strict?: boolean } };
}

export interface OpenAiEmulator {
  url: string;
  /**
   * The mode for the next `times` requests (all of them when times is omitted); then `then`
   * (default `ok`) until changed. `delayMs` applies to `slow` in either place.
   */
  setMode(mode: EmulatorMode, options?: { delayMs?: number; times?: number; then?: EmulatorMode }): void;
  readonly requests: ChatRequestBody[];
  reset(): void;
  close(): Promise<void>;
}

interface Candidate {
  name: string;
  category: string;
  latitude: number;
  longitude: number;
  durationMinutes: number;
  opens: string;
}

export async function startOpenAiEmulator(
  options: { port?: number; apiKey?: string } = {},
): Promise<OpenAiEmulator> {
  let mode: EmulatorMode = 'ok';
  let delayMs = 0;
  let remaining: number | undefined;
  let after: EmulatorMode = 'ok';
  const requests: ChatRequestBody[] = [];
  const sockets = new Set<import('node:net').Socket>();

  const takeMode = (): EmulatorMode => {
    const current = mode;
    if (remaining !== undefined && --remaining <= 0) {
      mode = after;
      remaining = undefined;
    }
    return current;
  };

  const server = http.createServer(async (req, res) => {
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');

    if (req.url === '/control') {
      if (req.method === 'POST') {
        const body = JSON.parse(raw || '{}') as {
          mode?: EmulatorMode;
          delayMs?: number;
          times?: number;
          then?: EmulatorMode;
        };
        const known = (value: unknown): value is EmulatorMode =>
          emulatorModes.includes(value as EmulatorMode);
        if (!known(body.mode) || (body.then !== undefined && !known(body.then))) {
          return send(400, { error: `mode and then must be one of ${emulatorModes.join(', ')}` });
        }
        emulator.setMode(body.mode, body);
      }
      return send(200, { mode, delayMs, remaining, then: after, requests: requests.length });
    }
    if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
      return send(404, { error: { message: 'not found', type: 'invalid_request_error' } });
    }
    if (options.apiKey && req.headers.authorization !== `Bearer ${options.apiKey}`) {
      return send(401, {
        error: {
          message: 'Incorrect API key provided',
          type: 'invalid_request_error',
          code: 'invalid_api_key',
        },
      });
    }
    let body: ChatRequestBody;
    try {
      body = JSON.parse(raw) as ChatRequestBody;
    } catch {
      return send(400, { error: { message: 'body is not JSON', type: 'invalid_request_error' } });
    }
    requests.push(body);
    const current = takeMode();
    if (current === 'slow') await new Promise((resolve) => setTimeout(resolve, delayMs));
    if (res.destroyed) return;
    if (current === 'rate-limited') {
      return send(
        429,
        { error: { message: 'Rate limit reached', type: 'rate_limit_error' } },
        { 'retry-after': '1' },
      );
    }
    if (current === 'error')
      return send(500, { error: { message: 'The server had an error', type: 'server_error' } });

    const wantsItinerary = body.response_format?.type === 'json_schema';
    let content: string | null;
    let refusal: string | null = null;
    if (current === 'refusal') {
      content = null;
      refusal = "I'm sorry, I can't help with that request.";
    } else if (current === 'malformed') {
      content = wantsItinerary ? '{"days": [ {"date": "2027-01-01", "activities": [' : '';
    } else if (current === 'wrong-shape') {
      content = JSON.stringify({ itinerary: 'see you there' });
    } else {
      content = wantsItinerary
        ? JSON.stringify(itineraryFor(body, current === 'repeated-place'))
        : chatAnswer(body);
    }
    send(200, {
      id: `chatcmpl-${randomUUID()}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: body.model,
      choices: [
        { index: 0, message: { role: 'assistant', content, refusal }, finish_reason: 'stop', logprobs: null },
      ],
      usage: {
        prompt_tokens: raw.length >> 2,
        completion_tokens: (content?.length ?? 0) >> 2,
        total_tokens: (raw.length + (content?.length ?? 0)) >> 2,
      },
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const emulator: OpenAiEmulator = {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    setMode(next, settings = {}) {
      mode = next;
      delayMs = settings.delayMs ?? 0;
      remaining = settings.times;
      after = settings.then ?? 'ok';
    },
    reset() {
      mode = 'ok';
      delayMs = 0;
      remaining = undefined;
      after = 'ok';
      requests.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  return emulator;
}

/**
 * A schema-valid itinerary from the request's candidates: two unused sights (while they last),
 * lunch and dinner a day; with `repeat`, the first sight every day.
 */
function itineraryFor(body: ChatRequestBody, repeat = false) {
  const last = [...body.messages].reverse().find((message) => message.role === 'user');
  const request = JSON.parse(last?.content ?? '{}') as {
    dates?: string[];
    candidates?: Candidate[];
    trip?: { travelers?: number };
  };
  const dates = request.dates ?? [];
  const sights = (request.candidates ?? []).filter((candidate) => candidate.category !== 'FOOD');
  const travelers = request.trip?.travelers ?? 1;
  let next = 0;
  return {
    days: dates.map((date) => {
      const picks = (repeat ? [sights[0]] : [sights[next++], sights[next++]]).filter(
        (pick): pick is Candidate => Boolean(pick),
      );
      const first = picks[0];
      return {
        date,
        activities: [
          ...picks.map((pick, index) => ({
            title: pick.name,
            description: `A visit to ${pick.name}.`,
            category: pick.category,
            kind: 'ACTIVITY' as const,
            startTime: index === 0 ? '10:00' : '15:00',
            durationMinutes: Math.min(pick.durationMinutes, 120),
            latitude: pick.latitude,
            longitude: pick.longitude,
            estimatedCostUsd: 20 * travelers,
          })),
          {
            title: 'Lunch at a local bistro',
            description: 'A relaxed lunch nearby.',
            category: 'MEAL',
            kind: 'MEAL' as const,
            startTime: '12:30',
            durationMinutes: 60,
            latitude: first?.latitude ?? 0,
            longitude: first?.longitude ?? 0,
            estimatedCostUsd: 25 * travelers,
          },
          {
            title: 'Dinner in the old town',
            description: 'Dinner with local specialities.',
            category: 'MEAL',
            kind: 'MEAL' as const,
            startTime: '19:30',
            durationMinutes: 90,
            latitude: first?.latitude ?? 0,
            longitude: first?.longitude ?? 0,
            estimatedCostUsd: 40 * travelers,
          },
        ],
      };
    }),
  };
}

function chatAnswer(body: ChatRequestBody): string {
  const last = [...body.messages].reverse().find((message) => message.role === 'user');
  const system = body.messages.find((message) => message.role === 'system')?.content ?? '';
  const destination = /"destinationCode":"([A-Z]{3})"/.exec(system)?.[1];
  return `Happy to help with "${(last?.content ?? '').slice(0, 80)}"${destination ? ` for your trip to ${destination}` : ''}. Your expert will follow up with details.`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const port = Number(process.env.LLM_EMULATOR_PORT ?? 4010);
  const emulator = await startOpenAiEmulator({ port });
  process.stdout.write(`OpenAI-compatible emulator on ${emulator.url} (POST /control to change its mode)\n`);
}
