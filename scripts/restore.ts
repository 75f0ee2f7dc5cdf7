/**
 * `npm run restore -- FILE [options]`: loads a `npm run backup` archive with pg_restore.
 *
 *   --database-url URL   the database to restore into (default: DATABASE_URL); create it first
 *                        (createdb, or CREATE DATABASE) when recovering to a new server
 *   --schema NAME        only this schema of the archive (repeatable); default: all of it
 *   --clean              replace the archive's schemas where the database has them (each dropped
 *                        whole and restored, in one transaction); without it, a database that
 *                        already holds any of the archive's schemas is refused, so a restore
 *                        never lands on live data by mistake
 *   --jobs N             restore with N parallel connections (faster for large databases, but not
 *                        in one transaction: a failure leaves a partial restore to --clean over)
 *   --no-owner           do not restore owners and grants (restoring as another role or server)
 *
 * Without --jobs the restore is one transaction: it lands whole or not at all. Statistics are
 * gathered afterwards (ANALYZE), so the first queries are planned as well as before.
 */
import pg from 'pg';
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { archiveContents, connectionArgs, pgTool, runTool } from './pg-tools.ts';

/** `drops`, then the archive as SQL (pg_restore --file=-), run by psql as one transaction. */
async function pipeRestoreIntoPsql(
  file: string,
  selection: string[],
  drops: string[],
  connection: ReturnType<typeof connectionArgs>,
) {
  const env = { ...process.env, ...connection.env };
  const psql = spawn(
    pgTool('psql'),
    ['--quiet', '--no-psqlrc', '--single-transaction', '--set=ON_ERROR_STOP=1', ...connection.args],
    { env, stdio: ['pipe', 'ignore', 'pipe'] },
  );
  const script = spawn(pgTool('pg_restore'), [...selection, '--file=-', file], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let errors = '';
  psql.stderr.on('data', (chunk) => (errors += chunk));
  script.stderr.on('data', (chunk) => (errors += chunk));
  psql.stdin.write(drops.join('\n') + '\n');
  script.stdout.pipe(psql.stdin);
  const exit = (child: ReturnType<typeof spawn>) =>
    new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', resolve);
    });
  const [scriptCode, psqlCode] = await Promise.all([exit(script), exit(psql)]);
  if (scriptCode !== 0 || psqlCode !== 0)
    throw new Error(errors.trim() || `pg_restore ${scriptCode}, psql ${psqlCode}`);
}

export interface RestoreOptions {
  file: string;
  databaseUrl: string;
  schemas?: string[];
  clean?: boolean;
  jobs?: number;
  noOwner?: boolean;
}

export class RestoreRefused extends Error {}

async function withClient<T>(databaseUrl: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

export async function restore(options: RestoreOptions) {
  const contents = await archiveContents(options.file);
  const schemas = options.schemas?.length ? options.schemas : contents.schemas;
  // Every database has `public`, and an archive never recreates it: it is no sign of live data.
  const checked = schemas.filter((schema) => schema !== 'public');
  const occupied = await withClient(options.databaseUrl, async (client) => {
    const { rows } = await client.query<{ schema: string; tables: number }>(
      `select n.nspname as schema, count(c.oid)::int as tables
         from pg_namespace n left join pg_class c on c.relnamespace = n.oid and c.relkind in ('r', 'p', 'm')
        where n.nspname = any($1) group by n.nspname`,
      [checked],
    );
    return rows;
  });
  if (occupied.length > 0 && !options.clean) {
    throw new RestoreRefused(
      `the database already has schema ${occupied.map((row) => `${row.schema} (${row.tables} tables)`).join(', ')}; ` +
        'restore into an empty database, or pass --clean to replace them',
    );
  }
  if (options.clean && options.jobs && options.jobs > 1) {
    throw new RestoreRefused(
      '--clean replaces the schemas in one transaction, which --jobs cannot do; use one or the other',
    );
  }
  const connection = connectionArgs(options.databaseUrl);
  const selection = ['--exit-on-error', ...(options.noOwner ? ['--no-owner', '--no-privileges'] : [])];
  for (const schema of options.schemas ?? []) selection.push(`--schema=${schema}`);
  if (options.clean && occupied.length > 0) {
    // pg_restore's own --clean drops object by object and stops on partitioned tables ("cannot
    // drop inherited constraint"); dropping each schema whole and recreating it, in the same
    // transaction as the restore, replaces it or leaves it untouched.
    const drops = occupied.map(
      (row) => `drop schema if exists "${row.schema.replaceAll('"', '""')}" cascade;`,
    );
    await pipeRestoreIntoPsql(options.file, selection, drops, connection);
  } else {
    const args = [...selection, ...connection.args];
    if (options.jobs && options.jobs > 1) args.push(`--jobs=${options.jobs}`);
    else args.push('--single-transaction');
    args.push(options.file);
    await runTool(pgTool('pg_restore'), args, connection.env);
  }

  return withClient(options.databaseUrl, async (client) => {
    const { rows } = await client.query<{ schema: string; name: string }>(
      `select n.nspname as schema, c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = any($1) and c.relkind in ('r', 'p') order by 1, 2`,
      [schemas],
    );
    await client.query('analyze');
    return { schemas, tables: rows.length };
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      'database-url': { type: 'string' },
      schema: { type: 'string', multiple: true },
      clean: { type: 'boolean' },
      jobs: { type: 'string' },
      'no-owner': { type: 'boolean' },
    },
  });
  const databaseUrl = values['database-url'] ?? process.env.DATABASE_URL;
  const [file] = positionals;
  if (!databaseUrl || !file) {
    console.error(
      'usage: npm run restore -- FILE [--database-url URL] [--schema NAME] [--clean] [--jobs N] [--no-owner]',
    );
    process.exit(2);
  }
  try {
    const result = await restore({
      file,
      databaseUrl,
      schemas: values.schema,
      clean: values.clean,
      jobs: values.jobs === undefined ? undefined : Number(values.jobs),
      noOwner: values['no-owner'],
    });
    console.log(`restore: ${file} -> schemas ${result.schemas.join(', ')} (${result.tables} tables)`);
  } catch (error) {
    console.error(`restore refused or failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
