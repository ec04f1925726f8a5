import type { FastifyInstance } from 'fastify';
import type { Deps } from '../app/context.js';
import type { Env } from '../config.js';
import type { RedisClient } from '../infra/redis-client.js';
import { LINK_TTL_MINUTES, SignInLinks } from './auth.js';
import type { RegisterRoutes } from './context.js';
import { webPlugin } from './server.js';

/**
 * The dashboard as src/main.ts serves it: the web plugin with every area, and `deps.web`, which
 * `/incident web` uses to make a sign-in link. Nothing when DASHBOARD=off.
 */

export interface DashboardOptions {
  env: Env;
  deps: Deps;
  redis: RedisClient;
  /** The areas to serve (incidents, on call, insights, and the playground where it runs). */
  areas: readonly RegisterRoutes[];
  playground: boolean;
}

export interface Dashboard {
  /** Registers the dashboard on the HTTP server's Fastify instance. */
  register(app: FastifyInstance): Promise<unknown>;
  /** Tells the dashboard the server's own URL once it listens (the default PUBLIC_URL). */
  listening(url: string): void;
}

export function dashboard(o: DashboardOptions): Dashboard | undefined {
  if (o.env.DASHBOARD === 'off') return undefined;
  let own = `http://127.0.0.1:${o.env.PORT}`;
  const base = (): string => (o.env.PUBLIC_URL ?? own).replace(/\/+$/, '');
  const links = new SignInLinks(o.redis, o.env.KEY_PREFIX);
  o.deps.web = {
    async signInLink(person) {
      const token = await links.create({ kind: 'person', ...person });
      return { url: `${base()}/signin/${token}`, minutes: LINK_TTL_MINUTES };
    },
  };
  return {
    register: (app) =>
      webPlugin(app, {
        deps: o.deps,
        redis: o.redis,
        prefix: o.env.KEY_PREFIX,
        publicUrl: base,
        ...(o.env.DASHBOARD_ADMIN_TOKEN ? { adminToken: o.env.DASHBOARD_ADMIN_TOKEN } : {}),
        ...(o.env.DASHBOARD_SECRET ? { secret: o.env.DASHBOARD_SECRET } : {}),
        playground: o.playground,
        areas: o.areas,
      }),
    listening(url) {
      own = url;
    },
  };
}
