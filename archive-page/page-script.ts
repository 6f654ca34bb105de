/**
 * The page's script, inline (plain ES2017, run by the browser, not by Node). It mounts a session's
 * video when its row scrolls into view (a page of 1,000 sessions creates a few players, not 1,000),
 * gives it the transcript as captions (the `.vtt` beside it over HTTP(S); from the page's own copy
 * when opened from a folder, where browsers refuse to load one file:// URL from another), plays
 * clips, seeks to a clip, and searches every transcript of the test (those beyond the page's budget
 * fetched for the first search, over HTTP(S) only). Everything from the API is
 * put into the page as text (textContent), never as markup.
 */
export const PAGE_SCRIPT = `
(function () {
  'use strict';
  var data;
  function archiveData() {
    if (!data) data = JSON.parse(document.getElementById('archive-data').textContent);
    return data;
  }
  function sessionData(id) {
    var sessions = archiveData().sessions;
    for (var i = 0; i < sessions.length; i++) if (sessions[i].sessionId === id) return sessions[i];
    return undefined;
  }
  function clock(ms) {
    var s = Math.floor(ms / 1000), h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    return (h ? h + ':' + (m < 10 ? '0' : '') : '') + m + ':' + (r < 10 ? '0' : '') + r;
  }
  var fromFolder = location.protocol === 'file:';
  function mountPlayer(holder) {
    var existing = holder.querySelector('video');
    if (existing) return existing;
    var id = holder.getAttribute('data-session');
    var session = sessionData(id);
    if (!session || !session.video) return undefined;
    holder.textContent = '';
    var video = document.createElement('video');
    video.controls = true;
    video.preload = 'metadata';
    video.src = session.video;
    video.setAttribute('data-session', id);
    // From a folder, only the page's own copy can become captions: a linked-only transcript cannot.
    if (session.transcript && !(fromFolder && session.transcript.vtt === undefined)) {
      var track = document.createElement('track');
      track.kind = 'captions';
      track.label = 'Transcript';
      track.srclang = 'en';
      track.default = true;
      track.src = fromFolder ? URL.createObjectURL(new Blob([session.transcript.vtt], { type: 'text/vtt' })) : session.transcript.src;
      video.appendChild(track);
    }
    holder.appendChild(video);
    return video;
  }
  function playerOf(id) {
    var holder = document.querySelector('.player[data-session="' + id + '"]');
    return holder ? mountPlayer(holder) : undefined;
  }
  function playFrom(id, ms) {
    var video = playerOf(id);
    if (!video) return;
    video.closest('.session-row').scrollIntoView({ block: 'center' });
    var seek = function () {
      video.currentTime = ms / 1000;
      var playing = video.play();
      if (playing && playing.catch) playing.catch(function () {});
    };
    if (video.readyState >= 1) seek();
    else video.addEventListener('loadedmetadata', seek, { once: true });
  }
  var holders = document.querySelectorAll('.player[data-session]');
  if ('IntersectionObserver' in window) {
    var observer = new IntersectionObserver(
      function (entries) {
        entries.forEach(function (entry) {
          if (!entry.isIntersecting) return;
          observer.unobserve(entry.target);
          mountPlayer(entry.target);
        });
      },
      { rootMargin: '300px' }
    );
    holders.forEach(function (holder) { observer.observe(holder); });
  } else {
    holders.forEach(mountPlayer);
  }
  document.addEventListener('click', function (event) {
    var button = event.target.closest('button');
    if (!button) return;
    if (button.hasAttribute('data-load')) mountPlayer(button.closest('.player'));
    var row = button.closest('.session-row');
    if (button.hasAttribute('data-seek')) playFrom(row.getAttribute('data-session'), Number(button.getAttribute('data-seek')));
    if (button.hasAttribute('data-clip')) {
      var item = button.closest('li');
      var clip = item.querySelector('video');
      if (!clip) {
        clip = document.createElement('video');
        clip.controls = true;
        clip.src = button.getAttribute('data-clip');
        item.appendChild(clip);
      }
      var started = clip.play();
      if (started && started.catch) started.catch(function () {});
    }
  });

  var cues;
  function parseTime(text) {
    var parts = text.trim().split(':').map(Number);
    var s = 0;
    for (var i = 0; i < parts.length; i++) s = s * 60 + parts[i];
    return Math.round(s * 1000);
  }
  function cuesOf(session, into) {
    session.transcript.vtt.replace(/\\r\\n?/g, '\\n').split(/\\n\\n+/).forEach(function (block) {
      var lines = block.split('\\n');
      for (var i = 0; i < lines.length; i++) {
        var arrow = lines[i].indexOf('-->');
        if (arrow < 0) continue;
        var speaker = '';
        var text = lines.slice(i + 1).join(' ').replace(/<v(?:\\.[^ >]*)? ([^>]*)>/g, function (_m, name) { speaker = name; return ''; });
        text = text.replace(/<[^>]*>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&').trim();
        if (text) into.push({ sessionId: session.sessionId, startMs: parseTime(lines[i].slice(0, arrow)), speaker: speaker, text: text, lower: text.toLowerCase() });
        break;
      }
    });
  }
  function allCues() {
    if (cues) return cues;
    cues = [];
    archiveData().sessions.forEach(function (session) {
      if (session.transcript && session.transcript.vtt !== undefined) cuesOf(session, cues);
    });
    return cues;
  }
  // Transcripts beyond the page's budget: fetched from beside the page for the first search (over
  // HTTP(S); a folder refuses it), a few at a time, then the search runs again over all of them.
  var linked, linkedState = 'idle', linkedLoaded = 0, linkedFailed = 0, shownAt = 0;
  function linkedOnly() {
    if (!linked) linked = archiveData().sessions.filter(function (s) { return s.transcript && s.transcript.vtt === undefined; });
    return linked;
  }
  function loadOne(session, then) {
    fetch(session.transcript.src)
      .then(function (response) { if (!response.ok) throw new Error(String(response.status)); return response.text(); })
      .then(function (text) { session.transcript.vtt = text; if (cues) cuesOf(session, cues); linkedLoaded++; })
      .catch(function () { linkedFailed++; })
      .then(then, then);
  }
  function loadLinked() {
    if (linkedState !== 'idle' || fromFolder || !linkedOnly().length) return;
    linkedState = 'loading';
    var next = 0, active = 0;
    function loaded() {
      active--;
      var finished = linkedLoaded + linkedFailed;
      if (finished === linked.length) { linkedState = 'done'; search(); return; }
      // Hits so far, every 25 transcripts, while the rest load.
      if (finished - shownAt >= 25) { shownAt = finished; search(); }
      pump();
    }
    function pump() {
      while (active < 4 && next < linked.length) {
        active++;
        loadOne(linked[next++], loaded);
      }
    }
    pump();
  }
  function linkedStatus() {
    if (!linkedOnly().length) return '';
    if (fromFolder) return ' (in the ' + (archiveData().sessions.filter(function (s) { return s.transcript; }).length - linked.length) + ' transcripts this page holds; the ' + linked.length + ' linked ones are searched over HTTP(S) only)';
    if (linkedState === 'loading') return ' (loading the linked transcripts: ' + (linkedLoaded + linkedFailed) + ' of ' + linked.length + ')';
    return linkedFailed ? ' (' + linkedFailed + ' linked transcripts could not be loaded)' : '';
  }
  var input = document.getElementById('search-input');
  var results = document.getElementById('search-results');
  var status = document.getElementById('search-status');
  var pending;
  function search() {
    var query = input.value.trim().toLowerCase();
    results.textContent = '';
    if (!query) { status.textContent = ''; return; }
    loadLinked();
    var hits = allCues().filter(function (cue) { return cue.lower.indexOf(query) >= 0; });
    status.textContent = hits.length + (hits.length === 1 ? ' line' : ' lines') + (hits.length > 200 ? ', the first 200 shown' : '') + linkedStatus();
    hits.slice(0, 200).forEach(function (cue) {
      var item = document.createElement('li');
      var button = document.createElement('button');
      button.type = 'button';
      button.className = 'hit';
      button.setAttribute('data-session', cue.sessionId);
      button.setAttribute('data-start', String(cue.startMs));
      var at = cue.lower.indexOf(query);
      button.appendChild(document.createTextNode(cue.text.slice(0, at)));
      var mark = document.createElement('mark');
      mark.textContent = cue.text.slice(at, at + query.length);
      button.appendChild(mark);
      button.appendChild(document.createTextNode(cue.text.slice(at + query.length)));
      var where = document.createElement('span');
      where.className = 'meta';
      where.textContent = ' — ' + (cue.speaker ? cue.speaker + ', ' : '') + 'session ' + cue.sessionId.slice(0, 8) + ' at ' + clock(cue.startMs);
      item.appendChild(button);
      item.appendChild(where);
      results.appendChild(item);
    });
  }
  input.addEventListener('input', function () {
    clearTimeout(pending);
    pending = setTimeout(search, 120);
  });
  results.addEventListener('click', function (event) {
    var hit = event.target.closest('button.hit');
    if (hit) playFrom(hit.getAttribute('data-session'), Number(hit.getAttribute('data-start')));
  });
})();
`;
