// The viewer's only script, served as /assets/app.js. Pages work without it; it adds the
// live tail (Server-Sent Events) and search as you type. All HTML it inserts was rendered
// and escaped by the server.

/** The script of every viewer page. */
export const APP_JS = `'use strict';
(function () {
  var live = document.getElementById('live');
  var log = document.getElementById('log');
  if (live && log && window.EventSource) {
    live.hidden = false;
    var state = live.querySelector('.state');
    var source = new EventSource(live.getAttribute('data-src'));
    var nearBottom = function () {
      return window.innerHeight + window.scrollY >= document.body.scrollHeight - 80;
    };
    var add = function (html) {
      var follow = nearBottom();
      log.insertAdjacentHTML('beforeend', html);
      var added = log.lastElementChild;
      if (added) added.classList.add('fresh');
      if (follow) window.scrollTo(0, document.body.scrollHeight);
    };
    source.addEventListener('open', function () {
      live.classList.remove('off');
      state.textContent = 'live: new lines appear here as they are archived';
    });
    source.addEventListener('line', function (e) { add(JSON.parse(e.data).html); });
    source.addEventListener('day', function (e) {
      var d = JSON.parse(e.data);
      add(d.html);
      var next = document.querySelectorAll('.daynav .none');
      for (var i = 0; i < next.length; i++) {
        if (next[i].textContent.indexOf('later') === 0) {
          var a = document.createElement('a');
          a.href = d.href; a.rel = 'next'; a.textContent = d.day + ' \\u2192';
          next[i].replaceWith(a);
        }
      }
    });
    source.addEventListener('error', function () {
      live.classList.add('off');
      state.textContent = 'live: reconnecting\\u2026';
    });
  }

  var form = document.getElementById('search');
  var results = document.getElementById('results');
  if (form && results && window.fetch) {
    var timer = 0;
    var pending = null;
    var run = function () {
      var params = new URLSearchParams(new FormData(form));
      if (pending) pending.abort();
      pending = new AbortController();
      history.replaceState(null, '', '?' + params.toString());
      params.set('fragment', '1');
      fetch(form.getAttribute('action') + '?' + params.toString(), { signal: pending.signal })
        .then(function (r) { return r.text(); })
        .then(function (html) { results.innerHTML = html; })
        .catch(function () {});
    };
    var soon = function () { clearTimeout(timer); timer = setTimeout(run, 250); };
    form.addEventListener('input', soon);
    form.addEventListener('change', soon);
  }
})();
`;
