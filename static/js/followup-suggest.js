/* Follow-up form: the suggested assessment follows the outcomes as they are typed.
 *
 * Each goal's basis ([data-basis]) holds its indicator rows ([data-indicator]) and its
 * suggestion ([data-suggestion]). A row says where its outcome is typed (data-input, an
 * element id), its target for the year (data-target, as the server writes a decimal:
 * "91.00"), whether a higher value is better (data-higher: "1" or "0") and, for an imported
 * (e.g. Kolada) outcome, the value that stays when the field is left empty (data-kept).
 * The server renders every status and every level, all but one hidden; this script only
 * chooses which one shows, so the words and symbols are the server's.
 *
 * The rule is goals/rules.py's suggest_assessment and target_status, and a typed number
 * is read as core.forms.SwedishDecimalField reads it (with the outcome field's 14 digits,
 * 2 decimals): what is no number there counts as missing here too. Numbers are compared
 * exactly (BigInt), as Python's Decimal does. goals/tests/browser/test_followup_basis.py
 * holds this file to the server's rule with the same cases.
 * Without JavaScript the suggestion follows on "Spara utkast". No inline script: the
 * site's Content-Security-Policy allows only files from its own origin.
 */
(function () {
  "use strict";

  var MAX_DIGITS = 14;
  var DECIMAL_PLACES = 2;
  var SPACES = /[\s\u00a0\u202f]/g;
  // Python's Decimal syntax (underscores between digits allowed), finite numbers only.
  var DIGITS = "[0-9](?:_?[0-9])*";
  var NUMBER = new RegExp(
    "^([+-]?)(" + DIGITS + ")?(?:\\.(" + DIGITS + ")?)?(?:[eE]([+-]?" + DIGITS + "))?$"
  );

  /* A decimal as {coefficient: BigInt (signed), exponent: int, digits: int}, where
   * `digits` counts the coefficient's digits as Decimal.as_tuple() does; null if no number. */
  function decimal(text) {
    var m = NUMBER.exec(text);
    if (!m || (m[2] === undefined && m[3] === undefined)) {
      return null;
    }
    var whole = (m[2] || "").replace(/_/g, "");
    var fraction = (m[3] || "").replace(/_/g, "");
    var exponent = parseInt((m[4] || "0").replace(/_/g, ""), 10) - fraction.length;
    var coefficient = (whole + fraction).replace(/^0+/, "") || "0";
    var value = BigInt(coefficient);
    return {
      coefficient: m[1] === "-" ? -value : value,
      exponent: exponent,
      digits: coefficient.length,
    };
  }

  /* core.forms.SwedishDecimalField.to_python and Django's DecimalValidator(14, 2). */
  function parseOutcome(raw) {
    if (raw === undefined || raw === null || raw === "") {
      return null;
    }
    var text = String(raw).replace(SPACES, "").replace(/,/g, ".").replace(/\u2212/g, "-");
    var number = decimal(text);
    if (number === null) {
      return null;
    }
    var digits, decimals;
    if (number.exponent >= 0) {
      digits = number.digits + (number.coefficient === 0n ? 0 : number.exponent);
      decimals = 0;
    } else if (-number.exponent > number.digits) {
      digits = decimals = -number.exponent;
    } else {
      digits = number.digits;
      decimals = -number.exponent;
    }
    if (digits > MAX_DIGITS || decimals > DECIMAL_PLACES || digits - decimals > MAX_DIGITS - DECIMAL_PLACES) {
      return null;
    }
    return number;
  }

  /* -1, 0 or 1 as a < b, a == b, a > b. */
  function compare(a, b) {
    var low = Math.min(a.exponent, b.exponent);
    var x = a.coefficient * 10n ** BigInt(a.exponent - low);
    var y = b.coefficient * 10n ** BigInt(b.exponent - low);
    return x < y ? -1 : x > y ? 1 : 0;
  }

  /* goals.rules.target_status */
  function targetStatus(value, target, higherIsBetter) {
    if (value === null) {
      return "no_outcome";
    }
    if (target === null) {
      return "no_target";
    }
    var order = compare(value, target);
    return (higherIsBetter ? order >= 0 : order <= 0) ? "reached" : "not_reached";
  }

  /* goals.rules.suggest_assessment, from the statuses of a goal's indicators. */
  function suggest(statuses) {
    var judged = 0;
    var met = 0;
    statuses.forEach(function (status) {
      if (status === "reached" || status === "not_reached") {
        judged += 1;
        met += status === "reached" ? 1 : 0;
      }
    });
    if (judged === 0) {
      return "not_assessed";
    }
    if (met === judged) {
      return "fulfilled";
    }
    return met * 2 >= judged ? "partly" : "not_fulfilled";
  }

  function show(container, attribute, key) {
    container.querySelectorAll("[" + attribute + "]").forEach(function (element) {
      element.hidden = element.getAttribute(attribute) !== key;
    });
  }

  function rowStatus(row) {
    var input = document.getElementById(row.getAttribute("data-input"));
    var value = parseOutcome(input ? input.value : null);
    if (value === null && row.hasAttribute("data-kept")) {
      value = decimal(row.getAttribute("data-kept"));
    }
    var target = row.getAttribute("data-target") ? decimal(row.getAttribute("data-target")) : null;
    return targetStatus(value, target, row.getAttribute("data-higher") === "1");
  }

  function update(basis) {
    var rows = basis.querySelectorAll("[data-indicator]");
    var shown = basis.querySelector("[data-suggestion]");
    var suggestion;
    if (rows.length) {
      var statuses = [];
      rows.forEach(function (row) {
        var status = rowStatus(row);
        show(row, "data-status", status);
        statuses.push(status);
      });
      suggestion = suggest(statuses);
      if (shown && shown.getAttribute("data-current") !== suggestion) {
        shown.setAttribute("data-current", suggestion);
        show(shown, "data-level", suggestion);
      }
    } else {
      // A unit's form: the committee types the outcomes; the server's suggestion stands.
      var level = shown && shown.querySelector("[data-level]:not([hidden])");
      suggestion = level ? level.getAttribute("data-level") : "";
    }
    var section = basis.closest("details") || basis.parentNode;
    var chosen = document.getElementById(basis.getAttribute("data-level-input"));
    var note = section.querySelector("[data-override-note]");
    if (chosen && note) {
      note.hidden = !chosen.value || chosen.value === suggestion;
    }
  }

  function start() {
    document.querySelectorAll("[data-basis]").forEach(function (basis) {
      var inputs = [];
      basis.querySelectorAll("[data-indicator]").forEach(function (row) {
        var input = document.getElementById(row.getAttribute("data-input"));
        if (input) {
          inputs.push(input);
        }
      });
      var level = document.getElementById(basis.getAttribute("data-level-input"));
      if (level) {
        inputs.push(level);
      }
      inputs.forEach(function (input) {
        input.addEventListener("input", function () {
          update(basis);
        });
        input.addEventListener("change", function () {
          update(basis);
        });
      });
      if (inputs.length) {
        update(basis); // a browser may have restored typed values on going back
      }
    });
  }

  // For the tests that hold this file to the server's rule (goals/tests/browser).
  window.styrFollowupSuggest = { parseOutcome: parseOutcome, targetStatus: targetStatus, suggest: suggest };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
