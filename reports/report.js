(function () {
  "use strict";
  // The report as a small single-page app over the embedded data (see auditor/writers/report_data.py).
  // Every piece of scanned data reaches the page through textContent (never innerHTML), links
  // are built only as "#/..." routes or checked relative paths into evidence/, and invisible or
  // direction-changing characters are shown as visible markers.
  var t0 = performance.now();
  var node = document.getElementById("report-data");
  if (!node) return;
  var D = JSON.parse(node.textContent);
  var S = D.S, F = D.F, W = 5, N = F.length / W, E = D.enums;
  var app = document.getElementById("app");

  function str(i) { return i == null || i < 0 ? "" : S[i]; }

  // ------------------------------------------------------------------ indexes
  var byCheck = D.checks.map(function () { return []; });
  var byRes = D.resources.map(function () { return []; });
  for (var i = 0; i < N; i++) {
    byCheck[F[i * W]].push(i);
    byRes[F[i * W + 2]].push(i);
  }
  var ctlIndex = {}, checkIndex = {}, resIndex = {};
  D.controls.forEach(function (c, j) { ctlIndex[E.frameworks[c[0]] + "/" + S[c[1]]] = j; });
  D.checks.forEach(function (c, j) { checkIndex[S[c[0]]] = j; });
  D.resources.forEach(function (r, j) { resIndex[S[r[7]]] = j; });
  var checkFw = D.checks.map(function (c) {
    var m = {};
    c[7].forEach(function (ci) { m[E.frameworks[D.controls[ci][0]]] = true; });
    return m;
  });

  // ------------------------------------------------------------------ DOM helpers
  var INVISIBLE = /[\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2069\uFEFF]/;
  function text(s) {
    s = s == null ? "" : String(s);
    if (!INVISIBLE.test(s)) return document.createTextNode(s);
    var frag = document.createDocumentFragment(), buf = "";
    for (var k = 0; k < s.length; k++) {
      var ch = s.charAt(k);
      if (INVISIBLE.test(ch)) {
        if (buf) { frag.appendChild(document.createTextNode(buf)); buf = ""; }
        var mark = document.createElement("span");
        mark.className = "cc";
        mark.title = "invisible or direction-changing character";
        mark.textContent = "U+" + ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0");
        frag.appendChild(mark);
      } else buf += ch;
    }
    if (buf) frag.appendChild(document.createTextNode(buf));
    return frag;
  }
  function el(tag, cls, kids) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    (kids || []).forEach(function (k) {
      if (k == null) return;
      e.appendChild(typeof k === "string" || typeof k === "number" ? text(k) : k);
    });
    return e;
  }
  function data(s) { return el("bdi", "d", [s]); } // scanned text: isolated, never reorders its neighbours
  function route() { return "#/" + Array.prototype.map.call(arguments, encodeURIComponent).join("/"); }
  function link(href, kids, cls) { var a = el("a", cls, kids); a.setAttribute("href", href); return a; }
  function badge(kind, label) { return el("span", "badge " + kind, [label || kind.replace(/_/g, " ")]); }
  function pct(n, total) { return total ? Math.round((1000 * n) / total) / 10 + "%" : "0%"; }
  function h(level, kids) { return el("h" + level, null, kids); }
  function table(head, rows, cls) {
    var t = el("table", cls), tr = el("tr");
    head.forEach(function (x) { tr.appendChild(el("th", null, [x])); });
    t.appendChild(el("thead", null, [tr]));
    var body = el("tbody");
    rows.forEach(function (r) { body.appendChild(r); });
    t.appendChild(body);
    return t;
  }
  function row(cells) {
    var tr = el("tr");
    cells.forEach(function (c) { tr.appendChild(c instanceof Node && c.nodeName === "TD" ? c : el("td", null, [c])); });
    return tr;
  }
  function select(label, options, value) {
    var s = el("select");
    s.setAttribute("aria-label", label);
    options.forEach(function (o) {
      var opt = el("option", null, [o[1]]);
      opt.value = o[0];
      if (o[0] === value) opt.selected = true;
      s.appendChild(opt);
    });
    return s;
  }
  var SAFE_FILE = /^evidence\/[A-Za-z0-9._\/-]+$/;
  function fileLink(path, label) {
    return SAFE_FILE.test(path) && path.indexOf("..") === -1 ? link(path, [label || path], "file") : el("code", null, [path]);
  }
  function urlLink(url) {
    if (!/^https?:\/\/[^\s]+$/i.test(url)) return el("code", null, [url]);
    var a = link(url, [url], "ext");
    a.setAttribute("rel", "noopener noreferrer");
    a.setAttribute("target", "_blank");
    return a;
  }

  // ------------------------------------------------------------------ model access
  function ctl(j) {
    var c = D.controls[j];
    return {
      index: j, fw: E.frameworks[c[0]], id: S[c[1]], title: S[c[2]], group: str(c[3]), objective: str(c[4]),
      status: E.control_status[c[5]], assurance: E.assurance[c[6]], assuranceLabel: E.assurance_labels[c[6]],
      attested: c[7] === 1, dueSince: c[8], request: str(c[9]), checks: c[10], automation: str(c[11]),
      requirement: str(c[12]), attestations: c[13], excluded: c[14], notAssessed: c[15]
    };
  }
  function chk(j) {
    var c = D.checks[j];
    return {
      index: j, id: S[c[0]], title: S[c[1]], severity: c[2] >= 0 ? E.severity[c[2]] : "", provider: S[c[3]],
      rationale: str(c[4]), remediation: str(c[5]), references: c[6].map(str), controls: c[7]
    };
  }
  function res(j) {
    var r = D.resources[j];
    return { index: j, provider: S[r[0]], type: S[r[1]], id: S[r[2]], name: str(r[3]), account: str(r[4]),
      region: str(r[5]), source: str(r[6]), key: S[r[7]] };
  }
  function fstatus(i) { return E.status[F[i * W + 1]]; }
  function fkey(i) { return S[D.checks[F[i * W]][0]] + "/" + D.K.substr(i * 24, 24); }
  function counts(list) {
    var c = {};
    list.forEach(function (i) { var s = fstatus(i); c[s] = (c[s] || 0) + 1; });
    return c;
  }
  function countsText(c) {
    return E.status.filter(function (s) { return c[s]; }).map(function (s) { return c[s] + " " + s.replace(/_/g, " "); }).join(", ") || "nothing in scope";
  }
  function controlFindings(c) {
    var out = [];
    c.checks.forEach(function (ci) { out = out.concat(byCheck[ci]); });
    return out;
  }

  // ------------------------------------------------------------------ evidence
  function evidenceRecords(i) {
    var li = F[i * W + 4];
    return li < 0 ? [] : D.evl[li];
  }
  function evidenceBlock(ids) {
    var box = el("div", "evidence");
    ids.forEach(function (v) {
      if (v <= -2) { box.appendChild(el("p", "muted", ["record ", el("code", null, [S[-2 - v]]), " (not in this package)"])); return; }
      var e = D.ev[v];
      var head = el("p", null, [el("code", null, [S[e[0]]]), " ", str(e[2]), " · collected ", str(e[3]), " · sha256 ",
        el("code", "hash", [e[5]]), " · ", fileLink("evidence/" + S[e[4]], "open the record")]);
      box.appendChild(head);
      if (e[6] != null) box.appendChild(el("pre", "body", [e[6]]));
      else box.appendChild(el("p", "muted", ["body not embedded (size budget): see the record file"]));
    });
    return box;
  }
  function evidenceToggle(i) {
    var ids = evidenceRecords(i);
    if (!ids.length) return el("span", "muted", ["none"]);
    var d = el("details", "ev", [el("summary", null, [ids.length + " record" + (ids.length > 1 ? "s" : "")])]);
    d.addEventListener("toggle", function () {
      if (d.open && d.children.length === 1) d.appendChild(evidenceBlock(ids));
    });
    return d;
  }

  // ------------------------------------------------------------------ finding tables
  function printRow(i, opts) {
    // one compact line per verdict for paper: nothing left out, nothing nested
    var r = res(F[i * W + 2]), s = fstatus(i), ev = evidenceRecords(i).map(function (v) { return v <= -2 ? S[-2 - v] : S[D.ev[v][0]]; });
    var cells = [s.replace(/_/g, " ")];
    if (!opts.hideCheck) cells.push(S[D.checks[F[i * W]][0]]);
    cells.push(r.id + (r.name && r.name !== r.id ? " (" + r.name + ")" : ""));
    cells.push([r.account, r.region, r.source].filter(Boolean).join(" / "));
    cells.push(str(F[i * W + 3]) + (ev.length ? " [evidence: " + ev.join(", ") + "]" : ""));
    var tr = document.createElement("tr");
    tr.className = "f " + s;
    cells.forEach(function (c) { var td = document.createElement("td"); td.appendChild(text(c)); tr.appendChild(td); });
    return tr;
  }
  function findingRow(i, opts) {
    if (opts.print) return printRow(i, opts);
    var r = res(F[i * W + 2]), c = chk(F[i * W]), s = fstatus(i);
    var where = [r.account, r.region].filter(Boolean).join(" / ");
    var cells = [badge(s)];
    if (!opts.hideCheck) cells.push(link(route("check", c.id), [data(c.title)]));
    if (!opts.hideResource) {
      cells.push(el("span", null, [link(route("resource", r.key), [data(r.id)]),
        r.name && r.name !== r.id ? el("div", "muted", [data(r.name)]) : null, el("div", "muted", [r.type])]));
    }
    cells.push(el("span", null, [data(where), r.source ? el("div", "muted", [data(r.source)]) : null]));
    cells.push(el("span", null, [data(str(F[i * W + 3])), el("div", "muted key", [fkey(i)])]));
    cells.push(evidenceToggle(i));
    var tr = row(cells);
    tr.className = "f " + s;
    return tr;
  }
  function findingHead(opts) {
    if (opts.print) return ["verdict"].concat(opts.hideCheck ? [] : ["check"], ["resource", "where", "message [evidence records]"]);
    var head = ["Verdict"];
    if (!opts.hideCheck) head.push("Check");
    if (!opts.hideResource) head.push("Resource");
    head.push("Where", "Message (finding key)", "Evidence");
    return head;
  }
  var PAGE = 100;
  function findingTable(list, opts) {
    opts = opts || {};
    var wrap = el("div", "population");
    if (opts.print) {
      wrap.appendChild(table(findingHead(opts), list.map(function (i) { return findingRow(i, opts); }), "resources print" + (opts.hideCheck ? " nocheck" : "")));
      return wrap;
    }
    var bar = el("div", "filters");
    var st = select("verdict", [["", "any verdict"]].concat(E.status.map(function (s) { return [s, s.replace(/_/g, " ")]; })), opts.status || "");
    var q = el("input");
    q.type = "search";
    q.placeholder = "search resource, message, region…";
    q.setAttribute("aria-label", "search these verdicts");
    var count = el("span", "muted count");
    bar.appendChild(st); bar.appendChild(q); bar.appendChild(count);
    wrap.appendChild(bar);
    var t = table(findingHead(opts), [], "resources");
    var body = t.querySelector("tbody");
    wrap.appendChild(t);
    var more = el("button", "more", ["show more"]);
    more.type = "button";
    wrap.appendChild(more);
    var view = list, shown = 0;
    function draw(reset) {
      if (reset) { body.textContent = ""; shown = 0; }
      var frag = document.createDocumentFragment(), end = Math.min(view.length, shown + (opts.page || PAGE));
      for (var k = shown; k < end; k++) frag.appendChild(findingRow(view[k], opts));
      body.appendChild(frag);
      shown = end;
      count.textContent = "showing " + shown + " of " + view.length + (view.length !== list.length ? " (of " + list.length + ")" : "");
      more.hidden = shown >= view.length;
    }
    function apply() {
      var want = st.value === "" ? -1 : E.status.indexOf(st.value), needle = q.value.toLowerCase();
      view = list.filter(function (i) {
        if (want >= 0 && F[i * W + 1] !== want) return false;
        return !needle || haystack(i).indexOf(needle) !== -1;
      });
      draw(true);
    }
    st.addEventListener("change", apply);
    var timer;
    q.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(apply, 120); });
    more.addEventListener("click", function () { draw(false); });
    if (opts.status) apply(); else draw(true);
    return wrap;
  }
  var hay = [];
  function haystack(i) {
    if (hay[i] === undefined) {
      var r = D.resources[F[i * W + 2]];
      hay[i] = [S[D.checks[F[i * W]][0]], S[r[1]], S[r[2]], str(r[3]), str(r[4]), str(r[5]), str(r[6]), str(F[i * W + 3])].join(" ").toLowerCase();
    }
    return hay[i];
  }
  function order(list) {
    var rank = { fail: 0, error: 1, pass: 2, not_applicable: 3 };
    return list.slice().sort(function (a, b) { return rank[fstatus(a)] - rank[fstatus(b)] || a - b; });
  }

  // ------------------------------------------------------------------ views
  function section(title, kids, cls) { return el("section", cls, [h(2, [title])].concat(kids)); }
  var ASSURANCE_HELP = {
    fully_evidenced: "automated checks pass on every resource in scope and the manual part is attested",
    automated_only: "automated checks pass; the manual evidence request is still due",
    attested: "no automated result (manual control, or nothing in scope); a fresh attestation covers the manual part",
    manual_due: "no automated result, and the manual evidence request is due",
    failing: "an automated check failed: no attestation changes that",
    not_evaluated: "an automated check could not read what it needs (error)",
    not_fully_evaluated: "a mapped check was deliberately not run",
    not_assessed: "the mapped checks' providers were not part of this scan"
  };

  function overview() {
    var out = [];
    var cards = el("div", "cards");
    D.frameworks.forEach(function (fw) {
      var rows = E.control_status.map(function (s) {
        var n = fw.tally[s] || 0, tr = row([link(route("framework", fw.key) + "?status=" + s, [badge(s)]), String(n), pct(n, fw.total)]);
        if (!n) tr.className = "zero";
        return tr;
      });
      var arows = E.assurance.map(function (a) {
        var n = fw.assurance[a] || 0;
        var tr = row([link(route("framework", fw.key) + "?assurance=" + a, [badge(a, E.assurance_labels[E.assurance.indexOf(a)])]), String(n), pct(n, fw.total)]);
        if (!n) tr.className = "zero";
        return tr;
      });
      var bar = el("div", "bar");
      E.assurance.forEach(function (a) {
        if (!fw.assurance[a]) return;
        var seg = el("span", "seg " + a);
        seg.style.flex = String(fw.assurance[a]);
        seg.title = a + ": " + fw.assurance[a];
        bar.appendChild(seg);
      });
      cards.appendChild(el("div", "card", [
        h(3, [link(route("framework", fw.key), [fw.name])]), bar,
        el("p", "muted", [fw.total + " controls · manual part attested for " + fw.attested + " (" + pct(fw.attested, fw.total) + ")"]),
        h(4, ["Automated status"]), table(["status", "controls", "%"], rows, "tally"),
        h(4, ["Assurance (automated and manual together)"]), table(["state", "controls", "%"], arows, "tally")
      ]));
    });
    var sum = D.summary.findings;
    cards.appendChild(el("div", "card", [h(3, [link("#/findings", ["Findings"])]),
      table(["verdict", "findings"], E.status.map(function (s) { return row([badge(s), String(sum[s] || 0)]); }), "tally"),
      el("p", "muted", [N + " verdicts on " + D.resources.length + " resources by " + D.checks.length + " checks"])]));
    out.push(section("Overview", [cards]));
    out.push(section("What the states mean", [table(["assurance", "meaning"], E.assurance.map(function (a, k) {
      return row([badge(a, E.assurance_labels[k]), ASSURANCE_HELP[a] || ""]);
    }), "help"), el("p", "note", ["A control's automated status comes from its checks alone; attestations only evidence its manual part, so an automated failure or gap is never hidden. Freshness is judged against the scan's collection time."])]));
    if (D.errors.length) {
      out.push(section("What could not be collected", [el("p", null, ["These gaps make the affected checks report error; nothing below was assumed compliant."]),
        table(["provider / scope", "operation", "kind", "resource types", "reason"], D.errors.map(function (e) {
          return row([data(e[1]), el("code", null, [e[2]]), e[3], e[4], data(e[5])]);
        }))], "gaps"));
    }
    if (D.exclusions.length) {
      out.push(section("Not evaluated on purpose", [el("p", null, ["These checks were deliberately not run (left out by the scan's selection, or their resources are not read by design). They never count as passing; their controls are not fully evaluated."]),
        table(["scope", "origin", "why", "checks"], D.exclusions.map(function (x) {
          var checks = el("span", null, []);
          x[4].forEach(function (c, n) {
            if (n) { checks.appendChild(document.createTextNode(", ")); }
            checks.appendChild(checkIndex[c] != null ? link(route("check", c), [c]) : el("code", null, [c]));
          });
          return row([data(x[1] + " / " + x[2]), x[0], data(x[3]), checks]);
        }))], "gaps"));
    }
    if (D.skipped.length) {
      out.push(section("Scopes not scanned on purpose", [el("p", null, ["The collectors saw these scopes and left them out (not active, disabled, or outside the scope asked for): out of this audit's scope, affecting no check or control."]),
        table(["provider", "scope", "why"], D.skipped.map(function (s) {
          return row([s[0], data(s[1]), data(s[2])]);
        }))], "gaps"));
    }
    return out;
  }

  function frameworkView(key, params) {
    var fw = D.frameworks.filter(function (f) { return f.key === key; })[0];
    if (!fw) return notFound();
    var list = [];
    D.controls.forEach(function (c, j) { if (E.frameworks[c[0]] === key) list.push(ctl(j)); });
    var bar = el("div", "filters");
    var st = select("status", [["", "any status"]].concat(E.control_status.map(function (s) { return [s, s.replace(/_/g, " ")]; })), params.status || "");
    var as = select("assurance", [["", "any assurance"]].concat(E.assurance.map(function (a, k) { return [a, E.assurance_labels[k]]; })), params.assurance || "");
    var q = el("input");
    q.type = "search"; q.placeholder = "search controls…"; q.setAttribute("aria-label", "search controls");
    var count = el("span", "muted count");
    [st, as, q, count].forEach(function (x) { bar.appendChild(x); });
    var t = table(["Status", "Assurance", "Control", "Automated checks", "Manual part"], [], "controls");
    var body = t.querySelector("tbody");
    function apply() {
      body.textContent = "";
      var needle = q.value.toLowerCase(), n = 0;
      list.forEach(function (c) {
        if (st.value && c.status !== st.value) return;
        if (as.value && c.assurance !== as.value) return;
        if (needle && (c.id + " " + c.title + " " + c.objective).toLowerCase().indexOf(needle) === -1) return;
        var fails = 0;
        c.checks.forEach(function (ci) { byCheck[ci].forEach(function (i) { if (F[i * W + 1] === 1) fails++; }); });
        body.appendChild(row([badge(c.status), badge(c.assurance, c.assuranceLabel),
          el("span", null, [link(route("control", c.fw, c.id), [el("b", null, [c.id]), " ", c.title])]),
          c.checks.length ? c.checks.length + " check" + (c.checks.length > 1 ? "s" : "") + (fails ? " · " + fails + " failing resources" : "") : el("span", "muted", ["manual only"]),
          c.attested ? badge("attested") : badge("due", c.dueSince ? "due since " + c.dueSince : "due")]));
        n++;
      });
      count.textContent = n + " of " + list.length + " controls";
    }
    [st, as].forEach(function (x) { x.addEventListener("change", apply); });
    q.addEventListener("input", apply);
    apply();
    return [section(fw.name, [bar, t])];
  }

  function manualPart(c) {
    var kids = [el("p", null, [el("b", null, ["Evidence to request: "]), c.request])];
    if (c.attested) kids.push(el("p", null, [badge("attested"), " the manual part is attested"]));
    else kids.push(el("p", null, [badge("due", "due"), c.dueSince ? " since " + c.dueSince + ", when the last attestation expired" : " no attestation covers it"]));
    c.attestations.forEach(function (ai) {
      var a = D.att[ai];
      var files = el("ul", null, a[6].map(function (ev) {
        if (ev[4] >= 0) return el("li", null, [urlLink(S[ev[4]]), el("span", "muted", [" (a link: not hashed)"])]);
        return el("li", null, [fileLink(S[ev[0]], S[ev[1]]), " ", el("span", "muted", [ev[3] + " bytes · sha256 "]), el("code", "hash", [ev[2]])]);
      }));
      kids.push(el("div", "attestation " + a[4], [
        el("p", null, [badge(a[4] === "fresh" ? "attested" : "due", a[4].replace(/_/g, " ")), " ", el("b", null, [data(S[a[0]])]),
          " attested on " + a[2] + " for " + S[a[5]] + " (until " + a[3] + ")"]),
        el("blockquote", null, [data(S[a[1]])]), files]));
    });
    return section("Manual part and attestation", kids, "manual");
  }

  function controlPage(c, print) {
    var all = controlFindings(c);
    var failing = order(all.filter(function (i) { var s = fstatus(i); return s === "fail" || s === "error"; }));
    var head = el("header", "control-head", [
      el("p", "crumbs", [link(route("framework", c.fw), [D.frameworks.filter(function (f) { return f.key === c.fw; })[0].short]), " · ", c.group]),
      h(2, [c.id + " " + c.title]),
      el("p", null, [badge(c.status), " ", badge(c.assurance, c.assuranceLabel), " ", el("span", "chip", ["automation: " + c.automation]),
        c.requirement ? el("span", "chip", [c.requirement]) : null])
    ]);
    var out = [head, section("Objective", [el("p", null, [c.objective])]), manualPart(c)];
    if (c.checks.length) {
      out.push(section("Automated checks", [table(["Check", "Severity", "Verdicts"], c.checks.map(function (ci, k) {
        var k2 = chk(ci), cnt = counts(byCheck[ci]);
        var note = c.notAssessed[k] ? "not assessed: its provider was not scanned" : c.excluded.indexOf(ci) >= 0 ? "excluded: deliberately not run" : countsText(cnt);
        return row([link(route("check", k2.id), [k2.title]), el("span", "sev " + k2.severity, [k2.severity]), note]);
      }), "checks")]));
      if (failing.length) {
        var byC = {};
        failing.forEach(function (i) { (byC[F[i * W]] = byC[F[i * W]] || []).push(i); });
        var kids = [];
        Object.keys(byC).forEach(function (ci) {
          var k3 = chk(+ci);
          kids.push(h(3, [k3.title, " ", el("code", "muted", [k3.id])]));
          kids.push(el("p", "remediation", [el("b", null, ["Remediation: "]), k3.remediation]));
          kids.push(findingTable(byC[ci], { hideCheck: true, print: print, page: 10 }));
        });
        out.push(section("Failing and unevaluated resources (" + failing.length + ")", kids, "failing"));
      }
      var rest = print ? order(all.filter(function (i) { var s = fstatus(i); return s !== "fail" && s !== "error"; })) : order(all);
      out.push(section("Population in scope (" + all.length + " verdicts)", [
        el("p", "muted", [print && failing.length
          ? "Every resource judged by this control's checks: the " + failing.length + " failing or unevaluated above, and these " + rest.length + "."
          : "Every resource judged by this control's checks, with its verdict: the population to sample from."]),
        rest.length ? findingTable(rest, { print: print }) : null]));
    }
    return out;
  }

  function controlView(fw, id) {
    var j = ctlIndex[fw + "/" + id];
    return j == null ? notFound() : controlPage(ctl(j), false);
  }

  function checksView() {
    var sevRank = { critical: 0, high: 1, medium: 2, low: 3, info: 4 };
    // by severity first, then by how many resources fail, then by id
    var rows = D.checks.map(function (c, j) { return j; }).sort(function (a, b) {
      var sa = sevRank[chk(a).severity], sb = sevRank[chk(b).severity];
      var fa = counts(byCheck[a]).fail || 0, fb = counts(byCheck[b]).fail || 0;
      return (sa == null ? 9 : sa) - (sb == null ? 9 : sb) || fb - fa || (S[D.checks[a][0]] < S[D.checks[b][0]] ? -1 : 1);
    }).map(function (j) {
      var c = chk(j);
      return row([link(route("check", c.id), [c.title]), el("code", null, [c.id]), el("span", "sev " + c.severity, [c.severity]), countsText(counts(byCheck[j]))]);
    });
    return [section("Checks", [table(["Check", "id", "Severity", "Verdicts"], rows, "checks")])];
  }

  function checkView(id) {
    var j = checkIndex[id];
    if (j == null) return notFound();
    var c = chk(j);
    var ctls = c.controls.map(function (ci) { var k = ctl(ci); return el("li", null, [link(route("control", k.fw, k.id), [k.fw + " " + k.id + " " + k.title]), " ", badge(k.status)]); });
    return [
      el("header", "control-head", [h(2, [c.title]), el("p", null, [el("code", null, [c.id]), " ", el("span", "sev " + c.severity, [c.severity]), " ", el("span", "chip", [c.provider])])]),
      section("Why it matters", [el("p", null, [c.rationale])]),
      section("Remediation", [el("p", null, [c.remediation]), c.references.length ? el("ul", null, c.references.map(function (r) { return el("li", null, [r]); })) : null]),
      section("Controls it evidences", [el("ul", null, ctls)]),
      section("Population (" + byCheck[j].length + " verdicts)", [findingTable(order(byCheck[j]), { hideCheck: true })])
    ];
  }

  function resourcesView() {
    var bar = el("div", "filters"), q = el("input"), count = el("span", "muted count");
    q.type = "search"; q.placeholder = "search resources by id, name, type, account, region…"; q.setAttribute("aria-label", "search resources");
    bar.appendChild(q); bar.appendChild(count);
    var t = table(["Resource", "Type", "Where", "Verdicts"], [], "resources"), body = t.querySelector("tbody");
    var more = el("button", "more", ["show more"]);
    more.type = "button";
    var view = [], shown = 0;
    function draw(reset) {
      if (reset) { body.textContent = ""; shown = 0; }
      var end = Math.min(view.length, shown + PAGE), frag = document.createDocumentFragment();
      for (var k = shown; k < end; k++) {
        var r = res(view[k]);
        frag.appendChild(row([el("span", null, [link(route("resource", r.key), [data(r.id)]), r.name && r.name !== r.id ? el("div", "muted", [data(r.name)]) : null]),
          r.type, data([r.account, r.region].filter(Boolean).join(" / ")), countsText(counts(byRes[view[k]]))]));
      }
      body.appendChild(frag);
      shown = end;
      count.textContent = "showing " + shown + " of " + view.length + " resources";
      more.hidden = shown >= view.length;
    }
    function apply() {
      var needle = q.value.toLowerCase();
      view = [];
      D.resources.forEach(function (r, j) {
        if (!needle || [S[r[1]], S[r[2]], str(r[3]), str(r[4]), str(r[5]), str(r[6])].join(" ").toLowerCase().indexOf(needle) !== -1) view.push(j);
      });
      draw(true);
    }
    var timer;
    q.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(apply, 120); });
    more.addEventListener("click", function () { draw(false); });
    apply();
    return [section("Resources", [bar, t, more])];
  }

  function resourceView(key) {
    var j = resIndex[key];
    if (j == null) return notFound();
    var r = res(j);
    var facts = table(["", ""], [["provider", r.provider], ["type", r.type], ["id", data(r.id)], ["name", data(r.name)], ["account / scope", data(r.account)],
      ["region / namespace", data(r.region)], ["source", data(r.source)]].filter(function (x) { return x[1] && (typeof x[1] !== "string" || x[1]); }).map(function (x) {
      return row([el("b", null, [x[0]]), x[1]]);
    }), "facts");
    return [el("header", "control-head", [h(2, [data(r.name || r.id)])]), facts,
      section("Every verdict on this resource (" + byRes[j].length + ")", [findingTable(order(byRes[j]), { hideResource: true })])];
  }

  function findingsView(params) {
    var providers = {}, accounts = {}, regions = {};
    D.resources.forEach(function (r) { providers[S[r[0]]] = 1; if (r[4] >= 0) accounts[S[r[4]]] = 1; if (r[5] >= 0) regions[S[r[5]]] = 1; });
    function opts(label, m) { return [["", label]].concat(Object.keys(m).sort().map(function (k) { return [k, k]; })); }
    var bar = el("div", "filters explorer");
    var sel = {
      fw: select("framework", [["", "any framework"]].concat(D.frameworks.map(function (f) { return [f.key, f.short]; })), params.fw || ""),
      status: select("verdict", [["", "any verdict"]].concat(E.status.map(function (s) { return [s, s.replace(/_/g, " ")]; })), params.status || ""),
      severity: select("severity", [["", "any severity"]].concat(E.severity.map(function (s) { return [s, s]; })), params.severity || ""),
      provider: select("provider", opts("any provider", providers), params.provider || ""),
      account: select("account", opts("any account", accounts), params.account || ""),
      region: select("region", opts("any region", regions), params.region || "")
    };
    Object.keys(sel).forEach(function (k) { bar.appendChild(sel[k]); });
    var q = el("input");
    q.type = "search"; q.placeholder = "search check, resource, message…"; q.setAttribute("aria-label", "search findings"); q.id = "q";
    q.value = params.q || "";
    bar.appendChild(q);
    var holder = el("div");
    function apply() {
      var fw = sel.fw.value, st = sel.status.value === "" ? -1 : E.status.indexOf(sel.status.value), sv = sel.severity.value;
      var pv = sel.provider.value, ac = sel.account.value, rg = sel.region.value, needle = q.value.toLowerCase();
      var list = [];
      for (var i = 0; i < N; i++) {
        var o = i * W;
        if (st >= 0 && F[o + 1] !== st) continue;
        var c = D.checks[F[o]];
        if (fw && !checkFw[F[o]][fw]) continue;
        if (sv && E.severity[c[2]] !== sv) continue;
        if (pv || ac || rg) {
          var r = D.resources[F[o + 2]];
          if (pv && S[r[0]] !== pv) continue;
          if (ac && str(r[4]) !== ac) continue;
          if (rg && str(r[5]) !== rg) continue;
        }
        if (needle && haystack(i).indexOf(needle) === -1) continue;
        list.push(i);
      }
      holder.textContent = "";
      holder.appendChild(findingTable(order(list), {}));
      holder.firstChild.firstChild.hidden = true; // this page's own filters replace the table's
      document.body.setAttribute("data-filtered", String(list.length));
    }
    Object.keys(sel).forEach(function (k) { sel[k].addEventListener("change", apply); });
    var timer;
    q.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(apply, 150); });
    apply();
    return [section("All findings", [bar, holder])];
  }

  function notFound() { return [section("Not found", [el("p", null, ["Nothing in this report has that address. "]), link("#/", ["Back to the overview"])])]; }

  // ------------------------------------------------------------------ router
  function decode(x) { try { return decodeURIComponent(x); } catch (e) { return x; } } // a bad %-escape stays as typed
  function parse(hash) {
    var h2 = hash.replace(/^#\/?/, ""), q = {}, at = h2.indexOf("?");
    if (at >= 0) {
      h2.slice(at + 1).split("&").forEach(function (kv) { var p = kv.split("="); if (p[0]) q[decode(p[0])] = decode(p[1] || ""); });
      h2 = h2.slice(0, at);
    }
    return { parts: h2 ? h2.split("/").map(decode) : [], params: q };
  }
  function render() {
    var r = parse(location.hash), p = r.parts, view;
    if (!p.length) view = overview();
    else if (p[0] === "framework") view = frameworkView(p[1], r.params);
    else if (p[0] === "control") view = controlView(p[1], p.slice(2).join("/"));
    else if (p[0] === "checks") view = checksView();
    else if (p[0] === "check") view = checkView(p.slice(1).join("/"));
    else if (p[0] === "resources") view = resourcesView();
    else if (p[0] === "resource") view = resourceView(p[1]);
    else if (p[0] === "findings") view = findingsView(r.params);
    else view = notFound();
    app.textContent = "";
    view.forEach(function (v) { app.appendChild(v); });
    document.querySelectorAll("nav.toc a").forEach(function (a) {
      a.classList.toggle("on", location.hash.indexOf(a.getAttribute("href")) === 0 && a.getAttribute("href") !== "#/" || (!p.length && a.getAttribute("href") === "#/"));
    });
    if (p.length) window.scrollTo(0, 0);
    document.body.setAttribute("data-view", p[0] || "overview");
  }

  // ------------------------------------------------------------------ print: every control, one per page
  var printRoot = document.getElementById("print-all");
  function renderPrint() {
    if (printRoot.childNodes.length) return;
    var frag = document.createDocumentFragment();
    var cover = el("div", "print-page cover");
    overview().forEach(function (v) { cover.appendChild(v); });
    frag.appendChild(cover);
    for (var j = 0; j < D.controls.length; j++) {
      var page = el("article", "print-page control-page");
      page.id = "print-" + j;
      controlPage(ctl(j), true).forEach(function (v) { page.appendChild(v); });
      frag.appendChild(page);
    }
    printRoot.appendChild(frag);
  }
  window.addEventListener("beforeprint", renderPrint);

  window.addEventListener("hashchange", render);
  render();
  if (document.documentElement.getAttribute("data-print") === "all") {
    renderPrint();
    document.body.classList.add("printing");
  }
  window.__report = { ready: performance.now(), start: t0, findings: N };
  document.body.setAttribute("data-ready", "1");
})();
