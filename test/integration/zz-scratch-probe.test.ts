import { afterEach, it } from 'vitest';
import { testApp, type TestApp } from '../support/app.js';
let app: TestApp;
afterEach(() => app?.close());
it('probe', async () => {
  app = await testApp({ policies: [{ id: 'default', tiers: [{ targets: [{ user: 'alice' }, { user: 'bob' }], delay: '5m' }, { targets: [{ user: 'dave' }], delay: '5m' }] }], defaultPolicy: 'default' });
  await app.type('/as @carol');
  console.log((await app.type('/incident declare DB down --sev P1')).join('\n'));
  await app.type('/as @alice');
  const dm = /\[DM @alice · (m\d+)\]/.exec(app.output.join('\n'))![1];
  console.log('----');
  console.log((await app.type(`/react ${dm} ✅`)).join('\n'));
  console.log('----');
  console.log((await app.advance(10*60000)).join('\n'));
});
