// The dashboard's one script: progressive enhancement only (every page works without it).
// Elements with data-live="<url>" follow a Server-Sent Events stream: each message's data is
// HTML made by the server (already escaped) that replaces the element's content, or, with
// data-live-append, is added at its end.
(() => {
  const csrf = document.querySelector('meta[name="csrf-token"]')?.getAttribute('content') ?? '';
  window.icCsrf = csrf;
  for (const el of document.querySelectorAll('[data-live]')) {
    const source = new EventSource(el.getAttribute('data-live'));
    source.addEventListener('message', (e) => {
      const tpl = document.createElement('template');
      tpl.innerHTML = e.data;
      if (el.hasAttribute('data-live-append')) el.append(tpl.content);
      else el.replaceChildren(tpl.content);
      el.dispatchEvent(new CustomEvent('ic:live', { bubbles: true }));
    });
  }
})();
