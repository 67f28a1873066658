"""Checks `skein serve` through the official Neo4j Python driver (tests/serve_bolt.rs
starts the server and runs this script).

    python3 tests/bolt/driver_check.py HOST:PORT USER PASSWORD

Exit code 0 when every check passed; otherwise the first failed check is printed and
the exit code is 1 (3 when the neo4j package cannot be imported).
"""

import datetime
import sys

try:
    import neo4j
    from neo4j import GraphDatabase, Query, exceptions
    from neo4j.graph import Node, Path, Relationship
    from neo4j.time import Date, DateTime, Duration, Time
except ImportError as e:
    print(f"the neo4j driver is not importable ({e}): run `pip install neo4j`", file=sys.stderr)
    sys.exit(3)

ADDRESS, USER, PASSWORD = sys.argv[1], sys.argv[2], sys.argv[3]
AUTH = (USER, PASSWORD)
CHECKS = []


def check(function):
    CHECKS.append(function)
    return function


def expect_error(code, function):
    try:
        function()
    except exceptions.Neo4jError as e:
        assert e.code == code, f"expected {code}, got {e.code}: {e.message}"
        return e
    raise AssertionError(f"expected a failure with {code}")


@check
def auto_commit_queries(driver):
    records, summary, keys = driver.execute_query(
        "CREATE (a:Person {name: 'Ada', born: 1815})-[:KNOWS {since: 1833}]->"
        "(b:Person {name: 'Charles'}) RETURN a.name AS name"
    )
    assert keys == ["name"] and records[0]["name"] == "Ada", records
    counters = summary.counters
    assert counters.nodes_created == 2 and counters.relationships_created == 1, counters
    assert summary.query_type == "rw", summary.query_type
    records, _, _ = driver.execute_query("MATCH (p:Person) RETURN count(p) AS n")
    assert records[0]["n"] == 2, records


@check
def parameters_of_every_type(driver):
    stockholm = neo4j.time.DateTime(2024, 3, 31, 1, 30, 0, 123456789)
    import pytz  # the driver depends on it

    values = {
        "null": None,
        "bool": True,
        "int": -(2**62),
        "float": 2.5,
        "string": "naïve 'quoted' ✓",
        "list": [1, "two", [3.0, None], {"k": False}],
        "map": {"a": 1, "b": ["x", {"c": "d"}]},
        "date": Date(1969, 7, 20),
        "local_time": Time(23, 59, 59, 999999999),
        "time": Time(12, 30, 1, 500000000, tzinfo=pytz.FixedOffset(120)),
        "local_datetime": DateTime(2024, 2, 29, 12, 0, 0, 1),
        "datetime_offset": DateTime(2024, 1, 1, 8, 0, 0, tzinfo=pytz.FixedOffset(-300)),
        "datetime_zone": pytz.timezone("Europe/Stockholm").localize(stockholm),
        "native_date": datetime.date(2000, 1, 1),
        "native_datetime": datetime.datetime(2020, 5, 17, 10, 0, tzinfo=datetime.timezone.utc),
        "duration": Duration(years=1, months=2, days=3, hours=4, minutes=5, seconds=6, nanoseconds=7),
    }
    for name, value in values.items():
        records, _, _ = driver.execute_query("RETURN $p AS p", p=value)
        back = records[0]["p"]
        if isinstance(value, datetime.date) and not isinstance(value, (Date, DateTime)):
            back = back.to_native()
        assert back == value, f"{name}: sent {value!r}, got {back!r}"
    # Parameters are values, never Cypher text.
    records, _, _ = driver.execute_query("RETURN $p AS p", p="x' RETURN 1 //")
    assert records[0]["p"] == "x' RETURN 1 //"
    records, _, _ = driver.execute_query(
        "RETURN $d.year AS y, $z.timezone AS zone, $t.offset AS offset",
        d=values["date"], z=values["datetime_zone"], t=values["time"],
    )
    assert (records[0]["y"], records[0]["zone"], records[0]["offset"]) == (
        1969, "Europe/Stockholm", "+02:00"), records


