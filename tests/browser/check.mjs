// Drives skein's page in headless Chromium (tests/serve_browser.rs runs this):
//   node check.mjs URL SCREENSHOT [QUERY]
// types a query, runs it with Ctrl-Enter, waits for the drawing to settle, checks the
// drawn nodes are the ones the query returned, clicks a node and checks the side panel
// shows its properties, then saves a screenshot. Prints "browser checks passed" and a
// JSON line of what it saw; exits 1 with the reason otherwise.
import { chromium } from "playwright-core";
import { mkdtempSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

const [url, screenshot, query] = process.argv.slice(2);
if (!url || !screenshot) {
  console.error("usage: node check.mjs URL SCREENSHOT [QUERY]");
  process.exit(2);
}
const statement = query || "MATCH (p:Person)-[r]->(x) RETURN p, r, x LIMIT 12";
const executablePath = process.env.SKEIN_CHROMIUM || "/usr/bin/chromium";

function fail(message) {
  throw new Error(message);
}

// The node ids a result holds: nodes anywhere in it, and both ends of each relationship.
function returnedNodeIds(result) {
  const ids = new Set();
  const walk = (v) => {
    if (v === null || typeof v !== "object") return;
    if (Array.isArray(v)) return v.forEach(walk);
    if ("~node" in v) return ids.add(v["~node"]);
    if ("~relationship" in v) {
      ids.add(v.start);
      ids.add(v.end);
      return;
    }
    Object.values(v).forEach(walk);
  };
  result.rows.forEach(walk);
  return Array.from(ids).sort((a, b) => a - b);
}

const profile = mkdtempSync(join(tmpdir(), "skein-chromium-"));
const problems = [];
let context;
try {
  context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    viewport: { width: 1280, height: 760 },
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  const page = context.pages()[0] || (await context.newPage());
  page.on("pageerror", (e) => problems.push("page error: " + e.message));
  page.on("console", (m) => {
    if (m.type() === "error") problems.push("console error: " + m.text());
  });
  // Nothing but the server: a request elsewhere fails the check.
  const origin = new URL(url).origin;
  await page.route("**/*", (route) => {
    if (new URL(route.request().url()).origin === origin) return route.continue();
    problems.push("request outside the server: " + route.request().url());
    return route.abort();
  });
  // SKEIN_PAGE_DIR: serve the page's files from this folder instead of the binary's
  // copies (to work on the page without rebuilding skein).
  const pageDir = process.env.SKEIN_PAGE_DIR;
  if (pageDir) {
    const types = { "page.js": "text/javascript", "page.css": "text/css", "index.html": "text/html" };
    for (const [file, contentType] of Object.entries(types)) {
      const path = file === "index.html" ? "/" : "/" + file;
      await page.route(origin + path, (route) => route.fulfill({ path: join(pageDir, file), contentType }));
    }
  }
  await page.goto(url);
  await page.waitForFunction(() => window.skein && window.skein.schema !== null, null, { timeout: 60000 });
  const labels = await page.locator("#schema-labels li").count();
  if (labels === 0) fail("the schema panel lists no labels");

  await page.click("#query");
  await page.keyboard.press("Control+A");
  await page.keyboard.press("Delete");
  await page.keyboard.type(statement);
  const highlighted = await page.locator("#highlight .tok-keyword").count();
  if (highlighted === 0) fail("the editor highlights no keyword in: " + statement);
  await page.keyboard.press("Control+Enter");
  await page.waitForFunction(
    () => window.skein.lastResult !== null && window.skein.layoutSettled(),
    null,
    { timeout: 60000 }
  );
  const result = await page.evaluate(() => window.skein.lastResult);
  const drawn = await page.evaluate(() => window.skein.drawnNodeIds());
  const expected = returnedNodeIds(result);
  if (expected.length === 0) fail("the query returned no nodes: " + JSON.stringify(result));
  if (JSON.stringify(drawn) !== JSON.stringify(expected)) {
    fail("drawn nodes " + JSON.stringify(drawn) + " are not the returned " + JSON.stringify(expected));
  }
  const rels = await page.evaluate(() => window.skein.drawnRelationshipIds());
  if (rels.length === 0) fail("no relationship is drawn");

  // The node farthest from its nearest neighbour is the surest to click.
  const target = await page.evaluate((ids) => {
    const at = ids.map((id) => [id, window.skein.nodePagePosition(id)]);
    let best = null;
    for (const [id, p] of at) {
      let nearest = Infinity;
      for (const [other, q] of at) {
        if (other !== id) nearest = Math.min(nearest, Math.hypot(p.x - q.x, p.y - q.y));
      }
      if (!best || nearest > best.nearest) best = { id, x: p.x, y: p.y, nearest };
    }
    return best;
  }, drawn);
  await page.mouse.click(target.x, target.y);
  await page.waitForSelector('#details[data-loaded="true"]', { timeout: 60000 });
  const selected = await page.evaluate(() => window.skein.selectedNodeId());
  if (selected !== target.id) fail("clicked node " + target.id + " but " + selected + " is selected");
  const node = result.rows
    .flatMap((row) => Object.values(row))
    .find((v) => v && v["~node"] === target.id);
  const panel = await page.locator("#details-properties").innerText();
  if (node) {
    for (const [key, value] of Object.entries(node.properties)) {
      if (typeof value === "string" && !panel.includes(value)) {
        fail("the side panel lacks " + key + " = " + value + ": " + panel);
      }
      if (!panel.includes(key)) fail("the side panel lacks the key " + key + ": " + panel);
    }
  }
  const sources = await page.locator("#details-sources").innerText();
  const history = await page.locator("#details-history").innerText();

  // Switch back to the graph view for the picture (it is the default view).
  mkdirSync(dirname(screenshot), { recursive: true });
  await page.screenshot({ path: screenshot });
  if (problems.length) fail(problems.join("\n"));
  console.log("browser checks passed");
  console.log(JSON.stringify({ drawn, relationships: rels, selected, sources, history: history.slice(0, 200) }));
} catch (e) {
  console.error("browser check failed: " + (e && e.stack ? e.stack : e));
  if (problems.length) console.error(problems.join("\n"));
  process.exitCode = 1;
} finally {
  if (context) await context.close();
  rmSync(profile, { recursive: true, force: true });
}
