import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { event, type IncidentEvent } from '../../src/core/events.js';
import { en } from '../../src/core/i18n/en.js';
import { ko } from '../../src/core/i18n/ko.js';
import { LOCALES, translator } from '../../src/core/i18n/index.js';
import {
  decideAction,
  decideActionDone,
  decideClose,
  decideNote,
  decideResolve,
  decideRole,
  decideStatus,
  declareEvents,
} from '../../src/core/lifecycle.js';
import type { Actor, Incident } from '../../src/core/model.js';
import { renderPostmortem } from '../../src/core/postmortem.js';
import { project } from '../../src/core/projection.js';

const EN: Record<string, string> = en;
const KO: Record<string, string> = ko;
const keys = Object.keys(EN);

const placeholders = (s: string): string[] => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? '').sort();
const backtickSpans = (s: string): string[] => s.match(/`[^`]*`/g) ?? [];
const mentions = (s: string): string[] => s.match(/<[@#][^>\s]*>/g) ?? [];
/** `:emoji:` short names outside backtick spans (so `09:00` inside code is not one). */
const emojis = (s: string): string[] => s.replace(/`[^`]*`/g, ' ').match(/:[a-z0-9_+-]+:/g) ?? [];

describe('ko catalog', () => {
  it('has exactly the keys of en', () => {
    expect(Object.keys(KO).sort()).toEqual([...keys].sort());
  });

  it('has no empty value', () => {
    expect(Object.entries(KO).filter(([, v]) => v.trim() === '')).toEqual([]);
  });

  it.each(keys)('%s keeps the placeholders of en', (key) => {
    expect(placeholders(KO[key] ?? '')).toEqual(placeholders(EN[key] ?? ''));
  });

  it.each(keys)('%s keeps the markup of en', (key) => {
    const ko = KO[key] ?? '';
    const en = EN[key] ?? '';
    for (const token of [...backtickSpans(en), ...mentions(en), ...emojis(en)]) expect(ko, token).toContain(token);
  });

  it('keeps the usage lines exactly', () => {
    for (const key of keys.filter((k) => k.startsWith('usage.'))) expect(KO[key], key).toBe(EN[key]);
  });

  it('is registered: translator("ko") speaks Korean, unknown locales fall back to en', () => {
    expect(LOCALES).toContain('ko');
    expect(translator('ko')('word.duration.hours_minutes', { h: 2, m: 15 })).toBe('2시간 15분');
    expect(translator('ko')('reply.declared', { ref: 'INC-1', title: '결제 실패', severity: 'P1', channelId: 'C1' })).toBe(
      'INC-1 선언: *결제 실패* (P1). 채널: <#C1>',
    );
    expect(translator('xx')('reply.done')).toBe(en['reply.done']);
  });
});

describe('ko postmortem (seed 004 appendix B)', () => {
  const bora: Actor = { id: 'U02', name: '보라' };
  const alice: Actor = { id: 'U01', name: 'Alice' };
  const chul: Actor = { id: 'U03', name: '김철수' };
  const kst = (hhmm: string): Date => new Date(`2025-12-26T${hhmm}:00+09:00`);
  const TITLE = '블랙프라이데이 주문 폭주: 서버 다운';

  function render(): string {
    const events: IncidentEvent[] = [];
    let inc: Incident | null = null;
    const add = (evs: IncidentEvent[]) => {
      events.push(...evs);
      inc = project(inc, evs, { workspace: 'T1', number: 1 });
    };
    const cur = (): Incident => {
      if (!inc) throw new Error('not declared yet');
      return inc;
    };
    add(declareEvents({ title: TITLE, summary: '평소 15배 트래픽으로 Tomcat·HikariCP 풀 고갈', service: 'orders-api', severity: 'P1', private: false }, bora, kst('09:09')));
    add(decideRole(cur(), 'comms', chul, bora, kst('09:12')));
    add([event({ type: 'message_posted', channelId: 'C1', messageId: 'm1', text: 'connection reset by peer' }, alice, kst('09:11'))]);
    add(decideNote(cur(), '서버 재시작: 즉시 재발', alice, kst('09:15')));
    add(decideStatus(cur(), 'identified', '스레드 풀과 DB 커넥션 풀 고갈', bora, kst('09:20')));
    add(decideAction(cur(), { text: '풀 설정 영구 반영', owner: alice, horizon: '1w' }, bora, kst('09:22')));
    add(decideStatus(cur(), 'monitoring', '에러율 45% → 5%', bora, kst('09:40')));
    add(decideResolve(cur(), '에러율 0.3%, P95 280 ms', bora, kst('10:24')));
    add(decideAction(cur(), { text: '대형 이벤트 전 부하 테스트', horizon: '1m' }, bora, kst('10:31')));
    add(decideAction(cur(), { text: 'CI 파이프라인에 부하 테스트', owner: chul, horizon: 'q' }, bora, kst('10:32')));
    add(decideActionDone(cur(), 'A1', alice, kst('10:40')));
    add(decideClose(cur(), bora, kst('11:00')));
    return renderPostmortem(cur(), events, {
      t: translator('ko'),
      timeZone: 'Asia/Seoul',
      severityName: (id) => (id === 'P1' ? 'Critical' : undefined),
      now: kst('11:05'),
    });
  }
  const md = render();
  const lines = md.split('\n');

  it('has the Korean title and the seven section headings, in order', () => {
    expect(lines[0]).toBe(`# 장애 보고서: INC-1 ${TITLE}`);
    expect(lines.filter((l) => l.startsWith('## '))).toEqual([
      '## 1. 사건 개요',
      '## 2. 타임라인',
      '## 3. 근본 원인 분석',
      '## 4. 영향 및 피해 평가',
      '## 5. 즉시 조치 항목',
      '## 6. 재발 방지 조치',
      '## 7. 교훈',
    ]);
  });

  it('uses the template fields: horizons, lessons, footer', () => {
    expect(lines.filter((l) => l.startsWith('### '))).toEqual(['### 참여자', '### 단기 (1주)', '### 중기 (1개월)', '### 장기 (분기)']);
    for (const prompt of ['- 직접 원인:', '- 근본 원인:', '- 5 Whys:', '- 서비스 영향:', '- 비즈니스 영향:', '- 잘된 점:', '- 개선 필요:', '- 운이 좋았던 점:', '- 팀 공유 인사이트:']) {
      expect(lines.some((l) => l.startsWith(prompt)), prompt).toBe(true);
    }
    expect(md).toContain('| 총 장애 시간 (선언 → 복구) | 1시간 15분 |');
    expect(md).toContain('| 발생 일시 | 2025-12-26 09:09 (보라 선언) |');
    expect(md).toContain('- [x] A1 풀 설정 영구 반영 · Alice');
    expect(md).toContain('- [ ] A2 대형 이벤트 전 부하 테스트 · 미지정');
    expect(md).toContain('김철수님이 전파 담당 역할을 맡음');
    expect(lines.filter((l) => /^ {2}\d\. 왜 /.test(l))).toHaveLength(5);
    expect(md.trimEnd().split('\n').at(-1)).toMatch(/^작성자: .* 작성일: 2025-12-26 .* 리뷰어: /);
  });

  it('leaves no placeholder unfilled', () => {
    expect(md).not.toContain('{');
  });
});

describe('config locale', () => {
  it('accepts ko', () => {
    const result = parseConfig({ locale: 'ko' });
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.config.locale).toBe('ko');
  });

  it('rejects an unknown locale with a problem at locale', () => {
    const result = parseConfig({ locale: 'ja' });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems.some((p) => p.startsWith('locale:'))).toBe(true);
  });
});
