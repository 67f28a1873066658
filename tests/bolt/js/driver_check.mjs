// Checks `skein serve` through the official neo4j-driver npm package (tests/serve_bolt.rs
// starts the server and runs this script): a smaller set than driver_check.py, for the
// JavaScript driver's own encoding of integers, temporal values and graph types.
//
//     node tests/bolt/js/driver_check.mjs HOST:PORT USER PASSWORD
//
// Exit code 0 when every check passed; otherwise the failed check is printed and the
// exit code is 1 (3 when neo4j-driver is not installed: `npm ci --prefix tests/bolt/js`).

import assert from "node:assert/strict";
import { createRequire } from "node:module";

let neo4j;
try {
  neo4j = (await import("neo4j-driver")).default;
} catch (e) {
  console.error(`neo4j-driver is not installed (${e.message}): run \`npm ci --prefix tests/bolt/js\``);
  process.exit(3);
}

function driverVersion() {
  return createRequire(import.meta.url)("neo4j-driver/package.json").version;
}

const [address, user, password] = process.argv.slice(2);
const auth = neo4j.auth.basic(user, password);
const checks = [];
const check = (name, body) => checks.push({ name, body });

async function expectError(code, body) {
  try {
    await body();
  } catch (e) {
    assert.equal(e.code, code, `expected ${code}, got ${e.code}: ${e.message}`);
    return e;
  }
  throw new assert.AssertionError({ message: `expected a failure with ${code}` });
}

check("auto_commit_queries", async (driver) => {
  const { records, summary, keys } = await driver.executeQuery(
    "CREATE (a:Person {name: 'Ada', born: 1815})-[:KNOWS {since: 1833}]->" +
      "(b:Person {name: 'Charles'}) RETURN a.name AS name",
  );
  assert.deepEqual(keys, ["name"]);
  assert.equal(records[0].get("name"), "Ada");
  const counters = summary.counters.updates();
  assert.equal(counters.nodesCreated, 2);
  assert.equal(counters.relationshipsCreated, 1);
  const count = await driver.executeQuery("MATCH (p:Person) RETURN count(p) AS n");
  assert.ok(neo4j.isInt(count.records[0].get("n")), "counts arrive as 64-bit Integers");
  assert.equal(count.records[0].get("n").toNumber(), 2);
});

check("parameters_and_results", async (driver) => {
  const big = neo4j.int("-4611686018427387904");
  const values = {
    int: big,
    float: 2.5,
    string: "naïve 'quoted' ✓",
    list: [neo4j.int(1), "two", [3.5, null]],
    map: { a: neo4j.int(1), b: ["x"] },
    date: new neo4j.types.Date(1969, 7, 20),
    localTime: new neo4j.types.LocalTime(23, 59, 59, 999999999),
    localDateTime: new neo4j.types.LocalDateTime(2024, 2, 29, 12, 0, 0, 1),
    dateTimeOffset: new neo4j.types.DateTime(2024, 1, 1, 8, 0, 0, 0, -5 * 3600),
    duration: new neo4j.types.Duration(14, 3, 14706, 7),
  };
  for (const [name, value] of Object.entries(values)) {
    const { records } = await driver.executeQuery("RETURN $p AS p", { p: value });
    const back = records[0].get("p");
    assert.equal(String(back), String(value), `${name}: sent ${value}, got ${back}`);
  }
  // A zoned datetime sent without its offset comes back with the offset the zone had.
  const zoned = new neo4j.types.DateTime(2024, 6, 1, 12, 0, 0, 0, undefined, "Europe/Stockholm");
  const { records } = await driver.executeQuery(
    "RETURN $d.year AS y, $z.timezone AS zone, $z AS z, $p AS p",
    { d: values.date, z: zoned, p: "x' RETURN 1 //" },
  );
  const z = records[0].get("z");
  assert.equal(String(z), "2024-06-01T12:00:00+02:00[Europe/Stockholm]");
  assert.equal(records[0].get("y").toNumber(), 1969);
  assert.equal(records[0].get("zone"), "Europe/Stockholm");
  assert.equal(records[0].get("p"), "x' RETURN 1 //", "parameters are values, never Cypher text");
});

