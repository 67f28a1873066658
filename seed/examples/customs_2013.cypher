// A second, made-up source for the walkthrough in README ("Where a fact comes from"):
// a customs summary that gives the 2013 Russia-North Korea trade as $112 million where
// The Moscow Times reports almost $113 million. Loaded after the seed, it is the most
// recent claim on `amount_usd`, and `claims()` and `db.conflicts()` show both figures.
// It is not part of the seed: `--load seed/` does not read this folder.

MERGE (t:TradeFigure {name: 'Russia-North Korea trade in 2013'})
SET t.amount_usd = 112000000, t.approximate = false;
