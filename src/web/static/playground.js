// The playground's script (src/web/playground.ts): progressive enhancement only, every form
// works without it. It posts the forms in the background (CSRF token in x-csrf-token), follows
// the person into a channel they were invited to, and puts the parts the server pushes over
// Server-Sent Events (sidebar, conversation, demo: HTML made and escaped by the server) in place.
// Text from the server's JSON answers is shown with textContent only.
(() => {
  const root = document.querySelector('.pg');
  if (!root) return;
  const channel = root.getAttribute('data-pg-channel');
  const user = root.getAttribute('data-pg-user');
  const error = document.getElementById('pg-error');
  let leaving = false;

  const go = (url) => {
    if (leaving) return;
    const next = new window.URL(url, location.href);
    if (next.searchParams.get('c') === channel && next.searchParams.get('as') === user) return;
    leaving = true;
    location.assign(next.pathname + next.search);
  };

  const list = () => document.querySelector('#pg-conversation .pg-messages');
  const toBottom = () => {
    const el = list();
    if (el) el.scrollTop = el.scrollHeight;
  };

  const place = (id, markup) => {
    const el = document.getElementById(id);
    if (!el) return;
    const box = list();
    const atBottom = !box || box.scrollHeight - box.scrollTop - box.clientHeight < 40;
    const tpl = document.createElement('template');
    tpl.innerHTML = markup; // server-made HTML: every piece of user text in it is escaped
    el.replaceChildren(tpl.content);
    if (id === 'pg-conversation' && atBottom) toBottom();
  };

  const showError = (text) => {
    if (!error) return;
    error.textContent = text || '';
    error.hidden = !text;
  };

  const events = root.getAttribute('data-pg-events');
  if (events && 'EventSource' in window) {
    const source = new EventSource(events);
    source.addEventListener('sidebar', (e) => place('pg-sidebar', e.data));
    source.addEventListener('conversation', (e) => place('pg-conversation', e.data));
    source.addEventListener('demo', (e) => place('pg-demo', e.data));
    source.addEventListener('follow', (e) => go(e.data));
    window.addEventListener('pagehide', () => source.close());
  }

  // What the message box sends goes out in order, one after the other, as a chat client sends it;
  // the box is cleared at once, so the next line can be typed while the last is under way.
  let sending = Promise.resolve();

  const post = async (form, data) => {
    const res = await fetch(form.action, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', 'x-csrf-token': window.icCsrf || '' },
      body: new URLSearchParams(data),
      credentials: 'same-origin',
    });
    const answer = await res.json().catch(() => ({}));
    if (!res.ok) {
      showError(answer.error || res.statusText);
      return false;
    }
    showError('');
    if (answer.url) go(answer.url);
    return true;
  };

  document.addEventListener('submit', (e) => {
    const form = e.target;
    if (!form || form.tagName !== 'FORM' || !form.hasAttribute('data-pg')) return;
    e.preventDefault();
    const data = new FormData(form);
    const submitter = e.submitter;
    if (submitter && submitter.name) data.set(submitter.name, submitter.value);
    if (form.hasAttribute('data-pg-say')) {
      const box = form.querySelector('input[name="text"]');
      const text = box ? box.value : '';
      if (box) box.value = '';
      sending = sending.then(async () => {
        try {
          // Refused (too long, unknown command...): the line comes back to the box if it is still empty.
          if (!(await post(form, data)) && box && !box.value) box.value = text;
        } catch {
          // The server went away: post the line the plain way, which shows what happened.
          if (box) box.value = text;
          form.submit();
        }
      });
      box?.focus();
      return;
    }
    const buttons = form.querySelectorAll('button');
    buttons.forEach((b) => (b.disabled = true));
    post(form, data)
      // The server went away: post the form the plain way, which shows what happened.
      .catch(() => form.submit())
      .finally(() => buttons.forEach((b) => (b.disabled = false)));
  });

  const switcher = document.querySelector('.pg-switch select');
  switcher?.addEventListener('change', () => switcher.form?.submit());
  toBottom();
})();
