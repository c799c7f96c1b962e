/* Bar Raiser: small enhancements; every page works without this file. */
(function () {
  "use strict";

  /*
   * Suggestion buttons fill a select: <button data-fill-select="select-id" data-value="42">.
   * The buttons ship hidden, so without JavaScript the suggestions are a plain list.
   */
  function syncPressed(select) {
    document.querySelectorAll('[data-fill-select="' + select.id + '"]').forEach(function (button) {
      button.setAttribute("aria-pressed", String(button.dataset.value === select.value));
    });
  }

  document.querySelectorAll("[data-fill-select]").forEach(function (button) {
    var select = document.getElementById(button.dataset.fillSelect);
    if (!select) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      select.value = button.dataset.value;
      select.dispatchEvent(new Event("change", { bubbles: true }));
      var status = document.querySelector('[data-fill-status="' + select.id + '"]');
      var chosen = select.options[select.selectedIndex];
      if (status && chosen) status.textContent = "Bar raiser set to " + chosen.text + ".";
    });
    if (!select.dataset.fillWatched) {
      select.dataset.fillWatched = "1";
      select.addEventListener("change", function () { syncPressed(select); });
      syncPressed(select);
    }
  });
})();

/*
 * The kit's "Print" button (hidden without JavaScript; the browser's own print works the same).
 */
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
})();

/*
 * Feedback drafts save themselves while the author types: <form data-autosave-url>.
 * The server answers with the draft's new version (kept in the form, so the buttons
 * still post the version they saw) and the coaching flags, shown beside their fields.
 * Without JavaScript the form saves with its buttons, as before.
 */
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave-url]");
  if (!form || !window.fetch || !window.FormData) return;
  var status = form.querySelector("[data-autosave-status]");
  var version = form.querySelector("input[name=version]");
  var timer = null, inFlight = null, dirty = false, submitting = false;

  function say(text) { if (status) status.textContent = text; }

  function showFlags(flags) {
    form.querySelectorAll("[data-coaching-for]").forEach(function (box) {
      var messages = flags[box.dataset.coachingFor] || [];
      box.textContent = "";
      messages.forEach(function (message) {
        var p = document.createElement("p");
        var label = document.createElement("strong");
        label.textContent = "Coaching:";
        p.appendChild(label);
        p.appendChild(document.createTextNode(" " + message));
        box.appendChild(p);
      });
      box.hidden = messages.length === 0;
    });
  }

  function save(keepalive) {
    if (!dirty || submitting) return Promise.resolve();
    if (inFlight) return inFlight.then(function () { return save(keepalive); });
    dirty = false;
    var body = new FormData(form);
    body.delete("save");
    body.delete("submit");
    inFlight = fetch(form.dataset.autosaveUrl, {
      method: "POST", body: body, credentials: "same-origin", keepalive: !!keepalive,
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") === -1) {
        throw new Error("Not saved automatically: your session may have ended. Copy your text, then sign in again.");
      }
      return response.json().then(function (data) {
        if (!response.ok) throw new Error(data.error || "Not saved automatically.");
        return data;
      });
    }).then(function (data) {
      if (version) version.value = data.version;
      showFlags(data.flags || {});
      say("Draft saved automatically at " + data.saved_at + ".");
      document.dispatchEvent(new CustomEvent("session:touched"));
    }).catch(function (error) {
      say(error.message);
    }).then(function () { inFlight = null; });
    return inFlight;
  }

  function changed() {
    dirty = true;
    clearTimeout(timer);
    timer = setTimeout(save, 1500);
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("submit", function (event) {
    clearTimeout(timer);
    if (inFlight && !submitting) {
      // Let the automatic save finish first, so the button posts the draft's current version.
      event.preventDefault();
      var submitter = event.submitter;
      inFlight.then(function () {
        submitting = true;
        if (form.requestSubmit) form.requestSubmit(submitter); else form.submit();
      });
      return;
    }
    submitting = true;
  });
  window.addEventListener("pagehide", function () { clearTimeout(timer); save(true); });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { clearTimeout(timer); save(true); }
  });
})();

/*
 * Warn before a long form meets the idle limit (WCAG 2.2.1), with a way to stay signed in:
 * <form data-session-idle="seconds" data-keepalive-url="...">. Any automatic save counts as activity.
 */
(function () {
  "use strict";
  var form = document.querySelector("form[data-session-idle][data-keepalive-url]");
  if (!form || !window.fetch) return;
  var idle = parseInt(form.dataset.sessionIdle, 10) * 1000;
  if (!(idle > 0)) return;
  var warning = form.querySelector("[data-session-warning]");
  var text = form.querySelector("[data-session-warning-text]");
  var stay = form.querySelector("[data-stay-signed-in]");
  var lead = Math.min(5 * 60 * 1000, idle / 2);
  var warnTimer = null;

  function arm() {
    clearTimeout(warnTimer);
    if (warning) warning.hidden = true;
    warnTimer = setTimeout(function () {
      var minutes = Math.max(1, Math.round(lead / 60000));
      text.textContent = "You will be signed out in about " + minutes + " minute" + (minutes === 1 ? "" : "s") +
        " because nothing has been saved for a while. Stay signed in to keep writing.";
      warning.hidden = false;
      stay.focus();
    }, idle - lead);
  }

  if (!warning || !stay) return;
  stay.addEventListener("click", function () {
    var token = form.querySelector("input[name=csrf_token]");
    var body = new FormData();
    if (token) body.append("csrf_token", token.value);
    fetch(form.dataset.keepaliveUrl, { method: "POST", body: body, credentials: "same-origin",
                                       headers: { "Accept": "application/json" } })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (!response.ok || type.indexOf("application/json") === -1) throw new Error();
        arm();
      })
      .catch(function () {
        text.textContent = "Your session has already ended. Copy anything you typed since the last save, then sign in again.";
      });
  });
  document.addEventListener("session:touched", arm);
  arm();
})();

// A "copy" button beside a read-only field (the calendar feed's address); selecting the field works without it.
(function () {
  document.querySelectorAll("[data-select-on-focus]").forEach(function (input) {
    input.addEventListener("focus", function () { input.select(); });
  });
  document.querySelectorAll("[data-copy-from]").forEach(function (button) {
    var source = document.getElementById(button.dataset.copyFrom);
    var status = document.querySelector("[data-copy-status]");
    if (!source) return;
    button.addEventListener("click", function () {
      source.select();
      var done = function () { if (status) status.textContent = "The address is copied."; };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(source.value).then(done, function () {
          if (status) status.textContent = "Select the address and copy it.";
        });
      } else if (status) {
        status.textContent = "The address is selected: copy it with your keyboard.";
      }
    });
  });
})();
