import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkRequest, checkRoutingKey, resolveAlertSecrets, type Headers } from '../../src/core/alerts/auth.js';
import { alertSourcesSchema, type AlertSecret } from '../../src/core/alerts/config.js';

const body = readFileSync(new URL('../fixtures/alerts/grafana-firing.json', import.meta.url));
const NOW = Date.parse('2025-06-05T14:00:05Z');
const nowSeconds = String(Math.floor(NOW / 1000));

const request = (headers: Headers, rawBody: Buffer = body) => ({ headers, rawBody });
const basic = (userPass: string) => `Basic ${Buffer.from(userPass).toString('base64')}`;
/** Grafana's signature, computed independently of auth.ts: hex HMAC-SHA256 of `timestamp:body`, or of the body. */
const grafanaSign = (secret: string, raw: Buffer, timestamp?: string) => {
  const mac = createHmac('sha256', secret);
  if (timestamp !== undefined) mac.update(`${timestamp}:`);
  return mac.update(raw).digest('hex');
};

describe('bearer token', () => {
  const secret: AlertSecret = { type: 'bearer', token: 's3cret-token' };

  it('lets the right token in, the scheme in any case', () => {
    expect(checkRequest(secret, request({ authorization: 'Bearer s3cret-token' }), NOW)).toEqual({ ok: true });
    expect(checkRequest(secret, request({ authorization: 'bearer   s3cret-token ' }), NOW)).toEqual({ ok: true });
  });

  it('refuses a wrong, partial, longer or missing token without echoing it', () => {
    for (const authorization of ['Bearer s3cret-tokeN', 'Bearer s3cret', 'Bearer s3cret-token-and-more']) {
      const result = checkRequest(secret, request({ authorization }), NOW);
      expect(result).toEqual({ ok: false, reason: 'wrong bearer token' });
    }
    expect(checkRequest(secret, request({}), NOW)).toEqual({ ok: false, reason: 'no bearer token' });
    expect(checkRequest(secret, request({ authorization: 'Basic s3cret-token' }), NOW)).toEqual({ ok: false, reason: 'no bearer token' });
    expect(checkRequest(secret, request({ authorization: 'Bearer' }), NOW)).toEqual({ ok: false, reason: 'no bearer token' });
    expect(checkRequest(secret, request({ authorization: ['Bearer s3cret-token', 'Bearer other'] }), NOW).ok).toBe(false);
  });
});

describe('basic auth', () => {
  const secret: AlertSecret = { type: 'basic', username: 'alertmanager', password: 'pa:ss word' };

  it('lets the right user and password in', () => {
    expect(checkRequest(secret, request({ authorization: basic('alertmanager:pa:ss word') }), NOW)).toEqual({ ok: true });
  });

  it('refuses a wrong user, a wrong password, or no credentials', () => {
    expect(checkRequest(secret, request({ authorization: basic('grafana:pa:ss word') }), NOW)).toEqual({ ok: false, reason: 'wrong basic credentials' });
    expect(checkRequest(secret, request({ authorization: basic('alertmanager:pass word') }), NOW)).toEqual({ ok: false, reason: 'wrong basic credentials' });
    expect(checkRequest(secret, request({ authorization: 'Basic !!!not-base64' }), NOW)).toEqual({ ok: false, reason: 'wrong basic credentials' });
    expect(checkRequest(secret, request({ authorization: 'Bearer pa:ss word' }), NOW)).toEqual({ ok: false, reason: 'no basic credentials' });
  });
});

