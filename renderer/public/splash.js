// The splash's language and theme, set before the first paint (a classic script: the page's CSP allows scripts from 'self' only, never inline).
// The same rule as renderer/src/i18n/index.ts: the saved locale, else Chinese for a zh system language, else English.
(function () {
  var root = document.documentElement;
  try {
    var saved = localStorage.getItem('model-lab.locale');
    var lang = saved === 'en' || saved === 'zh-CN' ? saved : /^zh/i.test(navigator.language || '') ? 'zh-CN' : 'en';
    root.lang = lang;
    var theme = localStorage.getItem('model-lab.splash-theme');
    if (theme === 'dark' || theme === 'light') root.setAttribute('data-splash-theme', theme);
  } catch {
    // Storage can be off (private windows): the system's language and colours still apply.
    if (/^zh/i.test(navigator.language || '')) root.lang = 'zh-CN';
  }
})();
