(function () {
  "use strict";
  // Control tables: filter rows by status.
  document.querySelectorAll(".filters").forEach(function (bar) {
    var table = document.getElementById(bar.getAttribute("data-target"));
    bar.addEventListener("click", function (ev) {
      var b = ev.target.closest("button");
      if (!b) return;
      bar.querySelectorAll("button").forEach(function (x) { x.classList.toggle("on", x === b); });
      var want = b.getAttribute("data-status");
      table.querySelectorAll("tr.ctl").forEach(function (tr) {
        tr.classList.toggle("hidden", want !== "all" && tr.getAttribute("data-status") !== want);
      });
    });
  });

  // Findings explorer: every finding, filtered and paged client-side so the page stays
  // responsive with hundreds of thousands of findings. Text is set with textContent only.
  var node = document.getElementById("findings-data");
  if (!node) return;
  var data = JSON.parse(node.textContent);
  var col = {};
  data.columns.forEach(function (c, i) { col[c] = i; });
  var rows = data.rows;
  var order = { fail: 0, error: 1, pass: 2, not_applicable: 3 };
  var sevOrder = { critical: 0, high: 1, medium: 2, low: 3, info: 4 };
  rows.sort(function (a, b) {
    return (order[a[col.status]] - order[b[col.status]]) || (sevOrder[a[col.severity]] - sevOrder[b[col.severity]]);
  });
  var PAGE = 200, page = 0, view = rows;
  var q = document.getElementById("q"), st = document.getElementById("st"), sv = document.getElementById("sv");
  var tbody = document.querySelector("#findings tbody");
  function cell(tr, text, cls) {
    var td = document.createElement("td");
    if (cls) { var s = document.createElement("span"); s.className = cls; s.textContent = text; td.appendChild(s); }
    else td.textContent = text == null ? "" : text;
    tr.appendChild(td);
    return td;
  }
  function draw() {
    tbody.textContent = "";
    var start = page * PAGE, frag = document.createDocumentFragment();
    view.slice(start, start + PAGE).forEach(function (r) {
      var tr = document.createElement("tr");
      cell(tr, r[col.status], "badge " + r[col.status]);
      cell(tr, r[col.severity], "sev " + r[col.severity]);
      cell(tr, r[col.check_id]);
      cell(tr, r[col.resource_id] + (r[col.resource_name] && r[col.resource_name] !== r[col.resource_id] ? " (" + r[col.resource_name] + ")" : ""));
      cell(tr, [r[col.account], r[col.region], r[col.source]].filter(Boolean).join(" / "));
      cell(tr, r[col.message]);
      frag.appendChild(tr);
    });
    tbody.appendChild(frag);
    var pages = Math.max(1, Math.ceil(view.length / PAGE));
    document.getElementById("page").textContent = "page " + (page + 1) + " of " + pages;
    document.getElementById("count").textContent = view.length + " of " + rows.length + " findings";
  }
  function apply() {
    var text = q.value.toLowerCase(), s = st.value, v = sv.value;
    view = rows.filter(function (r) {
      if (s && r[col.status] !== s) return false;
      if (v && r[col.severity] !== v) return false;
      if (!text) return true;
      return [r[col.check_id], r[col.resource_id], r[col.resource_name], r[col.region], r[col.account], r[col.message], r[col.resource_type]]
        .join(" ").toLowerCase().indexOf(text) !== -1;
    });
    page = 0;
    draw();
  }
  var timer;
  q.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(apply, 150); });
  st.addEventListener("change", apply);
  sv.addEventListener("change", apply);
  document.getElementById("prev").addEventListener("click", function () { if (page > 0) { page--; draw(); } });
  document.getElementById("next").addEventListener("click", function () { if ((page + 1) * PAGE < view.length) { page++; draw(); } });
  draw();
})();
