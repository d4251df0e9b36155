"use strict";
(function () {
  const form = document.getElementById("form");
  const endpoint = form.getAttribute("action");
  const select = document.getElementById("examples");
  const textarea = document.getElementById("query");
  const status = document.getElementById("status");
  const errorBox = document.getElementById("error");
  const results = document.getElementById("results");
  const examples = JSON.parse(document.getElementById("examples-data").textContent);
  const XSD = "http://www.w3.org/2001/XMLSchema#";

  examples.forEach(function (example, index) {
    const option = document.createElement("option");
    option.value = String(index);
    option.textContent = example.label;
    option.title = example.file;
    select.appendChild(option);
  });
  select.addEventListener("change", function () {
    if (select.value !== "") { textarea.value = examples[Number(select.value)].query; }
  });

  function clear() {
    errorBox.hidden = true;
    errorBox.textContent = "";
    results.replaceChildren();
  }

  function request(accept) {
    return fetch(endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/sparql-query", "Accept": accept },
      body: textarea.value,
    });
  }

  function term(cell) {
    const td = document.createElement("td");
    if (!cell) { return td; }
    if (cell.type === "uri") {
      if (/^https?:\/\//.test(cell.value)) {
        const a = document.createElement("a");
        a.href = cell.value;
        a.textContent = cell.value;
        a.rel = "noopener noreferrer";
        td.appendChild(a);
      } else {
        td.textContent = "<" + cell.value + ">";
      }
    } else if (cell.type === "bnode") {
      td.textContent = "_:" + cell.value;
    } else if (cell.type === "triple") {
      const v = cell.value;
      td.textContent = "<< " + [v.subject, v.predicate, v.object].map(function (t) {
        return t.type === "literal" ? JSON.stringify(t.value) : t.value;
      }).join(" ") + " >>";
    } else {
      td.appendChild(document.createTextNode(cell.value));
      let meta = "";
      if (cell["xml:lang"]) { meta = "@" + cell["xml:lang"]; }
      else if (cell.datatype) { meta = "^^" + cell.datatype.replace(XSD, "xsd:"); }
      if (meta) {
        const span = document.createElement("span");
        span.className = "meta";
        span.textContent = " " + meta;
        td.appendChild(span);
      }
    }
    return td;
  }

  function table(data) {
    const vars = data.head.vars || [];
    const t = document.createElement("table");
    const head = t.createTHead().insertRow();
    vars.forEach(function (v) {
      const th = document.createElement("th");
      th.textContent = "?" + v;
      head.appendChild(th);
    });
    const body = t.createTBody();
    data.results.bindings.forEach(function (row) {
      const tr = body.insertRow();
      vars.forEach(function (v) { tr.appendChild(term(row[v])); });
    });
    return t;
  }

  async function run(event) {
    if (event) { event.preventDefault(); }
    clear();
    status.textContent = "Running…";
    const started = performance.now();
    let response;
    try {
      response = await request("application/sparql-results+json, text/turtle;q=0.9");
    } catch (err) {
      status.textContent = "";
      errorBox.textContent = "The endpoint did not answer: " + err;
      errorBox.hidden = false;
      return;
    }
    const text = await response.text();
    const ms = Math.round(performance.now() - started);
    if (!response.ok) {
      status.textContent = "HTTP " + response.status + " after " + ms + " ms";
      errorBox.textContent = text;
      errorBox.hidden = false;
      return;
    }
    if (textarea.value.length < 4000) {
      history.replaceState(null, "", "?query=" + encodeURIComponent(textarea.value));
    }
    const truncated = response.headers.get("Results-Truncated");
    const type = response.headers.get("Content-Type") || "";
    let summary;
    if (type.indexOf("json") >= 0) {
      const data = JSON.parse(text);
      if (typeof data.boolean === "boolean") {
        summary = "ASK: " + data.boolean;
      } else {
        summary = data.results.bindings.length + " rows";
        results.appendChild(table(data));
      }
    } else {
      const pre = document.createElement("pre");
      pre.className = "rdf";
      pre.textContent = text;
      results.appendChild(pre);
      summary = text.length + " characters of " + type.split(";")[0];
    }
    if (truncated) {
      summary += " (truncated: this endpoint returns at most " +
        (response.headers.get("Results-Row-Limit") || "a limited number of") + " rows)";
    }
    status.textContent = summary + " in " + ms + " ms";
  }

  async function download(accept) {
    clear();
    const response = await request(accept);
    const blob = await response.blob();
    if (!response.ok) {
      errorBox.textContent = await blob.text();
      errorBox.hidden = false;
      return;
    }
    const type = (response.headers.get("Content-Type") || "").split(";")[0];
    const extension = { "text/csv": "csv", "text/tab-separated-values": "tsv",
      "application/sparql-results+json": "json", "text/turtle": "ttl" }[type] || "txt";
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = "results." + extension;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(a.href); }, 1000);
  }

  form.addEventListener("submit", run);
  textarea.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { run(event); }
  });
  document.querySelectorAll("button[data-accept]").forEach(function (button) {
    button.addEventListener("click", function () { download(button.dataset.accept); });
  });
  const initial = new URLSearchParams(location.search).get("query");
  if (initial) { textarea.value = initial; run(); }
  else if (!textarea.value && examples.length) { select.value = "0"; textarea.value = examples[0].query; }
})();
