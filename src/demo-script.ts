import type { LocalWorkspace } from './adapters/local/local-workspace.js';

/**
 * The sale-day incident `npm run demo` replays (seed 004's incident #1, 2025-12-26, KST), shared
 * by the terminal demo (src/demo.ts) and the browser playground's "play the demo"
 * (src/web/playground-demo.ts).
 */

export interface Step {
  at: string; // KST wall time on 2025-12-26
  as: string;
  /** A line typed as `as`; or `react` to react ✅ to the latest DM that person got; or `wait` for timers only. */
  line?: string;
  react?: boolean;
  note?: string;
}

/**
 * Seed 001's three tiers: the on-call engineer (a rotation), the service's dev team, management.
 * Alice is on call this week; nobody answers her page, so the payments team is paged 5 minutes
 * later and Dave acknowledges by reacting ✅ to his DM.
 */
export const PAGING = {
  services: [{ id: 'checkout', name: 'Checkout API', team: ['dave', 'erin'] }],
  rotations: [
    { id: 'backend-oncall', name: 'Backend on-call', timeZone: 'Asia/Seoul', layers: [{ members: ['alice', 'minsu'], shift: '1w', handoff: '09:00', start: '2025-12-22' }] },
  ],
  policies: [
    {
      id: 'p1-sale',
      name: 'Critical (seed 001 tiers)',
      tiers: [
        { targets: [{ rotation: 'backend-oncall' }], delay: '5m' },
        { targets: [{ serviceTeam: true }], delay: '10m' },
        { targets: [{ user: 'director-kim' }], delay: '15m' },
      ],
      repeat: 0,
    },
  ],
  routes: [{ severity: ['P1', 'P2'], policy: 'p1-sale' }],
};

export const STEPS: Step[] = [
  { at: '09:09', as: 'bob', line: '/incident declare Sale-day outage: API thread pool exhausted --sev P1 --service checkout --summary "Traffic 15x normal at the sale start; all API calls failing"' },
  { at: '09:10', as: 'bob', line: 'Tomcat threads 200/200, HikariCP connections 10/10, error rate 89%' },
  { at: '09:11', as: 'bob', line: '/incident role comms @carol' },
  { at: '09:12', as: 'bob', line: 'Reading the server logs: "Connection is not available" everywhere' },
  { at: '09:14', as: 'bob', note: 'five minutes, and Alice has not answered her page: tier 2 is paged' },
  { at: '09:15', as: 'dave', react: true },
  { at: '09:16', as: 'dave', line: '/incident note Restarted the API servers: the pools filled again at once' },
  { at: '09:20', as: 'bob', line: '/incident status identified Thread pool and DB pool exhausted by sale traffic; nginx rate limit 100 req/s applied, errors 89% -> 45%' },
  { at: '09:25', as: 'carol', line: '/incident note Customer notice sent: temporary access problems, please retry shortly' },
  { at: '09:30', as: 'dave', line: '/incident note Raised Tomcat max-threads 200 -> 400 and HikariCP pool 10 -> 50, rolling restart' },
  { at: '09:40', as: 'bob', line: '/incident status monitoring Error rate 45% -> 5%, 350 TPS and stable' },
  { at: '09:47', as: 'bob', line: '/incident resolve Error rate 0.3%, p95 280 ms' },
  { at: '09:50', as: 'bob', line: '/incident action Make the pool settings permanent in production --owner @bob --due 1w' },
  { at: '09:51', as: 'dave', line: '/incident action Alert on thread and connection pool usage --owner @dave --due 1w' },
  { at: '09:52', as: 'carol', line: '/incident action Load test before every large sale --owner @carol --due 1m' },
  { at: '09:53', as: 'bob', line: '/incident action Page the on-call by phone as well as chat for P1 --owner @bob --due 1m' },
  { at: '09:54', as: 'bob', line: '/incident action Load tests in the CI pipeline --due q' },
  { at: '11:00', as: 'bob', line: '/incident timeline' },
  { at: '11:00', as: 'bob', line: '/incident close' },
];

/** The pause between the demo's steps: DEMO_STEP_MS (1.5 s by default; at most a minute), for `npm run demo` and the playground's demo. */
export function demoStepMs(env: NodeJS.ProcessEnv = process.env): number {
  const ms = Number(env.DEMO_STEP_MS ?? 1500);
  return Number.isFinite(ms) && ms >= 0 ? Math.min(ms, 60_000) : 1500;
}

export const kst = (hhmm: string) => new Date(`2025-12-26T${hhmm}:00+09:00`);

/** The id of the latest message in `user`'s DM ('m0' when there is none). */
export function lastDmTo(chat: LocalWorkspace, user: string): string {
  const dms = [...chat.messages.values()].filter((m) => m.channelId === `dm-${user}`);
  return dms[dms.length - 1]?.id ?? 'm0';
}
