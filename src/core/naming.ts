/**
 * Channel names every platform accepts: lowercase letters, digits, `-` and `_`, at most 80
 * characters (Slack's limit; Discord allows 100). Letters outside a-z (Korean titles, say) are
 * dropped because Slack rejects them; the incident number keeps every name unique.
 */
export const MAX_CHANNEL_NAME = 80;

export function slugify(text: string, max = 40): string {
  const slug = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug.slice(0, max).replace(/-+$/, '');
}

export function channelName(prefix: string, number: number, title: string): string {
  const head = `${prefix}-${number}`;
  const slug = slugify(title, MAX_CHANNEL_NAME - head.length - 1);
  return slug ? `${head}-${slug}` : head;
}

/** The next candidate when a name is taken: `name-2`, `name-3`, ... kept within the limit. */
export function nextFreeName(name: string, attempt: number): string {
  const suffix = `-${attempt + 1}`;
  return name.slice(0, MAX_CHANNEL_NAME - suffix.length) + suffix;
}
