/** The dev loop's port: --port, else DEV_PORT, else the default. */
import { ConfigError } from '../errors.js';

/** The port when neither --port nor DEV_PORT gives one. */
export const DEFAULT_DEV_PORT = 8787;

/** The port to serve on: --port, else DEV_PORT, else the default; 0 asks for a free one. */
export function devPort(flag: string | undefined, env: Record<string, string | undefined>): number {
  const [source, value] = flag !== undefined ? ['--port', flag] : env.DEV_PORT?.trim() ? ['DEV_PORT', env.DEV_PORT.trim()] : ['', String(DEFAULT_DEV_PORT)];
  const port = Number(value);
  if (!/^\d{1,5}$/.test(value) || port > 65535) throw new ConfigError(source === '--port' ? 'command line' : 'environment', source || 'port', `${JSON.stringify(value.slice(0, 50))} must be a port number (0-65535; 0 picks a free one)`);
  return port;
}
