// Runs before `npm start`, `npm test` and `npm run demo` (npm's pre-scripts), so a fresh clone
// needs no separate install step: when node_modules is missing or older than package-lock.json,
// it runs `npm ci`. Plain JavaScript on purpose: it must work before anything is installed.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

const marker = 'node_modules/.package-lock.json';
const stale = !existsSync(marker) || statSync('package-lock.json').mtimeMs > statSync(marker).mtimeMs;
if (stale) {
  console.error('Installing dependencies (npm ci) ...');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { stdio: 'inherit' });
  process.exit(result.status ?? 1);
}
