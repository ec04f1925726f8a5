import { describe, expect, it } from 'vitest';
import { parseEnv } from '../../src/config.js';
import { afterRenewal, heldUntil, leaseTiming, worstTakeoverMs } from '../../src/infra/lease-timing.js';

/**
 * When the gateway lease's holder renews, retries and gives up (src/infra/lease-timing.ts). The
 * defaults must let a standby take a dead holder's gateway within 15 s, and a holder that cannot
 * reach Redis must stop before its lease could have run out in Redis.
 */

const t = leaseTiming(10_000, 1_000);

describe('lease timing', () => {
  it('renews every third of the TTL and trusts the lease until a margin before it runs out', () => {
    expect(t.renewMs).toBe(3_333);
    expect(t.marginMs).toBe(1_000);
    expect(heldUntil(50_000, t)).toBe(59_000);
  });

  it('with the defaults (TTL 10 s, poll 1 s) a dead holder is replaced well within 15 s, connecting included', () => {
    expect(worstTakeoverMs(t)).toBe(11_000);
    expect(worstTakeoverMs(t)).toBeLessThan(15_000 - 2_000);
  });

  it('a renewal counts from when it was sent, not from when Redis answered', () => {
    const next = afterRenewal('renewed', 10_000, 12_500, 19_000, t);
    expect(next).toEqual({ keep: true, delayMs: 10_000 + 3_333 - 12_500, until: 19_000 });
  });

  it('a renewal Redis refused (another replica holds it) ends the lease at once', () => {
    expect(afterRenewal('taken', 10_000, 10_001, 19_000, t)).toEqual({ keep: false, reason: 'taken' });
  });

  it('an unreachable Redis is retried soon while the lease is still trusted, and ends it once it is not', () => {
    expect(afterRenewal('unreachable', 10_000, 15_000, 19_000, t)).toEqual({ keep: true, delayMs: t.retryMs, until: 19_000 });
    // The retry never sleeps past the moment the lease stops being trusted.
    expect(afterRenewal('unreachable', 18_000, 18_900, 19_000, t)).toEqual({ keep: true, delayMs: 100, until: 19_000 });
    expect(afterRenewal('unreachable', 18_500, 19_000, 19_000, t)).toEqual({ keep: false, reason: 'expired' });
  });

  it('short TTLs for tests keep the same proportions, with a floor on the margin and the retry', () => {
    const short = leaseTiming(1_500, 200);
    expect(short).toMatchObject({ renewMs: 500, marginMs: 150, retryMs: 166 });
    expect(leaseTiming(300, 100)).toMatchObject({ marginMs: 50, retryMs: 50 });
  });
});

describe('the lease settings in the environment', () => {
  it('default to a 10 s TTL and a 1 s poll, and refuse a poll that is not below the TTL', () => {
    const defaults = parseEnv({});
    expect(defaults.ok && [defaults.env.DISCORD_LEASE_TTL_MS, defaults.env.DISCORD_LEASE_POLL_MS]).toEqual([10_000, 1_000]);
    expect(parseEnv({ DISCORD_LEASE_TTL_MS: '2000', DISCORD_LEASE_POLL_MS: '2000' })).toEqual({ ok: false, problems: ['DISCORD_LEASE_POLL_MS: must be below DISCORD_LEASE_TTL_MS (2000)'] });
    expect(parseEnv({ REPLICA_ID: 'bot a' }).ok).toBe(false);
  });
});