describe("Grafana's HMAC signature", () => {
  const plain: AlertSecret = { type: 'hmac', secret: 'hmac-secret', header: 'X-Grafana-Alerting-Signature' };
  const timed: AlertSecret = { ...plain, timestampHeader: 'X-Grafana-Alerting-Timestamp' };

  it("reads Grafana's default header, or X-Grafana-Alert-Signature, when the config names none", () => {
    const unnamed: AlertSecret = { type: 'hmac', secret: 'hmac-secret' };
    const signature = grafanaSign('hmac-secret', body);
    expect(checkRequest(unnamed, request({ 'x-grafana-alerting-signature': signature }), NOW)).toEqual({ ok: true });
    expect(checkRequest(unnamed, request({ 'x-grafana-alert-signature': signature }), NOW)).toEqual({ ok: true });
    expect(checkRequest(unnamed, request({ 'x-other-signature': signature }), NOW)).toEqual({ ok: false, reason: 'no signature' });
  });

  it('accepts the signature of the body, in the header named in any case', () => {
    expect(checkRequest(plain, request({ 'x-grafana-alerting-signature': grafanaSign('hmac-secret', body) }), NOW)).toEqual({ ok: true });
    expect(checkRequest(plain, request({ 'x-grafana-alerting-signature': grafanaSign('hmac-secret', body).toUpperCase() }), NOW)).toEqual({ ok: true });
  });

  it('refuses a signature over another body, with another secret, or none', () => {
    const tampered = Buffer.from(body.toString().replace('95%', '5%'));
    expect(checkRequest(plain, request({ 'x-grafana-alerting-signature': grafanaSign('hmac-secret', body) }, tampered), NOW)).toEqual({ ok: false, reason: 'wrong signature' });
    expect(checkRequest(plain, request({ 'x-grafana-alerting-signature': grafanaSign('other', body) }), NOW)).toEqual({ ok: false, reason: 'wrong signature' });
    expect(checkRequest(plain, request({}), NOW)).toEqual({ ok: false, reason: 'no signature' });
    expect(checkRequest(plain, request({ 'x-grafana-alerting-signature': `sha256=${grafanaSign('hmac-secret', body)}` }), NOW).ok).toBe(false);
  });

  it('with a timestamp header, signs `timestamp:body` and accepts it within 5 minutes either way', () => {
    for (const offset of [0, -299, 299]) {
      const ts = String(Math.floor(NOW / 1000) + offset);
      const headers = { 'x-grafana-alerting-timestamp': ts, 'x-grafana-alerting-signature': grafanaSign('hmac-secret', body, ts) };
      expect(checkRequest(timed, request(headers), NOW)).toEqual({ ok: true });
    }
  });

  it('refuses a timestamp outside the window, a missing one, or a body-only signature', () => {
    for (const offset of [-301, 301, -86_400]) {
      const ts = String(Math.floor(NOW / 1000) + offset);
      const headers = { 'x-grafana-alerting-timestamp': ts, 'x-grafana-alerting-signature': grafanaSign('hmac-secret', body, ts) };
      expect(checkRequest(timed, request(headers), NOW)).toEqual({ ok: false, reason: 'signature timestamp outside the 5-minute window' });
    }
    expect(checkRequest(timed, request({ 'x-grafana-alerting-signature': grafanaSign('hmac-secret', body) }), NOW)).toEqual({ ok: false, reason: 'no signature timestamp' });
    const bodyOnly = { 'x-grafana-alerting-timestamp': nowSeconds, 'x-grafana-alerting-signature': grafanaSign('hmac-secret', body) };
    expect(checkRequest(timed, request(bodyOnly), NOW)).toEqual({ ok: false, reason: 'wrong signature' });
    const moved = { 'x-grafana-alerting-timestamp': String(Number(nowSeconds) + 1), 'x-grafana-alerting-signature': grafanaSign('hmac-secret', body, nowSeconds) };
    expect(checkRequest(timed, request(moved), NOW)).toEqual({ ok: false, reason: 'wrong signature' });
    expect(checkRequest(timed, request({ 'x-grafana-alerting-timestamp': '1e9', 'x-grafana-alerting-signature': 'ab' }), NOW)).toEqual({ ok: false, reason: 'bad signature timestamp' });
  });

  it("defaults to Grafana's own header name", () => {
    const [source] = alertSourcesSchema.parse([{ id: 'grafana', kind: 'grafana', workspace: 'local', auth: { type: 'hmac', secretEnv: 'GRAFANA_SECRET' } }]);
    const secrets = resolveAlertSecrets([source!], { GRAFANA_SECRET: 'hmac-secret' });
    if (!secrets.ok) throw new Error(secrets.problems.join());
    const headers = { 'x-grafana-alerting-signature': grafanaSign('hmac-secret', body) };
    expect(checkRequest(secrets.secrets.get('grafana')!, request(headers), NOW)).toEqual({ ok: true });
  });
});

describe('routing key (events API)', () => {
  const secret: AlertSecret = { type: 'routingKey', key: 'f0e1d2c3b4a5968778695a4b3c2d1e0f' };

  it('is checked in the body, not the headers', () => {
    expect(checkRequest(secret, request({}), NOW)).toEqual({ ok: true });
    expect(checkRoutingKey(secret, 'f0e1d2c3b4a5968778695a4b3c2d1e0f')).toBe(true);
    expect(checkRoutingKey(secret, 'f0e1d2c3b4a5968778695a4b3c2d1e0e')).toBe(false);
    expect(checkRoutingKey(secret, undefined)).toBe(false);
  });

  it('is not required of sources that prove themselves otherwise', () => {
    expect(checkRoutingKey({ type: 'bearer', token: 't' }, undefined)).toBe(true);
  });
});

describe('resolveAlertSecrets', () => {
  const sources = alertSourcesSchema.parse([
    { id: 'local', kind: 'alertmanager', workspace: 'local', auth: { type: 'bearer', tokenEnv: 'ALERTS_TOKEN' } },
    { id: 'am-basic', kind: 'alertmanager', workspace: 'local', auth: { type: 'basic', username: 'am', passwordEnv: 'AM_PASSWORD' } },
    { id: 'grafana', kind: 'grafana', workspace: 'local', auth: { type: 'hmac', secretEnv: 'GRAFANA_SECRET', timestampHeader: 'X-Ts' } },
    { id: 'pd', kind: 'events', workspace: 'local', auth: { type: 'routingKey', keyEnv: 'PD_KEY' } },
  ]);

  it('reads every secret by source id', () => {
    const result = resolveAlertSecrets(sources, { ALERTS_TOKEN: 'tok', AM_PASSWORD: 'pw', GRAFANA_SECRET: 'hs', PD_KEY: 'rk' });
    if (!result.ok) throw new Error(result.problems.join());
    expect(Object.fromEntries(result.secrets)).toEqual({
      local: { type: 'bearer', token: 'tok' },
      'am-basic': { type: 'basic', username: 'am', password: 'pw' },
      grafana: { type: 'hmac', secret: 'hs', timestampHeader: 'X-Ts' },
      pd: { type: 'routingKey', key: 'rk' },
    });
  });

  it('lists every missing or empty one by its config path, never a value', () => {
    expect(resolveAlertSecrets(sources, { ALERTS_TOKEN: '', GRAFANA_SECRET: 'hs' })).toEqual({
      ok: false,
      problems: [
        'alertSources.0.auth.tokenEnv: ALERTS_TOKEN is not set',
        'alertSources.1.auth.passwordEnv: AM_PASSWORD is not set',
        'alertSources.3.auth.keyEnv: PD_KEY is not set',
      ],
    });
  });

  it('needs nothing when no source is configured', () => {
    const result = resolveAlertSecrets([], {});
    expect(result.ok && result.secrets.size).toBe(0);
  });
});
