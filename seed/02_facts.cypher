// Fact nodes: the events, agreements, projects, debts, trade figures and targets the
// report tells of. Each carries its provenance (source, paragraph, reported_by,
// stated_by where a person is named as its source) and its modality: 'fact' for what
// the report gives as having happened or being so, 'intention', 'possibility' or
// 'projection' for what is only planned, possible or expected.
// Years are not in the report's text: where a date is the report's, `year_inferred`
// says its year 2014 was inferred from the publication year.
// Valid time: where the report says when something held, `valid_from` / `valid_to`
// give the half-open interval [valid_from, valid_to) in which it was so (read with
// `VALID AT date(...)` or `valid_at(x, t)`); a fact without them is always valid.

// --- Events ------------------------------------------------------------------

MERGE (e:Event {name: 'Annexation of Crimea'})
SET e += {aliases: ['annexation of the Crimean peninsula'], kind: 'annexation',
          year: 2014, month: 3, year_inferred: true,
          source: 'moscow-times-russia-north-korea', paragraph: 5,
          reported_by: 'The Moscow Times', modality: 'fact'};

MERGE (e:Event {name: 'Western sanctions against Russia'})
SET e += {aliases: ['Western sanctions'], kind: 'sanctions',
          valid_from: date('2014-03-01'),
          source: 'moscow-times-russia-north-korea', paragraph: 5,
          reported_by: 'The Moscow Times', modality: 'fact'};

MERGE (e:Event {name: "Russia's search for new allies"})
SET e += {aliases: ['Russia looking east'], kind: 'policy', urgency: 'peaked',
          source: 'moscow-times-russia-north-korea', paragraph: 5,
          reported_by: 'The Moscow Times', modality: 'fact'};

MERGE (e:Event {name: "Putin's visit to China"})
SET e += {aliases: [], kind: 'state visit',
          year: 2014, month: 5, year_inferred: true,
          source: 'moscow-times-russia-north-korea', paragraph: 5,
          reported_by: 'The Moscow Times', modality: 'fact'};

MERGE (e:Event {name: 'Russia boosting ties with North Korea'})
SET e += {aliases: [], kind: 'policy',
          source: 'moscow-times-russia-north-korea', paragraph: 2,
          reported_by: 'The Moscow Times', modality: 'fact'};

MERGE (e:Event {name: 'Intergovernmental commission meeting in Vladivostok'})
SET e += {aliases: ['Vladivostok meeting'], kind: 'meeting',
          weekday: 'Thursday', year: 2014, year_inferred: true,
          source: 'moscow-times-russia-north-korea', paragraph: 3,
          reported_by: 'RIA Novosti', modality: 'fact'};

MERGE (e:Event {name: 'Write-off of North Korean debt'})
SET e += {aliases: ['debt write-off'], kind: 'debt write-off',
          date: date('2014-05-05'), year: 2014, month: 5, year_inferred: true,
          valid_from: date('2014-05-05'), valid_to: date('2014-05-06'),
          source: 'moscow-times-russia-north-korea', paragraph: 6,
          reported_by: 'The Moscow Times', modality: 'fact'};

// --- Agreements --------------------------------------------------------------

MERGE (a:Agreement {name: 'Trade settlement in rubles'})
SET a += {aliases: ['ruble settlement'], kind: 'payment currency',
          currency: 'RUB', replaces_currency: 'USD',
          starts: 'the month of the report', year: 2014, year_inferred: true,
          source: 'moscow-times-russia-north-korea', paragraph: 2,
          reported_by: 'The Moscow Times', modality: 'fact'};

MERGE (a:Agreement {name: 'Accounts for North Korean companies in Russian banks'})
SET a += {aliases: [], kind: 'banking',
          source: 'moscow-times-russia-north-korea', paragraph: 3,
          reported_by: 'RIA Novosti', stated_by: 'Alexander Galushka', modality: 'fact'};

MERGE (a:Agreement {name: 'Russian access to North Korean mines'})
SET a += {aliases: ['mine access'], kind: 'mining',
          source: 'moscow-times-russia-north-korea', paragraph: 4,
          reported_by: 'RIA Novosti', stated_by: 'Alexander Galushka',
          modality: 'possibility'};

MERGE (a:Agreement {name: 'Simplified visas for Russian businessmen'})
SET a += {aliases: [], kind: 'visas',
          source: 'moscow-times-russia-north-korea', paragraph: 4,
          reported_by: 'RIA Novosti', modality: 'fact'};

