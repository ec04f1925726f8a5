import type { z } from 'zod';
import { oneLine } from './sanitize.js';

/** One reason a payload was refused: `alerts.0.fingerprint` / `Required`, or `(body)` for the whole body. */
export type PayloadIssue = { path: string; message: string };

/** Issues reported for one refused payload; the sender needs the first few, not thousands. */
export const MAX_ISSUES = 10;

/** Zod's messages, with "Required" for a field that is missing altogether. */
const errorMap = (issue: { input?: unknown }): string | undefined => (issue.input === undefined ? 'Required' : undefined);

/** Zod's issues as the 400 answer lists them, paths joined with dots under `prefix`. */
export function toIssues(issues: readonly z.core.$ZodIssue[], prefix: readonly PropertyKey[] = []): PayloadIssue[] {
  return issues.slice(0, MAX_ISSUES).map((i) => {
    const path = [...prefix, ...i.path].map(String).join('.');
    return { path: path ? oneLine(path, 200) : '(body)', message: i.message };
  });
}

/** Parses with `schema`, or the issues (at most MAX_ISSUES) with their paths. */
export function check<S extends z.ZodType>(schema: S, input: unknown, prefix: readonly PropertyKey[] = []): { ok: true; data: z.output<S> } | { ok: false; issues: PayloadIssue[] } {
  const result = schema.safeParse(input, { error: errorMap });
  return result.success ? { ok: true, data: result.data } : { ok: false, issues: toIssues(result.error.issues, prefix) };
}
