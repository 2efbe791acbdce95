// Search and filters over every check of the desk, from Pagefind's static
// index: no server, and no list of every check to download.
//
// The index is in parts, newest first in the page's data-bundles, merged
// here: text bundles (pagefind/<year>-<n>/) for searches with words, listed
// by relevance, and list bundles (pagefind/list-<n>/: the same checks, with
// their filters and one word, so that a query without words loads a few
// small files) for filters alone (verdict, topic, claimant, combined),
// listed newest first. Pagefind sorts within a part, and the parts run in
// date order, so the script asks for the counts per part once, then for the
// parts it needs, newest first, twenty checks at a time. Without JavaScript
// none of this shows, and the lists' own pages (by verdict, topic,
// claimant, year) do the same job.
//
// Every word the script shows comes from the page (#factcheck-messages), in
// the site's language; how a number of checks is written follows
// Intl.PluralRules.

const finder = document.getElementById("finder");
const source = document.getElementById("factcheck-messages");
const PAGE = 20;
// The one word of a list bundle's documents (factcheck/site/search.py). A
// query for it loads the one chunk of the word index that holds it, where
// search(null) would load every chunk (the claims' words are indexed too,
// from the results' meta).
const EVERY = "000every";

if (finder && source) start();

function start() {
  const messages = JSON.parse(source.textContent);
  const lang = document.documentElement.lang || "en";
  const plurals = new Intl.PluralRules(lang);
  const numbers = new Intl.NumberFormat(lang);
  const say = (forms, values) => {
    const text = forms[plurals.select(values.num)] || forms.other || "";
    return text.replace(/%\((\w+)\)s/g, (_, name) =>
      typeof values[name] === "number" ? numbers.format(values[name]) : String(values[name]));
  };
  // Results name their page relative to the site ("checks/x/"); the site may
  // live in any folder, so resolve them against this script's place.
  const base = new URL("..", import.meta.url).pathname;
  const all = finder.dataset.bundles.split(" ");
  const isList = (b) => /\/list-\d+\/$/.test(b);
  const texts = all.filter((b) => !isList(b));
  const lists = all.filter(isList);
  const parts = lists.map((b) => b.replace(/\/$/, "").split("/").pop());
  const form = document.getElementById("finder-form");
  const found = document.getElementById("found");
  const results = document.getElementById("results");
  const moreButton = document.getElementById("more-results");
  const latest = document.getElementById("latest");
  const names = { tag: null, claimant: null };

  // Two Pagefind instances: each bundle folder has its own copy of
  // pagefind.js, and a module imported from another address is another.
  const loading = {};
  function pagefind(bundles) {
    const key = bundles[0];
    if (!loading[key]) {
      loading[key] = (async () => {
        const module = await import(base + bundles[0] + "pagefind.js");
        await module.options({ basePath: base + bundles[0], baseUrl: base, excerptLength: 24 });
        await Promise.all(bundles.slice(1).map((b) => module.mergeIndex(base + b)));
        return module;
      })();
    }
    return loading[key];
  }

  const params = new URLSearchParams(window.location.search);
  for (const name of ["q", "verdict", "tag", "claimant"]) {
    if (params.get(name)) form.elements[name].value = params.get(name);
  }

  let run = 0; // the newest request: an older one that finishes late is dropped
  let cursor = null; // where the shown results stand, or null with none shown

  function chosen() {
    const filters = {};
    for (const name of ["verdict", "tag", "claimant"]) {
      const value = form.elements[name].value.trim();
      if (value) filters[name] = value;
    }
    return filters;
  }

  function remember(query, filters) {
    const search = new URLSearchParams();
    if (query) search.set("q", query);
    for (const [k, v] of Object.entries(filters)) search.set(k, v);
    const text = search.toString();
    history.replaceState(null, "", text ? "?" + text : window.location.pathname);
  }

  async function update() {
    const mine = ++run;
    const query = form.elements.q.value.trim();
    const filters = chosen();
    remember(query, filters);
    if (!query && !Object.keys(filters).length) {
      latest.hidden = false;
      results.hidden = true;
      moreButton.hidden = true;
      found.textContent = "";
      cursor = null;
      return;
    }
    found.textContent = messages.searching;
    const search = await pagefind(query ? texts : lists);
    if (mine !== run) return;
    let total;
    let next; // a function giving the next n results ([] at the end)
    if (query) {
      const response = await search.search(query, { filters });
      if (mine !== run) return;
      const queue = response.results;
      total = queue.length;
      next = async (n) => queue.splice(0, n);
    } else {
      // How many checks of each part the filters pick (Pagefind counts the
      // values of a filter only when asked to filter by it), then the parts
      // in turn.
      const every = { ...filters, part: { any: parts } };
      const response = await search.search(EVERY, { filters: every, sort: { date: "desc" } });
      if (mine !== run) return;
      total = response.results.length;
      const counts = (response.filters && response.filters.part) || {};
      const waiting = parts.filter((p) => counts[p]);
      const buffer = [];
      next = async (n) => {
        while (buffer.length < n && waiting.length) {
          const part = waiting.shift();
          const some = await search.search(EVERY, { filters: { ...filters, part }, sort: { date: "desc" } });
          buffer.push(...some.results);
        }
        return buffer.splice(0, n);
      };
    }
    cursor = resultsOf(next);
    await show(mine, cursor, () => {
      // The list is replaced at once, when the first results are in.
      latest.hidden = true;
      results.hidden = false;
      results.replaceChildren();
      found.textContent = total ? say(messages.found, { num: total }) : messages.none;
    });
  }

  // Results taken n at a time, with a look ahead at whether any are left
  // (the one looked at is kept for the next take).
  function resultsOf(next) {
    const held = [];
    return {
      async take(n) {
        const some = held.splice(0, n);
        if (some.length < n) some.push(...(await next(n - some.length)));
        return some;
      },
      async more() {
        if (!held.length) held.push(...(await next(1)));
        return held.length > 0;
      },
    };
  }

  async function show(mine, from, first = null) {
    const some = await from.take(PAGE);
    const data = await Promise.all(some.map((r) => r.data()));
    const rest = await from.more();
    if (mine !== run) return;
    if (first) first();
    results.append(...data.map((item) => card(item.meta || {})));
    moreButton.hidden = !rest;
  }

  function card(meta) {
    const verdict = messages.verdicts[meta.verdict] || { label: meta.verdict || "", colour: "#595853" };
    const li = element("li", { class: "check-item" });
    const article = element("article");
    const line = element("p", { class: "meta" });
    const badge = element("span", { class: "badge", style: "--verdict: " + verdict.colour });
    badge.append(element("span", { class: "visually-hidden" }, messages.verdict + " "), element("bdi", {}, verdict.label));
    line.append(badge, " ", element("time", { datetime: meta.date || "" }, meta.day || ""));
    const heading = element("h3", { dir: "auto" });
    const url = meta.url && !/^([a-z]+:|\/)/i.test(meta.url) ? base + meta.url : "#";
    heading.append(element("a", { href: url }, meta.title || ""));
    article.append(line, heading, element("p", { class: "claimant" }, meta.claimed || ""));
    li.append(article);
    return li;
  }

  function element(name, attributes = {}, text = null) {
    const node = document.createElement(name);
    for (const [k, v] of Object.entries(attributes)) node.setAttribute(k, v);
    if (text !== null) node.textContent = text;
    return node;
  }

  // Topic and claimant names are suggested as they are typed: a few that
  // match, never a list of thousands in the page.
  async function suggest(field) {
    const name = field.name;
    if (!names[name]) {
      const known = await (await pagefind(lists)).filters();
      for (const key of ["tag", "claimant"]) {
        names[key] = Object.entries(known[key] || {}).sort((a, b) => b[1] - a[1]).map((pair) => pair[0]);
      }
    }
    const typed = field.value.trim().toLocaleLowerCase(lang);
    const matching = names[name].filter((n) => n.toLocaleLowerCase(lang).includes(typed)).slice(0, 30);
    document.getElementById(field.getAttribute("list")).replaceChildren(
      ...matching.map((n) => element("option", { value: n })));
  }

  let timer = null;
  function soon() {
    clearTimeout(timer);
    timer = setTimeout(update, 250);
  }
  form.addEventListener("input", (event) => {
    const field = event.target;
    if (field.list) {
      // A name picked from the suggestions (or typed out whole) applies at once.
      suggest(field).then(() => { if (names[field.name].includes(field.value.trim())) soon(); });
    }
    if (field.name === "q") soon();
  });
  form.addEventListener("change", (event) => { if (event.target.name !== "q") update(); });
  form.addEventListener("focusin", (event) => { if (event.target.list) suggest(event.target); });
  form.addEventListener("submit", (event) => { event.preventDefault(); update(); });
  form.addEventListener("reset", () => setTimeout(update, 0));
  moreButton.addEventListener("click", () => {
    if (!cursor || moreButton.disabled) return;
    // One take at a time: a second click while the first loads waits for it.
    moreButton.disabled = true;
    show(run, cursor).finally(() => { moreButton.disabled = false; });
  });

  finder.hidden = false;
  if (params.toString()) update();
}
