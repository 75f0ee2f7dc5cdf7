/**
 * The upstreams the subgraphs call, in one process of their own so their CPU is counted apart
 * from the load generator's: the Amadeus emulator (search) and the OpenAI-compatible LLM
 * emulator (ai), on loopback. Prints their addresses as one JSON line.
 */
import { startAmadeusEmulator } from '@traveloure/testing';
import { startOpenAiEmulator } from '@traveloure/testing';

export const llmApiKey = 'bench-llm-key';
const amadeus = await startAmadeusEmulator();
const llm = await startOpenAiEmulator({ apiKey: llmApiKey });
// The emulators record every request for tests to inspect; a soak must not grow on that.
setInterval(() => {
  amadeus.requests.length = 0;
  llm.requests.length = 0;
}, 10_000).unref();
console.log(
  JSON.stringify({
    amadeus: { url: amadeus.url, clientId: amadeus.clientId, clientSecret: amadeus.clientSecret },
    llm: { url: llm.url, apiKey: llmApiKey },
  }),
);
