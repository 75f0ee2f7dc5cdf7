import { ConfigError } from '@traveloure/platform/config';
import { EmbeddedDatabaseBusyError } from '@traveloure/platform/embedded-lock';

/**
 * The message a person needs, without a stack, when start-up failed on something they can fix
 * (a variable, an unreachable database, a busy embedded folder, a taken port); undefined for
 * anything else, which keeps its stack.
 */
export function explainStartupError(
  error: unknown,
  portVariables: Record<number, string> = {},
): string | undefined {
  if (error instanceof ConfigError || error instanceof EmbeddedDatabaseBusyError) return error.message;
  if (!(error instanceof Error)) return undefined;
  // DatabaseUnreachableError by name: importing db.ts here would load PGlite for a message.
  if (error.name === 'DatabaseUnreachableError') return error.message;
  // loadGatewayConfig's production checks throw plain errors worded like ConfigError's.
  if (error.message.startsWith('Invalid configuration:')) return error.message;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE' || code === 'EACCES') {
    const port = (error as { port?: number }).port;
    const variable = port !== undefined ? portVariables[port] : undefined;
    const what = code === 'EADDRINUSE' ? 'is already in use' : 'may not be opened by this user';
    return `${variable ?? 'a port'}: port ${port ?? '?'} ${what}. Stop what listens there or set ${variable ?? 'the port variable'} to another port.`;
  }
  return undefined;
}