@check
def results_of_every_type(driver):
    records, _, _ = driver.execute_query(
        "MATCH p = (a:Person {name: 'Ada'})-[r:KNOWS]->(b) "
        "RETURN a, r, b, p, [a.name, 1] AS list, {who: b.name, n: null} AS map, "
        "date('2024-02-29') AS d, localtime('10:11:12.5') AS lt, time('10:11:12+01:00') AS t, "
        "localdatetime('2024-01-02T03:04:05') AS ldt, "
        "datetime('2024-06-01T12:00:00+02:00') AS dto, "
        "datetime('2024-06-01T12:00:00[America/New_York]') AS dtz, "
        "duration('P1M2DT3.5S') AS dur, 1.0/4 AS f, true AS yes"
    )
    row = records[0]
    a, r, b, p = row["a"], row["r"], row["b"], row["p"]
    assert isinstance(a, Node) and a.labels == {"Person"} and a["name"] == "Ada", a
    assert isinstance(a.element_id, str) and a.element_id != b.element_id
    assert isinstance(r, Relationship) and r.type == "KNOWS" and r["since"] == 1833, r
    assert r.start_node.element_id == a.element_id and r.end_node.element_id == b.element_id
    assert isinstance(p, Path) and p.start_node == a and p.end_node == b and len(p) == 1, p
    assert p.relationships[0].element_id == r.element_id
    assert row["list"] == ["Ada", 1] and row["map"] == {"who": "Charles", "n": None}
    assert row["d"] == Date(2024, 2, 29)
    assert row["lt"] == Time(10, 11, 12, 500000000)
    assert row["t"].utc_offset() == datetime.timedelta(hours=1), row["t"]
    assert row["ldt"] == DateTime(2024, 1, 2, 3, 4, 5)
    assert row["dto"].utcoffset() == datetime.timedelta(hours=2)
    assert row["dto"].to_native() == datetime.datetime(2024, 6, 1, 10, 0, tzinfo=datetime.timezone.utc)
    assert row["dtz"].tzinfo.zone == "America/New_York", row["dtz"]
    assert row["dtz"].utcoffset() == datetime.timedelta(hours=-4)
    assert row["dur"] == Duration(months=1, days=2, seconds=3, nanoseconds=500000000), row["dur"]
    assert row["f"] == 0.25 and row["yes"] is True
    # A path walked against a relationship's direction.
    records, _, _ = driver.execute_query(
        "MATCH p = (b:Person {name: 'Charles'})<-[:KNOWS]-(a) RETURN p")
    back = records[0]["p"]
    assert back.start_node["name"] == "Charles" and back.end_node["name"] == "Ada"
    assert back.relationships[0].start_node["name"] == "Ada"


@check
def explicit_transactions(driver):
    with driver.session() as session:
        tx = session.begin_transaction()
        tx.run("CREATE (:Temp {n: 1})").consume()
        inside = tx.run("MATCH (t:Temp) RETURN count(t) AS n").single()["n"]
        assert inside == 1, inside
        tx.rollback()
        assert session.run("MATCH (t:Temp) RETURN count(t) AS n").single()["n"] == 0
        with session.begin_transaction() as tx:
            tx.run("CREATE (:Temp {n: 2})").consume()
            tx.run("CREATE (:Temp {n: 3})").consume()
            tx.commit()
        assert session.run("MATCH (t:Temp) RETURN sum(t.n) AS n").single()["n"] == 5
        # Managed transactions (what execute_query and execute_write use).
        total = session.execute_write(
            lambda tx: tx.run("MATCH (t:Temp) SET t.n = t.n * 10 RETURN sum(t.n) AS s").single()["s"])
        assert total == 50, total
        # A failing statement fails the transaction: nothing of it is kept.
        tx = session.begin_transaction()
        tx.run("CREATE (:Temp {n: 100})").consume()
        expect_error("Neo.ClientError.Statement.ArithmeticError", lambda: tx.run("RETURN 1/0").consume())
        tx.close()
        assert session.run("MATCH (t:Temp) RETURN count(t) AS n").single()["n"] == 2


@check
def streaming_in_batches(driver):
    with driver.session(fetch_size=7) as session:
        result = session.run("UNWIND range(1, 100) AS i RETURN i")
        assert [r["i"] for r in result] == list(range(1, 101))
        # Two results open in one transaction, read alternately.
        with session.begin_transaction() as tx:
            first = tx.run("UNWIND range(1, 20) AS i RETURN i")
            second = tx.run("UNWIND range(101, 120) AS i RETURN i")
            assert [r["i"] for r in second] == list(range(101, 121))
            assert [r["i"] for r in first] == list(range(1, 21))
        summary = session.run("UNWIND range(1, 1000) AS i RETURN i").consume()
        assert summary.counters.contains_updates is False


