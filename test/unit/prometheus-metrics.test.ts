import { describe, expect, it } from 'vitest';
import { PlatformError } from '../../src/core/errors.js';
import type { ChatPort } from '../../src/core/ports.js';
import { PromMetrics } from '../../src/infra/metrics.js';
import { observedChat } from '../../src/infra/observe.js';
import { parseMetrics, sample } from '../support/http.js';

/**
 * The /metrics registry on its own: what each recording method shows in the Prometheus text, and
 * platform failures counted by kind where the core calls the chat port.
 */

const scrape = async (m: PromMetrics) => parseMetrics((await m.scrape()).text);

/** A chat platform whose DMs fail as told and whose posts work. */
function platform(failure: unknown): ChatPort {
  const refused = async (): Promise<never> => {
    throw failure;
  };
  return {
    createChannel: refused,
    invite: refused,
    setTopic: refused,
    post: async (_ws, channelId) => ({ channelId, messageId: 'm1' }),
    update: refused,
    dm: refused,
    announce: refused,
    react: refused,
    pin: refused,
    dmFile: refused,
    userName: async (_ws, id) => id,
    isMember: async () => true,
  };
}

describe('prometheus metrics', () => {
  it('keeps its own registry: two instances never add up, and the default process metrics are there', async () => {
    const a = new PromMetrics();
    const b = new PromMetrics();
    a.incidentDeclared('P1');
    expect(sample(await scrape(a), 'ic_incidents_declared_total', { severity: 'P1' })).toBe(1);
    expect(sample(await scrape(b), 'ic_incidents_declared_total', { severity: 'P1' })).toBe(0);
    expect((await scrape(a)).has('process_cpu_user_seconds_total')).toBe(true);
  });

  it('shows time to acknowledge and step lateness in seconds, a late-by-nothing step as 0', async () => {
    const m = new PromMetrics({ defaultMetrics: false });
    m.acknowledged(90_000);
    m.stepLate(-40);
    m.stepLate(1_500);
    const s = await scrape(m);
    expect(sample(s, 'ic_acknowledgements_total')).toBe(1);
    expect(sample(s, 'ic_time_to_acknowledge_seconds_sum')).toBe(90);
    expect(sample(s, 'ic_time_to_acknowledge_seconds_bucket', { le: '60' })).toBe(0);
    expect(sample(s, 'ic_time_to_acknowledge_seconds_bucket', { le: '120' })).toBe(1);
    expect(sample(s, 'ic_escalation_step_lateness_seconds_count')).toBe(2);
    expect(sample(s, 'ic_escalation_step_lateness_seconds_sum')).toBe(1.5);
  });

  it('counts failed platform calls by kind, and leaves calls that worked alone', async () => {
    const m = new PromMetrics({ defaultMetrics: false });
    const chat = observedChat(platform(new PlatformError('slack chat.postMessage: ratelimited', 'rate_limited', 1000)), m, 'slack');
    await expect(chat.dm('slack:T1', 'U1', { text: 'page' })).rejects.toThrow('ratelimited');
    await expect(chat.invite('slack:T1', 'C1', ['U1'])).rejects.toThrow();
    expect(await chat.post('slack:T1', 'C1', { text: 'hi' })).toEqual({ channelId: 'C1', messageId: 'm1' });
    const odd = observedChat(platform(new Error('socket hang up')), m, 'discord');
    await expect(odd.react('g1', { channelId: 'C1', messageId: 'm1' }, 'eyes')).rejects.toThrow('socket hang up');
    const s = await scrape(m);
    expect(sample(s, 'ic_platform_api_errors_total', { platform: 'slack', kind: 'rate_limited' })).toBe(2);
    expect(sample(s, 'ic_platform_api_errors_total', { platform: 'discord', kind: 'other' })).toBe(1);
  });

  it('reads the queues at scrape time, and shows nothing rather than hanging when they do not answer', async () => {
    const m = new PromMetrics({ defaultMetrics: false });
    let counts: () => Promise<Record<string, Record<string, number>>> = async () => ({ outbound: { wait: 3, failed: 1 } });
    m.watch({ queues: () => counts() });
    expect(sample(await scrape(m), 'ic_queue_jobs', { queue: 'outbound', state: 'wait' })).toBe(3);
    counts = () => Promise.reject(new Error('redis away'));
    const s = await scrape(m);
    expect([...s.keys()].some((k) => k.startsWith('ic_queue_jobs'))).toBe(false);
  });
});
