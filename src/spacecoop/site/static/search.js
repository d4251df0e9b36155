// Client-side search over search.json: labels in every language, no server needed.
"use strict";
(function () {
  const form = document.querySelector("form.search");
  if (!form) return;
  const box = form.querySelector("input[type=search]");
  const list = document.getElementById("search-results");
  const empty = document.getElementById("search-empty");
  const root = form.dataset.root || "/";
  const isStatic = form.dataset.static === "true";
  const lang = form.dataset.lang || "en";
  let entries = null;

  function url(path) {
    if (!isStatic) return root + path;
    const file = path === "" || path.endsWith("/") ? path + "index." + lang + ".html" : path + "." + lang + ".html";
    return root + file;
  }

  function load() {
    if (entries !== null) return Promise.resolve(entries);
    return fetch(form.dataset.index).then((r) => r.json()).then((data) => {
      entries = data.entries.map((e) => ({
        path: e.p,
        label: e.l[lang] || Object.values(e.l)[0] || e.p,
        type: (e.t && (e.t[lang] || Object.values(e.t)[0])) || "",
        text: Object.values(e.l).join(" ").toLowerCase() + " " + e.p.toLowerCase(),
      }));
      return entries;
    });
  }

  function show(query) {
    const words = query.toLowerCase().split(/\s+/).filter(Boolean);
    list.replaceChildren();
    if (!words.length) { list.hidden = true; empty.hidden = true; return; }
    load().then((all) => {
      const found = all.filter((e) => words.every((w) => e.text.includes(w)));
      found.sort((a, b) => a.label.length - b.label.length || a.label.localeCompare(b.label));
      for (const e of found.slice(0, 25)) {
        const item = document.createElement("li");
        const link = document.createElement("a");
        link.href = url(e.path);
        link.textContent = e.label;
        item.append(link);
        if (e.type) {
          const kind = document.createElement("small");
          kind.textContent = e.type;
          item.append(kind);
        }
        list.append(item);
      }
      list.hidden = found.length === 0;
      empty.hidden = found.length !== 0;
    });
  }

  box.addEventListener("input", () => show(box.value));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const first = list.querySelector("a");
    if (first) window.location.href = first.href;
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") { list.hidden = true; empty.hidden = true; }
  });
})();