@check
def errors_with_their_codes(driver):
    e = expect_error("Neo.ClientError.Statement.SyntaxError", lambda: driver.execute_query("MATCH (n RETURN n"))
    assert isinstance(e, exceptions.CypherSyntaxError) and "line 1" in e.message, e.message
    expect_error("Neo.ClientError.Statement.ParameterMissing", lambda: driver.execute_query("RETURN $missing"))
    expect_error("Neo.ClientError.Statement.TypeError", lambda: driver.execute_query("RETURN 1 + true"))
    expect_error("Neo.ClientError.Statement.TypeError",
                 lambda: driver.execute_query("RETURN $b", b=b"\x00\x01"))
    driver.execute_query("CREATE CONSTRAINT person_name FOR (p:Person) REQUIRE p.name IS UNIQUE")
    e = expect_error("Neo.ClientError.Schema.ConstraintValidationFailed",
                     lambda: driver.execute_query("CREATE (:Person {name: 'Ada'})"))
    assert isinstance(e, exceptions.ConstraintError), type(e)
    # Started without --import-dir: a client reads none of the server's files.
    e = expect_error("Neo.ClientError.Statement.ExternalResourceFailed",
                     lambda: driver.execute_query("LOAD CSV FROM 'file:///etc/passwd' AS row RETURN row"))
    assert "LOAD CSV is off" in e.message, e.message
    expect_error("Neo.ClientError.Database.DatabaseNotFound",
                 lambda: driver.execute_query("RETURN 1", database_="elsewhere"))
    # The connection is usable after a failure (the driver sends RESET).
    assert driver.execute_query("RETURN 1 AS one").records[0]["one"] == 1


@check
def bookmarks(driver):
    with driver.session() as writer:
        writer.run("CREATE (:Marked)").consume()
        marks = writer.last_bookmarks()
    assert marks.raw_values and all(m.startswith("skein:") for m in marks.raw_values), marks
    with driver.session(bookmarks=marks) as reader:
        assert reader.run("MATCH (m:Marked) RETURN count(m) AS n").single()["n"] == 1
    bad = neo4j.Bookmarks.from_raw_values(["skein:999999999"])
    with driver.session(bookmarks=bad) as reader:
        expect_error("Neo.ClientError.Transaction.InvalidBookmark", lambda: reader.run("RETURN 1").consume())


@check
def read_access_mode(driver):
    # A read session's writes are refused before they run; its reads work.
    with driver.session(default_access_mode=neo4j.READ_ACCESS) as session:
        e = expect_error("Neo.ClientError.Statement.AccessMode",
                         lambda: session.run("MATCH (p:Person) CREATE (:Copy)").consume())
        assert "read access mode" in e.message and "line 1" in e.message, e.message
        tx = session.begin_transaction()
        assert tx.run("MATCH (p:Person) RETURN count(p) AS n").single()["n"] == 2
        expect_error("Neo.ClientError.Statement.AccessMode",
                     lambda: tx.run("CREATE (:Copy)").consume())
        tx.close()
    e = expect_error("Neo.ClientError.Statement.AccessMode",
                     lambda: driver.execute_query("CREATE (:Copy)", routing_="r"))
    assert driver.execute_query("MATCH (c:Copy) RETURN count(c) AS n").records[0]["n"] == 0


def routing_uri():
    with GraphDatabase.driver(f"neo4j://{ADDRESS}", auth=AUTH) as driver:
        driver.verify_connectivity()
        records, _, _ = driver.execute_query("MATCH (p:Person) RETURN count(p) AS n", routing_="r")
        assert records[0]["n"] == 2, records
        driver.execute_query("CREATE (:Routed)", routing_="w")


def wrong_password():
    with GraphDatabase.driver(f"bolt://{ADDRESS}", auth=(USER, PASSWORD + "x")) as driver:
        try:
            driver.verify_connectivity()
        except exceptions.AuthError as e:
            assert e.code == "Neo.ClientError.Security.Unauthorized", e.code
            return
    raise AssertionError("a wrong password was accepted")


def main():
    with GraphDatabase.driver(f"bolt://{ADDRESS}", auth=AUTH) as driver:
        driver.verify_connectivity()
        for function in CHECKS:
            function(driver)
            print(f"ok {function.__name__}")
    routing_uri()
    print("ok routing_uri")
    wrong_password()
    print("ok wrong_password")
    print(f"all {len(CHECKS) + 2} driver checks passed (neo4j driver {neo4j.__version__})")


if __name__ == "__main__":
    try:
        main()
    except AssertionError as e:
        import traceback

        traceback.print_exc()
        print(f"failed: {e}", file=sys.stderr)
        sys.exit(1)