check("nodes_relationships_and_paths", async (driver) => {
  const { records } = await driver.executeQuery(
    "MATCH p = (a:Person {name: 'Ada'})-[r:KNOWS]->(b) RETURN a, r, b, p",
  );
  const [a, r, b, p] = ["a", "r", "b", "p"].map((k) => records[0].get(k));
  assert.ok(neo4j.isNode(a) && neo4j.isRelationship(r) && neo4j.isPath(p));
  assert.deepEqual(a.labels, ["Person"]);
  assert.equal(a.properties.name, "Ada");
  assert.equal(typeof a.elementId, "string");
  assert.notEqual(a.elementId, b.elementId);
  assert.equal(r.type, "KNOWS");
  assert.equal(r.properties.since.toNumber(), 1833);
  assert.equal(r.startNodeElementId, a.elementId);
  assert.equal(r.endNodeElementId, b.elementId);
  assert.equal(p.length, 1);
  assert.equal(p.start.elementId, a.elementId);
  assert.equal(p.end.elementId, b.elementId);
  assert.equal(p.segments[0].relationship.elementId, r.elementId);
});

check("explicit_transactions", async (driver) => {
  const session = driver.session();
  try {
    const tx = session.beginTransaction();
    await tx.run("CREATE (:Temp {n: 1})");
    const inside = await tx.run("MATCH (t:Temp) RETURN count(t) AS n");
    assert.equal(inside.records[0].get("n").toNumber(), 1);
    await tx.rollback();
    const after = await session.run("MATCH (t:Temp) RETURN count(t) AS n");
    assert.equal(after.records[0].get("n").toNumber(), 0, "a rolled-back write is gone");
    const total = await session.executeWrite(async (tx) => {
      await tx.run("CREATE (:Temp {n: 2}), (:Temp {n: 3})");
      const result = await tx.run("MATCH (t:Temp) RETURN sum(t.n) AS s");
      return result.records[0].get("s").toNumber();
    });
    assert.equal(total, 5);
  } finally {
    await session.close();
  }
});

check("errors_with_their_codes", async (driver) => {
  const e = await expectError("Neo.ClientError.Statement.SyntaxError", () =>
    driver.executeQuery("MATCH (n RETURN n"),
  );
  assert.match(e.message, /line 1/);
  await expectError("Neo.ClientError.Statement.ParameterMissing", () =>
    driver.executeQuery("RETURN $missing"),
  );
  await expectError("Neo.ClientError.Statement.ArithmeticError", () =>
    driver.executeQuery("RETURN 1/0"),
  );
  const one = await driver.executeQuery("RETURN 1 AS one");
  assert.equal(one.records[0].get("one").toNumber(), 1, "the connection works after a failure");
});

check("bookmarks_and_read_access", async (driver) => {
  const writer = driver.session();
  await writer.run("CREATE (:Marked)");
  const bookmarks = writer.lastBookmarks();
  await writer.close();
  assert.ok(bookmarks.length > 0 && bookmarks.every((b) => b.startsWith("skein:")), String(bookmarks));
  const reader = driver.session({ defaultAccessMode: neo4j.session.READ, bookmarks });
  try {
    const seen = await reader.run("MATCH (m:Marked) RETURN count(m) AS n");
    assert.equal(seen.records[0].get("n").toNumber(), 1);
    await expectError("Neo.ClientError.Statement.AccessMode", () => reader.run("CREATE (:Copy)"));
  } finally {
    await reader.close();
  }
});

async function routingUri() {
  const driver = neo4j.driver(`neo4j://${address}`, auth);
  try {
    await driver.verifyConnectivity();
    const { records } = await driver.executeQuery(
      "MATCH (p:Person) RETURN count(p) AS n",
      {},
      { routing: neo4j.routing.READ },
    );
    assert.equal(records[0].get("n").toNumber(), 2);
  } finally {
    await driver.close();
  }
}

async function wrongPassword() {
  const driver = neo4j.driver(`bolt://${address}`, neo4j.auth.basic(user, password + "x"));
  try {
    await expectError("Neo.ClientError.Security.Unauthorized", () => driver.verifyConnectivity());
  } finally {
    await driver.close();
  }
}

const driver = neo4j.driver(`bolt://${address}`, auth);
try {
  await driver.verifyConnectivity();
  for (const { name, body } of checks) {
    await body(driver);
    console.log(`ok ${name}`);
  }
  await driver.close();
  await routingUri();
  console.log("ok routing_uri");
  await wrongPassword();
  console.log("ok wrong_password");
  console.log(`all ${checks.length + 2} driver checks passed (neo4j-driver ${driverVersion()})`);
} catch (e) {
  console.error(e);
  console.error(`failed: ${e.message}`);
  await driver.close();
  process.exit(1);
}
