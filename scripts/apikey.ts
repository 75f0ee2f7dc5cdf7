/**
 * Partner API keys (stored hashed in the gateway's `gateway` schema):
 *   npm run apikey -- create --owner "Acme Travel" --scopes search,catalog [--rate-limit 600] [--description TEXT]
 *   npm run apikey -- list [--all] [--json]
 *   npm run apikey -- revoke <id | prefix>
 * `create` prints the key once; only its sha-256 is kept, so a lost key is revoked and replaced.
 * Uses DATABASE_URL, or the embedded PGlite in PGLITE_DATA_DIR: one process owns that folder, so
 * the command is refused while `npm start` (or any other command) has it open.
 */
import { acquireEmbeddedLock } from '@traveloure/platform/embedded-lock';
// Narrow imports: the CLI needs the config and the key store, not the gateway server (seconds
// of start-up).
import { loadGatewayConfig } from '@traveloure/gateway/config';
import type { GatewayDatabase } from '@traveloure/gateway/edge/api-keys';
import { scopes } from '@traveloure/gateway/edge/scope-names';
import type { Kysely } from 'kysely';
import { fail, parseCommandLine } from './command-line.ts';

const usage = `usage:
  npm run apikey -- create --owner NAME --scopes ${scopes.join(',')} [--rate-limit N] [--description TEXT]
  npm run apikey -- list [--all] [--json]
  npm run apikey -- revoke <id | prefix>`;

const { values, positionals } = parseCommandLine(
  {
    allowPositionals: true,
    options: {
      owner: { type: 'string' },
      scopes: { type: 'string' },
      'rate-limit': { type: 'string' },
      description: { type: 'string' },
      all: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  },
  usage,
);
const [command, target] = positionals;
if (!command) fail(usage);

let config;
try {
  config = loadGatewayConfig();
} catch (error) {
  fail(error instanceof Error ? error.message : String(error));
}
if (!config.DATABASE_URL) {
  // PGlite serves one process: a second one on the same folder writes where the running
  // gateway never looks (and may damage the folder). Keys made now would not work.
  try {
    acquireEmbeddedLock(config.PGLITE_DATA_DIR);
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
}
// The database modules (PGlite, Kysely, pg) load only once the folder is known to be free.
const [
  { checkDatabaseReachable, closeEmbeddedPGlite, createServiceDatabases, migrateSchema },
  { ApiKeyInputError, createApiKey, listApiKeys, revokeApiKey },
  { gatewayMigrations },
] = await Promise.all([
  import('@traveloure/platform/db'),
  import('@traveloure/gateway/edge/api-keys'),
  import('@traveloure/gateway/edge/migrations/index'),
]);
if (config.DATABASE_URL) {
  try {
    await checkDatabaseReachable(config.DATABASE_URL, { connectTimeoutMs: config.PG_CONNECT_TIMEOUT_MS });
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
}
const { primary: database } = await createServiceDatabases<GatewayDatabase>('gateway', config);
const db = database.db;
await migrateSchema(db as Kysely<any>, 'gateway', gatewayMigrations);

try {
  if (command === 'create') {
    if (!values.owner) fail(`--owner is required\n${usage}`);
    if (!values.scopes) fail(`--scopes is required\n${usage}`);
    const rateLimit = values['rate-limit'] ? Number(values['rate-limit']) : config.API_KEY_DEFAULT_RATE_LIMIT;
    const { key, record } = await createApiKey(db, {
      owner: values.owner,
      scopes: values.scopes
        .split(',')
        .map((scope) => scope.trim())
        .filter(Boolean),
      rateLimit,
      description: values.description,
    });
    if (values.json) console.log(JSON.stringify({ key, ...record }, null, 2));
    else {
      console.log(`API key for ${record.owner} (id ${record.id})`);
      console.log(
        `scopes: ${record.scopes.join(', ')}; rate limit: ${record.rateLimit} per ${config.RATE_LIMIT_WINDOW_SECONDS} s`,
      );
      console.log(`\n  ${key}\n`);
      console.log('Shown once: store it now. Send it as the x-api-key header.');
    }
  } else if (command === 'list') {
    const keys = await listApiKeys(db, { includeRevoked: values.all });
    if (values.json) console.log(JSON.stringify(keys, null, 2));
    else if (!keys.length) console.log('no API keys');
    else {
      console.table(
        keys.map((key) => ({
          id: key.id,
          prefix: key.prefix,
          owner: key.owner,
          scopes: key.scopes.join(','),
          rateLimit: key.rateLimit,
          created: key.createdAt.toISOString(),
          lastUsed: key.lastUsedAt?.toISOString() ?? '-',
          revoked: key.revokedAt?.toISOString() ?? '-',
        })),
      );
    }
  } else if (command === 'revoke') {
    if (!target) fail(`revoke needs an id or prefix\n${usage}`);
    const revoked = await revokeApiKey(db, target);
    if (!revoked) fail(`no API key ${target}`);
    console.log(`revoked ${revoked.prefix} (${revoked.owner}) at ${revoked.revokedAt?.toISOString()}`);
  } else {
    fail(`unknown command ${command}\n${usage}`);
  }
} catch (error) {
  if (error instanceof ApiKeyInputError) fail(error.message);
  throw error;
} finally {
  await database.close();
  await closeEmbeddedPGlite();
}
