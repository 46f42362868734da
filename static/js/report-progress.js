/* Report library: keeps queued and running report orders current without reloading the page.
 *
 * Every element with data-report-status="<url>" is polled (JSON from reporting.views.report_status)
 * until the report is done or failed; its .report-order__state and its progress
 * ([data-report-progress]: e.g. "3 av 9 delar klara") are updated in place, a download link
 * appears when the file is ready, what only a report in progress says ([data-report-pending])
 * goes, and the change is announced in the nearest polite live region ([data-report-announce]).
 * The pages render the same progress on the server; without JavaScript they offer a plain
 * "Uppdatera" link.
 * No inline script: the site's Content-Security-Policy allows only files from its own origin.
 */
(function () {
  "use strict";

  var INTERVAL_MS = 4000;
  var GIVE_UP_MS = 45 * 60 * 1000;
  var STATE_CLASS = { queued: "state--submitted", running: "state--submitted", failed: "state--returned" };

  function announcer(element) {
    var scope = element.closest("section, main") || document;
    return scope.querySelector("[data-report-announce]") || document.querySelector("[data-report-announce]");
  }

  function stateBadge(data) {
    var badge = document.createElement("span");
    var extra = data.status === "done" ? (data.published ? "state--published" : "") : STATE_CLASS[data.status] || "";
    badge.className = "state" + (extra ? " " + extra : "");
    badge.textContent = data.label;
    return badge;
  }

  function showProgress(element, progress) {
    var holders = element.querySelectorAll("[data-report-progress]");
    for (var i = 0; i < holders.length; i += 1) {
      var holder = holders[i];
      if (!progress) {
        holder.remove();
        continue;
      }
      var text = holder.querySelector("[data-report-progress-text]");
      if (text) {
        text.textContent = progress.text;
      }
      var bar = holder.querySelector("progress");
      if (progress.total) {
        if (!bar) {
          bar = document.createElement("progress");
          bar.setAttribute("aria-label", "Delar klara");
          holder.insertBefore(document.createTextNode(" "), holder.firstChild);
          holder.insertBefore(bar, holder.firstChild);
        }
        bar.max = progress.total;
        bar.value = progress.done;
        bar.textContent = progress.done + " av " + progress.total;
      }
    }
  }

  function finish(element, data) {
    var pendingOnly = element.querySelectorAll("[data-report-pending]");
    for (var i = 0; i < pendingOnly.length; i += 1) {
      pendingOnly[i].remove();
    }
    var holder = element.querySelector(".report-order__state");
    var after = document.createElement("span");
    if (data.status === "done" && data.download_url) {
      var link = document.createElement("a");
      link.href = data.download_url;
      link.setAttribute("download", "");
      link.textContent = "Ladda ned PDF";
      after.appendChild(document.createTextNode(" "));
      after.appendChild(link);
      after.appendChild(document.createTextNode(" (" + data.pages + " sidor)"));
    } else if (data.status === "failed") {
      var error = document.createElement("span");
      error.className = "field-error";
      error.textContent = " " + (data.error || "Rapporten kunde inte skapas.");
      after.appendChild(error);
    }
    holder.parentNode.insertBefore(after, holder.nextSibling);
    var live = announcer(element);
    if (live) {
      live.textContent = data.title + ", version " + data.version + ": " +
        (data.status === "done" ? "klar att ladda ned." : data.label.toLowerCase() + ".");
    }
  }

  function watch(element) {
    var url = element.getAttribute("data-report-status");
    var started = Date.now();
    var last = null;

    function poll() {
      if (Date.now() - started > GIVE_UP_MS) {
        return;
      }
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("HTTP " + response.status);
          }
          return response.json();
        })
        .then(function (data) {
          var holder = element.querySelector(".report-order__state");
          if (holder && data.label !== last) {
            holder.replaceChildren(stateBadge(data));
            last = data.label;
          }
          showProgress(element, data.progress);
          if (data.pending) {
            window.setTimeout(poll, INTERVAL_MS);
          } else {
            element.removeAttribute("data-report-status");
            finish(element, data);
          }
        })
        .catch(function () {
          window.setTimeout(poll, INTERVAL_MS * 3);
        });
    }

    window.setTimeout(poll, INTERVAL_MS);
  }

  function start() {
    var elements = document.querySelectorAll("[data-report-status]");
    for (var i = 0; i < elements.length; i += 1) {
      watch(elements[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