MERGE (a:Agreement {name: 'Internet and mobile use for Russian businessmen'})
SET a += {aliases: [], kind: 'communications',
          remark: 'an unthinkable luxury for locals',
          source: 'moscow-times-russia-north-korea', paragraph: 4,
          reported_by: 'RIA Novosti', modality: 'fact'};

MERGE (a:Agreement {name: 'Russia-North Korea packet of deals'})
SET a += {aliases: ['packet of deals'], kind: 'package',
          source: 'moscow-times-russia-north-korea', paragraph: 6,
          reported_by: 'The Moscow Times', stated_by: 'Alexander Galushka',
          modality: 'fact'};

MERGE (a:Agreement {name: 'Russia-China agreements of May'})
SET a += {aliases: [], kind: 'series of agreements and contracts',
          year: 2014, month: 5, year_inferred: true,
          source: 'moscow-times-russia-north-korea', paragraph: 5,
          reported_by: 'The Moscow Times', modality: 'fact'};

MERGE (a:Agreement {name: 'Russia-China gas supply deal'})
SET a += {aliases: ['gas deal'], kind: 'gas supply', amount_usd: 400000000000,
          source: 'moscow-times-russia-north-korea', paragraph: 5,
          reported_by: 'The Moscow Times', modality: 'fact'};

// --- Projects (discussed, not yet under way) ---------------------------------

MERGE (p:Project {name: 'Exploration projects in North Korean mines'})
SET p += {aliases: [], kind: 'exploration', status: 'discussed',
          source: 'moscow-times-russia-north-korea', paragraph: 4,
          reported_by: 'RIA Novosti', stated_by: 'Alexander Galushka',
          modality: 'possibility'};

MERGE (p:Project {name: 'Extraction projects in North Korean mines'})
SET p += {aliases: [], kind: 'extraction', status: 'discussed',
          source: 'moscow-times-russia-north-korea', paragraph: 4,
          reported_by: 'RIA Novosti', stated_by: 'Alexander Galushka',
          modality: 'possibility'};

// --- The debt ----------------------------------------------------------------

MERGE (d:Debt {name: "North Korea's debt to Russia"})
SET d += {aliases: ['Soviet-era debt'], kind: 'sovereign debt', amount_usd: 11000000000,
          valid_to: date('2014-05-05'),
          source: 'moscow-times-russia-north-korea', paragraph: 6,
          reported_by: 'The Moscow Times', modality: 'fact'};

MERGE (d:Debt {name: "North Korea's remaining debt to Russia"})
SET d += {aliases: ['remaining debt'], kind: 'sovereign debt',
          amount_usd: 1100000000, approximate: true, valid_from: date('2014-05-05'),
          source: 'moscow-times-russia-north-korea', paragraph: 6,
          reported_by: 'The Moscow Times', modality: 'fact'};

// --- Trade -------------------------------------------------------------------

MERGE (t:TradeFigure {name: 'Russia-North Korea trade in 2013'})
SET t += {aliases: [], kind: 'trade turnover', year: 2013,
          valid_from: date('2013-01-01'), valid_to: date('2014-01-01'),
          amount_usd: 113000000, approximate: true, qualifier: 'almost',
          source: 'moscow-times-russia-north-korea', paragraph: 7,
          reported_by: 'The Moscow Times', modality: 'fact'};

// The report gives 2012 only through the growth to 2013 (GREW_FROM), not as an amount.
MERGE (t:TradeFigure {name: 'Russia-North Korea trade in 2012'})
SET t += {aliases: [], kind: 'trade turnover', year: 2012,
          valid_from: date('2012-01-01'), valid_to: date('2013-01-01'),
          source: 'moscow-times-russia-north-korea', paragraph: 7,
          reported_by: 'The Moscow Times', modality: 'fact'};

MERGE (t:Target {name: 'Russia-North Korea trade target for 2020'})
SET t += {aliases: ['$1 billion trade target'], kind: 'trade turnover',
          amount_usd: 1000000000, per: 'year', by_year: 2020, valid_to: date('2021-01-01'),
          source: 'moscow-times-russia-north-korea', paragraph: 7,
          reported_by: 'The Moscow Times', stated_by: 'Alexander Galushka',
          modality: 'intention'};
