/** Loads the real handlers with a given environment (fresh modules: the runtime reads its config once). */
import { vi } from 'vitest';

export interface Handlers {
  publish: typeof import('../../handlers/publish.js').handler;
  unpublish: typeof import('../../handlers/unpublish.js').handler;
  republish: typeof import('../../handlers/republish.js').handler;
}

/** `undefined` removes a variable (a setting missing from the function's environment). */
export async function loadHandlers(env: Record<string, string | undefined>): Promise<Handlers> {
  vi.resetModules();
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  const [publish, unpublish, republish] = await Promise.all([
    import('../../handlers/publish.js'),
    import('../../handlers/unpublish.js'),
    import('../../handlers/republish.js'),
  ]);
  return { publish: publish.handler, unpublish: unpublish.handler, republish: republish.handler };
}
