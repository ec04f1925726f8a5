/**
 * The dashboard's own sentences (layout, sign-in, errors) in both languages. Each area of the
 * dashboard keeps its sentences in a file like this one (incidents.ts, oncall.ts, ...): `en`
 * first, `ko` with exactly the same keys (the type makes a missing one a compile error).
 */
export const en = {
  'web.title': 'Incident command',
  'web.nav.incidents': 'Incidents',
  'web.nav.oncall': 'On call',
  'web.nav.insights': 'Insights',
  'web.nav.playground': 'Playground',
  'web.nav.signout': 'Sign out',
  'web.signed_in_as': 'Signed in as {name}',
  'web.signed_in_admin': 'Signed in as operator (full access)',
  'web.signin.title': 'Sign in',
  'web.signin.how': 'The dashboard has no password of its own. Type `/incident web` in Slack, Discord or the local workspace, and the bot sends you a sign-in link by direct message. The link works once, for {minutes} minutes.',
  'web.signin.admin': 'Operators can sign in with the DASHBOARD_ADMIN_TOKEN set in the bot’s environment.',
  'web.signin.admin_token': 'Operator token',
  'web.signin.admin_button': 'Sign in as operator',
  'web.signin.bad_admin': 'That operator token is not right.',
  'web.signin.confirm': 'Sign in to the dashboard as {name} ({platform})?',
  'web.signin.button': 'Sign in',
  'web.signin.used': 'This sign-in link was already used or has expired. Type `/incident web` in chat for a new one.',
  'web.signin.playground': 'To try the bot in this browser: the terminal where the bot runs (npm start) printed a sign-in link at start; open it, or type /incident web there for a new one.',
  'web.error.not_found': 'Nothing here.',
  'web.error.forbidden': 'You cannot see this.',
  'web.error.csrf': 'This form expired. Reload the page and try again.',
  'web.error.generic': 'Something went wrong; it was logged.',
} as const;

export const ko: Record<keyof typeof en, string> = {
  'web.title': '장애 지휘',
  'web.nav.incidents': '장애',
  'web.nav.oncall': '온콜',
  'web.nav.insights': '인사이트',
  'web.nav.playground': '플레이그라운드',
  'web.nav.signout': '로그아웃',
  'web.signed_in_as': '{name}(으)로 로그인됨',
  'web.signed_in_admin': '운영자로 로그인됨 (전체 권한)',
  'web.signin.title': '로그인',
  'web.signin.how': '대시보드에는 별도 비밀번호가 없습니다. Slack, Discord 또는 로컬 워크스페이스에서 `/incident web`을 입력하면 봇이 DM으로 로그인 링크를 보냅니다. 링크는 {minutes}분 동안 한 번만 쓸 수 있습니다.',
  'web.signin.admin': '운영자는 봇 환경 변수의 DASHBOARD_ADMIN_TOKEN으로 로그인할 수 있습니다.',
  'web.signin.admin_token': '운영자 토큰',
  'web.signin.admin_button': '운영자로 로그인',
  'web.signin.bad_admin': '운영자 토큰이 맞지 않습니다.',
  'web.signin.confirm': '{name}({platform})(으)로 대시보드에 로그인할까요?',
  'web.signin.button': '로그인',
  'web.signin.used': '이 로그인 링크는 이미 사용되었거나 만료되었습니다. 채팅에서 `/incident web`을 입력해 새 링크를 받으세요.',
  'web.signin.playground': '이 브라우저에서 봇을 체험하려면: 봇을 실행한 터미널(npm start)이 시작할 때 로그인 링크를 출력했습니다. 그 링크를 열거나, 터미널에서 /incident web을 입력해 새 링크를 받으세요.',
  'web.error.not_found': '여기에는 아무것도 없습니다.',
  'web.error.forbidden': '볼 수 없는 페이지입니다.',
  'web.error.csrf': '양식이 만료되었습니다. 페이지를 새로 고친 뒤 다시 시도하세요.',
  'web.error.generic': '문제가 생겨 기록해 두었습니다.',
};
