// skein's browser page: a Cypher editor with highlighting and history, results as a
// table, as JSON and as a force-directed drawing on a canvas, a node's properties,
// sources and history in a side panel, and the schema. Plain JS, no library, no
// network but this server: every statement goes to POST /db/query, whose answer is
// what `skein --format json` prints. Tests read the page's state from window.skein.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const state = {
    lastResult: null,
    lastError: null,
    nodes: new Map(), // id -> {id, labels, properties, x, y, vx, vy, fixed}
    edges: new Map(), // id -> {id, type, start, end, properties}
    selected: null,
    settled: true,
    ticks: 0,
    view: { scale: 1, x: 0, y: 0 },
  };

  // ---- talking to the server

  async function run(statement, parameters) {
    const response = await fetch("/db/query", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ statement, parameters: parameters || {} }),
    });
    let body;
    try {
      body = await response.json();
    } catch (e) {
      throw new Error("the server answered " + response.status + " without JSON");
    }
    if (body.error) {
      const err = new Error(body.error.message);
      err.info = body.error;
      throw err;
    }
    return body;
  }

  function setStatus(text, isError) {
    const status = $("status");
    status.textContent = text;
    status.classList.toggle("error", !!isError);
  }

  function describeError(e) {
    if (!e.info) return e.message;
    const where = e.info.position
      ? " (line " + e.info.position.line + ", column " + e.info.position.column + ")"
      : "";
    return e.info.class + (e.info.detail ? ": " + e.info.detail : "") + where + ": " + e.info.message;
  }

  // ---- the editor: highlighting and history

  const KEYWORDS = new Set(
    ("MATCH OPTIONAL WHERE RETURN WITH UNWIND AS CREATE MERGE DELETE DETACH SET REMOVE " +
      "ORDER BY SKIP LIMIT ASC ASCENDING DESC DESCENDING DISTINCT AND OR XOR NOT IN IS " +
      "NULL TRUE FALSE CASE WHEN THEN ELSE END CALL YIELD UNION ALL EXISTS COUNT ON " +
      "FOREACH LOAD CSV FROM HEADERS FIELDTERMINATOR EXPLAIN PROFILE SHOW PROCEDURES " +
      "FUNCTIONS STARTS ENDS CONTAINS TRANSACTIONS OF ROWS SHORTEST ANY OF TRANSACTION " +
      "FILTER REDUCE")
      .split(" ")
  );
  const TOKEN = new RegExp(
    [
      "(\\/\\/[^\\n]*|\\/\\*[\\s\\S]*?(?:\\*\\/|$))", // comment
      "('(?:[^'\\\\]|\\\\.)*'?|\"(?:[^\"\\\\]|\\\\.)*\"?)", // string
      "(\\$[A-Za-z_][A-Za-z0-9_]*|\\$[0-9]+)", // parameter
      "(:\\s*`[^`]*`|:\\s*[A-Za-z_][A-Za-z0-9_]*)", // label or type
      "(\\b\\d+(?:\\.\\d+)?(?:[eE][+-]?\\d+)?\\b)", // number
      "([A-Za-z_][A-Za-z0-9_.]*)(?=\\s*\\()", // function
      "([A-Za-z_][A-Za-z0-9_]*)", // word
    ].join("|"),
    "g"
  );

  function escapeHtml(text) {
    return text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
  }

  function highlight(text) {
    let html = "";
    let last = 0;
    TOKEN.lastIndex = 0;
    let m;
    while ((m = TOKEN.exec(text)) !== null) {
      html += escapeHtml(text.slice(last, m.index));
      const t = escapeHtml(m[0]);
      let kind = null;
      if (m[1]) kind = "comment";
      else if (m[2]) kind = "string";
      else if (m[3]) kind = "param";
      else if (m[4]) kind = "label";
      else if (m[5]) kind = "number";
      else if (m[6]) kind = KEYWORDS.has(m[6].toUpperCase()) ? "keyword" : "function";
      else if (m[7] && KEYWORDS.has(m[7].toUpperCase())) kind = "keyword";
      html += kind ? '<span class="tok-' + kind + '">' + t + "</span>" : t;
      last = m.index + m[0].length;
    }
    // A trailing newline needs a character after it to take up its line.
    return html + escapeHtml(text.slice(last)) + "\n";
  }

  const editor = $("query");
  const shown = $("highlight");
  function refreshHighlight() {
    shown.innerHTML = highlight(editor.value);
    shown.scrollTop = editor.scrollTop;
    shown.scrollLeft = editor.scrollLeft;
  }
  editor.addEventListener("input", refreshHighlight);
  editor.addEventListener("scroll", () => {
    shown.scrollTop = editor.scrollTop;
    shown.scrollLeft = editor.scrollLeft;
  });

  const HISTORY_KEY = "skein.history";
  function loadHistory() {
    try {
      const list = JSON.parse(localStorage.getItem(HISTORY_KEY) || "[]");
      return Array.isArray(list) ? list.filter((q) => typeof q === "string") : [];
    } catch (e) {
      return [];
    }
  }
  let history = loadHistory();
  let historyAt = -1;
  function saveHistory(statement) {
    history = [statement].concat(history.filter((q) => q !== statement)).slice(0, 100);
    try {
      localStorage.setItem(HISTORY_KEY, JSON.stringify(history));
    } catch (e) {
      // A full or disabled storage only loses the history.
    }
    historyAt = -1;
    showHistory();
  }
  function showHistory() {
    const select = $("history");
    select.innerHTML = "";
    const first = document.createElement("option");
    first.textContent = history.length ? "(" + history.length + " earlier statements)" : "(none yet)";
    first.value = "";
    select.appendChild(first);
    history.forEach((q, i) => {
      const option = document.createElement("option");
      option.value = String(i);
      option.textContent = q.replace(/\s+/g, " ").slice(0, 80);
      select.appendChild(option);
    });
  }
  $("history").addEventListener("change", (e) => {
    const i = Number(e.target.value);
    if (e.target.value !== "" && history[i] !== undefined) {
      editor.value = history[i];
      refreshHighlight();
      editor.focus();
    }
  });

  editor.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      runEditor();
    } else if ((e.key === "ArrowUp" || e.key === "ArrowDown") && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      if (!history.length) return;
      historyAt = e.key === "ArrowUp"
        ? Math.min(historyAt + 1, history.length - 1)
        : Math.max(historyAt - 1, -1);
      editor.value = historyAt < 0 ? "" : history[historyAt];
      refreshHighlight();
    }
  });
  $("run").addEventListener("click", runEditor);

  async function runEditor() {
    const statement = editor.value.trim();
    if (!statement) return;
    saveHistory(statement);
    setStatus("running…");
    const started = performance.now();
    try {
      const result = await run(statement);
      state.lastResult = result;
      state.lastError = null;
      const ms = (performance.now() - started).toFixed(0);
      setStatus(result.rows.length + (result.rows.length === 1 ? " row" : " rows") + ", " + ms + " ms");
      showTable(result);
      $("json").textContent = JSON.stringify(result, null, 2);
      await drawResult(result);
      if (Object.values(result.stats).some((n) => n > 0)) loadSchema();
    } catch (e) {
      state.lastError = e.info || { message: e.message };
      setStatus(describeError(e), true);
    }
  }

  // ---- results: table and JSON

  function cellText(value) {
    if (value === null) return "null";
    if (typeof value === "object") {
      if ("~node" in value) return "(" + value["~node"] + ":" + value.labels.join(":") + " " + JSON.stringify(value.properties) + ")";
      if ("~relationship" in value) return "[" + value["~relationship"] + ":" + value.type + " " + JSON.stringify(value.properties) + "]";
    }
    return typeof value === "string" ? value : JSON.stringify(value);
  }

  function showTable(result) {
    const table = document.createElement("table");
    const head = table.createTHead().insertRow();
    result.columns.forEach((c) => {
      const th = document.createElement("th");
      th.textContent = c;
      head.appendChild(th);
    });
    const body = table.createTBody();
    result.rows.forEach((row) => {
      const tr = body.insertRow();
      result.columns.forEach((c) => {
        tr.insertCell().textContent = cellText(row[c]);
      });
    });
    const holder = $("table");
    holder.innerHTML = "";
    holder.appendChild(table);
  }

  document.querySelectorAll("#tabs button").forEach((button) => {
    button.addEventListener("click", () => showView(button.dataset.view));
  });
  function showView(view) {
    document.querySelectorAll("#tabs button").forEach((b) => b.classList.toggle("active", b.dataset.view === view));
    document.querySelectorAll("#views > *").forEach((el) => {
      el.hidden = el.dataset.view !== view;
    });
    if (view === "graph") resizeCanvas();
  }

  // ---- the graph: what a result holds

  function collect(value, nodes, edges) {
    if (value === null || typeof value !== "object") return;
    if (Array.isArray(value)) {
      value.forEach((v) => collect(v, nodes, edges));
    } else if ("~node" in value) {
      nodes.set(value["~node"], value);
    } else if ("~relationship" in value) {
      edges.set(value["~relationship"], value);
    } else if ("~path" in value) {
      collect(value["~path"], nodes, edges);
    } else {
      Object.values(value).forEach((v) => collect(v, nodes, edges));
    }
  }

  function addNode(json, near) {
    const id = json["~node"];
    const known = state.nodes.get(id);
    if (known) {
      known.labels = json.labels;
      known.properties = json.properties;
      return known;
    }
    const angle = Math.random() * 2 * Math.PI;
    const r = near ? 60 : 150 * Math.sqrt(Math.random());
    const node = {
      id,
      labels: json.labels,
      properties: json.properties,
      x: (near ? near.x : 0) + r * Math.cos(angle),
      y: (near ? near.y : 0) + r * Math.sin(angle),
      vx: 0,
      vy: 0,
      fixed: false,
    };
    state.nodes.set(id, node);
    return node;
  }

  function addEdge(json) {
    state.edges.set(json["~relationship"], {
      id: json["~relationship"],
      type: json.type,
      start: json.start,
      end: json.end,
      properties: json.properties,
    });
  }

  // Relationships whose ends the result did not return: fetch those nodes.
  async function missingEnds(nodes, edges) {
    const missing = new Set();
    edges.forEach((e) => {
      [e.start, e.end].forEach((id) => {
        if (!nodes.has(id) && !state.nodes.has(id)) missing.add(id);
      });
    });
    if (!missing.size) return;
    const result = await run("MATCH (n) WHERE id(n) IN $ids RETURN n", { ids: Array.from(missing) });
    result.rows.forEach((row) => nodes.set(row.n["~node"], row.n));
  }

  async function drawResult(result) {
    const nodes = new Map();
    const edges = new Map();
    result.rows.forEach((row) => collect(row, nodes, edges));
    await missingEnds(nodes, edges);
    state.nodes.clear();
    state.edges.clear();
    state.selected = null;
    nodes.forEach((n) => addNode(n));
    edges.forEach((e) => addEdge(e));
    state.view = { scale: 1, x: 0, y: 0 };
    restartLayout();
  }

  async function expand(node) {
    setStatus("expanding " + node.id + "…");
    try {
      const result = await run(
        "MATCH (n)-[r]-(m) WHERE id(n) = $id RETURN r, m LIMIT 100",
        { id: node.id }
      );
      result.rows.forEach((row) => {
        addNode(row.m, node);
        addEdge(row.r);
      });
      setStatus(node.id + ": " + result.rows.length + " neighbours");
      restartLayout();
    } catch (e) {
      setStatus(describeError(e), true);
    }
  }

  // ---- the layout: forces, written out

  function restartLayout() {
    state.settled = false;
    state.ticks = 0;
  }

  function tick() {
    const nodes = Array.from(state.nodes.values());
    const repulsion = 9000;
    const spring = 0.03;
    const length = 140;
    const gravity = 0.006;
    for (let i = 0; i < nodes.length; i++) {
      const a = nodes[i];
      for (let j = i + 1; j < nodes.length; j++) {
        const b = nodes[j];
        let dx = a.x - b.x;
        let dy = a.y - b.y;
        let d2 = dx * dx + dy * dy;
        if (d2 < 0.01) {
          dx = Math.random() - 0.5;
          dy = Math.random() - 0.5;
          d2 = 0.01;
        }
        const d = Math.sqrt(d2);
        const f = repulsion / Math.max(d2, 100);
        a.vx += (f * dx) / d;
        a.vy += (f * dy) / d;
        b.vx -= (f * dx) / d;
        b.vy -= (f * dy) / d;
      }
    }
    state.edges.forEach((e) => {
      const a = state.nodes.get(e.start);
      const b = state.nodes.get(e.end);
      if (!a || !b || a === b) return;
      const dx = b.x - a.x;
      const dy = b.y - a.y;
      const d = Math.sqrt(dx * dx + dy * dy) || 1;
      const f = spring * (d - length);
      a.vx += (f * dx) / d;
      a.vy += (f * dy) / d;
      b.vx -= (f * dx) / d;
      b.vy -= (f * dy) / d;
    });
    let fastest = 0;
    const cooling = Math.max(0.05, 1 - state.ticks / 400);
    nodes.forEach((n) => {
      n.vx -= n.x * gravity;
      n.vy -= n.y * gravity;
      n.vx *= 0.6;
      n.vy *= 0.6;
      if (n.fixed) {
        n.vx = 0;
        n.vy = 0;
        return;
      }
      const speed = Math.sqrt(n.vx * n.vx + n.vy * n.vy);
      const capped = Math.min(speed, 30) * cooling;
      if (speed > 0) {
        n.x += (n.vx / speed) * capped;
        n.y += (n.vy / speed) * capped;
      }
      fastest = Math.max(fastest, capped);
    });
    state.ticks += 1;
    if (fastest < 0.3 || state.ticks > 600) state.settled = true;
  }

  // ---- drawing

  const canvas = $("graph");
  const ctx = canvas.getContext("2d");
  const RADIUS = 18;
  const PALETTE = ["#4c8eda", "#f79767", "#57c7e3", "#f16667", "#d9c8ae", "#8dcc93",
    "#ecb5c9", "#ffc454", "#da7194", "#569480", "#c990c0", "#848484", "#b39ddb", "#4db6ac",
    "#ff8a65", "#a1887f"];
  // A label keeps the colour it first got: the schema panel hands them out in label
  // order, so the first dozen labels differ.
  const labelColours = new Map();
  function colourOf(labels) {
    const key = labels.length ? labels[0] : "";
    if (!labelColours.has(key)) labelColours.set(key, PALETTE[labelColours.size % PALETTE.length]);
    return labelColours.get(key);
  }

  function caption(node) {
    const p = node.properties || {};
    if (typeof p.name === "string") return p.name;
    const first = Object.keys(p).find((k) => typeof p[k] === "string");
    return first ? p[first] : String(node.id);
  }

  function resizeCanvas() {
    const rect = canvas.getBoundingClientRect();
    const ratio = window.devicePixelRatio || 1;
    const w = Math.max(1, Math.round(rect.width * ratio));
    const h = Math.max(1, Math.round(rect.height * ratio));
    if (canvas.width !== w || canvas.height !== h) {
      canvas.width = w;
      canvas.height = h;
    }
  }

  // World coordinates to CSS pixels within the canvas, and back.
  function toScreen(x, y) {
    const rect = canvas.getBoundingClientRect();
    return {
      x: rect.width / 2 + state.view.x + x * state.view.scale,
      y: rect.height / 2 + state.view.y + y * state.view.scale,
    };
  }
  function toWorld(sx, sy) {
    const rect = canvas.getBoundingClientRect();
    return {
      x: (sx - rect.width / 2 - state.view.x) / state.view.scale,
      y: (sy - rect.height / 2 - state.view.y) / state.view.scale,
    };
  }

  function draw() {
    resizeCanvas();
    const ratio = window.devicePixelRatio || 1;
    const rect = canvas.getBoundingClientRect();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    ctx.setTransform(
      ratio * state.view.scale, 0, 0, ratio * state.view.scale,
      ratio * (rect.width / 2 + state.view.x), ratio * (rect.height / 2 + state.view.y)
    );
    ctx.lineWidth = 1.2;
    ctx.font = "10px system-ui, sans-serif";
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    // Relationships between the same two nodes fan out.
    const pairs = new Map();
    state.edges.forEach((e) => {
      const key = e.start < e.end ? e.start + "-" + e.end : e.end + "-" + e.start;
      const list = pairs.get(key) || [];
      list.push(e);
      pairs.set(key, list);
    });
    pairs.forEach((list) => list.forEach((e, i) => drawEdge(e, i - (list.length - 1) / 2)));
    state.nodes.forEach((n) => {
      ctx.beginPath();
      ctx.arc(n.x, n.y, RADIUS, 0, 2 * Math.PI);
      ctx.fillStyle = colourOf(n.labels);
      ctx.fill();
      ctx.strokeStyle = n === state.selected ? "#102a43" : "rgba(0,0,0,0.25)";
      ctx.lineWidth = n === state.selected ? 3 : 1;
      ctx.stroke();
      ctx.fillStyle = "#102a43";
      ctx.font = "11px system-ui, sans-serif";
      let text = caption(n);
      if (text.length > 24) text = text.slice(0, 23) + "…";
      ctx.fillText(text, n.x, n.y + RADIUS + 9);
    });
  }

  function drawEdge(e, bend) {
    const a = state.nodes.get(e.start);
    const b = state.nodes.get(e.end);
    if (!a || !b) return;
    ctx.strokeStyle = "#829ab1";
    ctx.fillStyle = "#829ab1";
    ctx.lineWidth = 1.2;
    if (a === b) {
      ctx.beginPath();
      ctx.arc(a.x + RADIUS, a.y - RADIUS, RADIUS * 0.8, 0, 2 * Math.PI);
      ctx.stroke();
      ctx.fillStyle = "#486581";
      ctx.font = "9px system-ui, sans-serif";
      ctx.fillText(e.type, a.x + RADIUS * 2.2, a.y - RADIUS * 2);
      return;
    }
    const dx = b.x - a.x;
    const dy = b.y - a.y;
    const d = Math.sqrt(dx * dx + dy * dy) || 1;
    const ux = dx / d;
    const uy = dy / d;
    // The control point sits off the middle, perpendicular, for parallel relationships.
    const off = bend * 28;
    const cx = (a.x + b.x) / 2 - uy * off;
    const cy = (a.y + b.y) / 2 + ux * off;
    const sx = a.x + ux * RADIUS;
    const sy = a.y + uy * RADIUS;
    // Where the curve meets the target's circle: approximated along the control line.
    const tdx = b.x - cx;
    const tdy = b.y - cy;
    const td = Math.sqrt(tdx * tdx + tdy * tdy) || 1;
    const ex = b.x - (tdx / td) * RADIUS;
    const ey = b.y - (tdy / td) * RADIUS;
    ctx.beginPath();
    ctx.moveTo(sx, sy);
    ctx.quadraticCurveTo(cx, cy, ex, ey);
    ctx.stroke();
    const angle = Math.atan2(tdy, tdx);
    ctx.beginPath();
    ctx.moveTo(ex, ey);
    ctx.lineTo(ex - 8 * Math.cos(angle - 0.4), ey - 8 * Math.sin(angle - 0.4));
    ctx.lineTo(ex - 8 * Math.cos(angle + 0.4), ey - 8 * Math.sin(angle + 0.4));
    ctx.closePath();
    ctx.fill();
    const mx = (sx + 2 * cx + ex) / 4;
    const my = (sy + 2 * cy + ey) / 4;
    ctx.save();
    ctx.translate(mx, my);
    let text_angle = Math.atan2(ey - sy, ex - sx);
    if (text_angle > Math.PI / 2 || text_angle < -Math.PI / 2) text_angle += Math.PI;
    ctx.rotate(text_angle);
    ctx.font = "9px system-ui, sans-serif";
    ctx.fillStyle = "#486581";
    ctx.fillText(e.type, 0, -6);
    ctx.restore();
  }

  function frame() {
    if (!state.settled) {
      for (let i = 0; i < 3 && !state.settled; i++) tick();
    }
    draw();
    requestAnimationFrame(frame);
  }
  requestAnimationFrame(frame);
  window.addEventListener("resize", draw);

  // ---- the mouse: drag nodes, pan, zoom, click, double-click

  function nodeAt(sx, sy) {
    const w = toWorld(sx, sy);
    let found = null;
    state.nodes.forEach((n) => {
      const dx = n.x - w.x;
      const dy = n.y - w.y;
      if (dx * dx + dy * dy <= RADIUS * RADIUS) found = n;
    });
    return found;
  }

  function local(e) {
    const rect = canvas.getBoundingClientRect();
    return { x: e.clientX - rect.left, y: e.clientY - rect.top };
  }

  let drag = null;
  canvas.addEventListener("mousedown", (e) => {
    const p = local(e);
    const node = nodeAt(p.x, p.y);
    drag = { node, start: p, last: p, moved: false };
    if (node) node.fixed = true;
    canvas.style.cursor = "grabbing";
  });
  window.addEventListener("mousemove", (e) => {
    if (!drag) return;
    const p = local(e);
    if (Math.abs(p.x - drag.start.x) + Math.abs(p.y - drag.start.y) > 3) drag.moved = true;
    if (drag.node) {
      const w = toWorld(p.x, p.y);
      drag.node.x = w.x;
      drag.node.y = w.y;
      if (drag.moved) restartLayout();
    } else {
      state.view.x += p.x - drag.last.x;
      state.view.y += p.y - drag.last.y;
    }
    drag.last = p;
  });
  window.addEventListener("mouseup", () => {
    if (!drag) return;
    if (drag.node && !drag.moved) {
      drag.node.fixed = false;
      select(drag.node);
    }
    drag = null;
    canvas.style.cursor = "grab";
  });
  canvas.addEventListener("dblclick", (e) => {
    const p = local(e);
    const node = nodeAt(p.x, p.y);
    if (node) expand(node);
  });
  canvas.addEventListener("wheel", (e) => {
    e.preventDefault();
    const p = local(e);
    const before = toWorld(p.x, p.y);
    const factor = Math.exp(-e.deltaY * 0.0015);
    state.view.scale = Math.min(5, Math.max(0.1, state.view.scale * factor));
    const after = toScreen(before.x, before.y);
    state.view.x += p.x - after.x;
    state.view.y += p.y - after.y;
  }, { passive: false });

  // ---- the side panel: one node

  function element(tag, text, cls) {
    const el = document.createElement(tag);
    if (text !== undefined) el.textContent = text;
    if (cls) el.className = cls;
    return el;
  }

  function keyValueTable(entries) {
    const table = element("table");
    entries.forEach(([k, v]) => {
      const row = table.insertRow();
      row.insertCell().textContent = k;
      row.insertCell().textContent = cellText(v);
    });
    return table;
  }

  async function select(node) {
    state.selected = node;
    const panel = $("details");
    panel.innerHTML = "";
    panel.dataset.nodeId = String(node.id);
    panel.appendChild(element("h2", "Node " + node.id));
    const labels = element("div", undefined, "labels");
    node.labels.forEach((l) => {
      const span = element("span", l);
      span.style.background = colourOf([l]);
      labels.appendChild(span);
    });
    panel.appendChild(labels);
    panel.appendChild(element("h3", "Properties"));
    const properties = keyValueTable(Object.entries(node.properties));
    properties.id = "details-properties";
    panel.appendChild(properties);
    const sources = element("div");
    sources.id = "details-sources";
    panel.appendChild(element("h3", "Sources"));
    panel.appendChild(sources);
    const changes = element("div");
    changes.id = "details-history";
    panel.appendChild(element("h3", "History"));
    panel.appendChild(changes);
    try {
      const found = await run("MATCH (n) WHERE id(n) = $id RETURN sources(n) AS sources", { id: node.id });
      const list = found.rows.length ? found.rows[0].sources || [] : [];
      if (!list.length) sources.appendChild(element("p", "no source: written by statements", "hint"));
      const ul = element("ul");
      list.forEach((s) => ul.appendChild(element("li", s.source + (s.line !== undefined && s.line !== null ? ":" + s.line : ""))));
      sources.appendChild(ul);
    } catch (e) {
      sources.appendChild(element("p", describeError(e), "hint"));
    }
    try {
      const found = await run(
        "CALL db.changes($id) YIELD tx, source, change, key, old, new RETURN tx, source, change, key, old, new",
        { id: node.id }
      );
      if (!found.rows.length) changes.appendChild(element("p", "no changes recorded", "hint"));
      else {
        const table = element("table");
        const head = table.createTHead().insertRow();
        ["tx", "change", "key", "old", "new", "source"].forEach((c) => head.appendChild(element("th", c)));
        found.rows.forEach((r) => {
          const row = table.insertRow();
          [r.tx, r.change, r.key, r.old, r.new, r.source].forEach((v) => {
            row.insertCell().textContent = v === null ? "" : cellText(v);
          });
        });
        changes.appendChild(table);
      }
    } catch (e) {
      changes.appendChild(element("p", describeError(e), "hint"));
    }
    panel.dataset.loaded = "true";
  }

  // ---- the schema panel

  async function loadSchema() {
    const fill = (id, rows, name, onClick) => {
      const ul = $(id);
      ul.innerHTML = "";
      rows.forEach((r) => {
        const li = element("li");
        if (id === "schema-labels") {
          const swatch = element("span", undefined, "swatch");
          swatch.style.background = colourOf([r[name]]);
          li.appendChild(swatch);
        }
        li.appendChild(document.createTextNode(r[name]));
        if (r.count !== undefined) li.appendChild(element("span", String(r.count), "count"));
        if (onClick) li.addEventListener("click", () => onClick(r[name]));
        ul.appendChild(li);
      });
    };
    const quoted = (name) => "`" + name.replace(/`/g, "``") + "`";
    try {
      const [labels, counts, types, typeCounts, keys] = await Promise.all([
        run("CALL db.labels() YIELD label RETURN label ORDER BY label"),
        run("MATCH (n) UNWIND labels(n) AS label RETURN label, count(*) AS count"),
        run("CALL db.relationshipTypes() YIELD relationshipType RETURN relationshipType ORDER BY relationshipType"),
        run("MATCH ()-[r]->() RETURN type(r) AS relationshipType, count(*) AS count"),
        run("CALL db.propertyKeys() YIELD propertyKey RETURN propertyKey ORDER BY propertyKey"),
      ]);
      const countOf = (rows, name) => new Map(rows.map((r) => [r[name], r.count]));
      const labelCounts = countOf(counts.rows, "label");
      const typeCount = countOf(typeCounts.rows, "relationshipType");
      fill("schema-labels", labels.rows.map((r) => ({ label: r.label, count: labelCounts.get(r.label) || 0 })), "label",
        (l) => { editor.value = "MATCH (n:" + quoted(l) + ") RETURN n LIMIT 25"; refreshHighlight(); runEditor(); });
      fill("schema-types", types.rows.map((r) => ({ relationshipType: r.relationshipType, count: typeCount.get(r.relationshipType) || 0 })),
        "relationshipType",
        (t) => { editor.value = "MATCH p = ()-[:" + quoted(t) + "]->() RETURN p LIMIT 25"; refreshHighlight(); runEditor(); });
      fill("schema-keys", keys.rows, "propertyKey", null);
      state.schema = { labels: labels.rows, types: types.rows, keys: keys.rows };
    } catch (e) {
      setStatus("the schema could not be read: " + describeError(e), true);
    }
  }

  // ---- for tests (and the curious): the page's state

  window.skein = {
    get lastResult() { return state.lastResult; },
    get lastError() { return state.lastError; },
    get schema() { return state.schema || null; },
    drawnNodeIds: () => Array.from(state.nodes.keys()).sort((a, b) => a - b),
    drawnRelationshipIds: () => Array.from(state.edges.keys()).sort((a, b) => a - b),
    layoutSettled: () => state.settled,
    selectedNodeId: () => (state.selected ? state.selected.id : null),
    // Where a node is drawn, in page coordinates (for a test's mouse).
    nodePagePosition: (id) => {
      const n = state.nodes.get(id);
      if (!n) return null;
      const rect = canvas.getBoundingClientRect();
      const p = toScreen(n.x, n.y);
      return { x: rect.left + p.x, y: rect.top + p.y };
    },
    run,
  };

  refreshHighlight();
  showHistory();
  loadSchema();
})();
