/**
 * The emoji short names the catalogs write (`:rotating_light:`), as the character each stands for:
 * Slack renders short names itself; the Discord and terminal renderers replace them with these.
 */
export const EMOJI: Readonly<Record<string, string>> = {
  rotating_light: '🚨',
  white_check_mark: '✅',
  heavy_check_mark: '✔️',
  memo: '📝',
  eyes: '👀',
  pushpin: '📌',
  round_pushpin: '📍',
  pager: '📟',
  bell: '🔔',
  ok: '🆗',
  warning: '⚠️',
  mega: '📣',
  alarm_clock: '⏰',
  busts_in_silhouette: '👥',
  white_large_square: '⬜',
  test_tube: '🧪',
  loudspeaker: '📢',
  bulb: '💡',
  // issue 12: follow-ups
  clipboard: '📋',
  thinking_face: '🤔',
};

/** The emoji a short name stands for, or undefined (an own property only: no `constructor`). */
export function emojiOf(name: string): string | undefined {
  return Object.hasOwn(EMOJI, name) ? EMOJI[name] : undefined;
}
