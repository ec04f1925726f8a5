import { loadConfig } from './config.js';

/**
 * `npm run config:check [file]`: validates the config without starting anything and prints every
 * problem with its path. Exit code 0 when the file is good, 1 otherwise.
 */
const path = process.argv[2] ?? process.env.INCIDENT_CONFIG;
const result = loadConfig(path);
if (!result.ok) {
  process.stderr.write(`${path}: ${result.problems.length} problem(s)\n${result.problems.map((p) => `  - ${p}`).join('\n')}\n`);
  process.exit(1);
}
const c = result.config;
console.log(`${path ?? '(built-in defaults)'}: OK`);
console.log(`  severities: ${c.severities.map((s) => `${s.id} ${s.name} (respond ${s.responseMinutes} min, update every ${s.updateEveryMinutes} min)`).join('; ')}`);
console.log(`  default severity: ${c.defaultSeverity}; services: ${c.services.map((s) => s.id).join(', ') || '(any)'}`);
console.log(`  channels: ${c.channels.prefix}-<n>-<title>, announcements in #${c.channels.announce}; time zone ${c.timeZone}; locale ${c.locale}`);
console.log(`  postmortems: ${c.postmortems.dir}`);
console.log(`  rotations: ${c.rotations.map((r) => `${r.id} (${r.layers.length} layer(s), ${r.timeZone})`).join(', ') || '(none)'}`);
console.log(`  policies: ${c.policies.map((p) => `${p.id} (${p.tiers.length} tier(s), repeat ${p.repeat})`).join(', ') || '(none: nobody is paged)'}`);
console.log(`  routes: ${c.routes.map((r) => `${[r.severity ?? '*'].flat().join('/')}${r.service ? ` ${r.service}` : ''} -> ${r.policy}`).join(', ') || '(none)'}; default policy: ${c.defaultPolicy ?? '(none)'}`);
console.log(
  `  alert sources: ${c.alertSources.map((s) => `${s.id} (${s.kind} → ${s.workspace}, ${s.auth.type}, ${s.routes.length} route(s)) at POST /alerts/${s.id}`).join(', ') || '(none; the local workspace takes alerts on /alerts/local)'}`,
);
