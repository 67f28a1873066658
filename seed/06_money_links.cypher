// The debt, its write-off and repayment; trade between Russia and North Korea and the
// 2020 target. Amounts are on the fact nodes (amount_usd); shares, growth and terms
// are on the relationships that state them.

// --- The debt and its write-off --------------------------------------------------

MATCH (a:Debt {name: "North Korea's debt to Russia"}), (b:Country {name: 'North Korea'})
MERGE (a)-[r:OWED_BY {paragraph: 6}]->(b)
SET r += {source: 'moscow-times-russia-north-korea', reported_by: 'The Moscow Times', modality: 'fact'};

MATCH (a:Debt {name: "North Korea's debt to Russia"}), (b:Country {name: 'Russia'})
MERGE (a)-[r:OWED_TO {paragraph: 6}]->(b)
SET r += {source: 'moscow-times-russia-north-korea', reported_by: 'The Moscow Times', modality: 'fact'};

MATCH (a:Debt {name: "North Korea's debt to Russia"}), (b:Period {name: 'Soviet era'})
MERGE (a)-[r:DATES_FROM {paragraph: 6}]->(b)
SET r += {extent: 'primarily', source: 'moscow-times-russia-north-korea', reported_by: 'The Moscow Times', modality: 'fact'};

MATCH (a:Event {name: 'Write-off of North Korean debt'}), (b:Debt {name: "North Korea's debt to Russia"})
MERGE (a)-[r:WROTE_OFF {paragraph: 6}]->(b)
SET r += {share: 0.9, source: 'moscow-times-russia-north-korea', reported_by: 'The Moscow Times', modality: 'fact'};

MATCH (a:Event {name: 'Write-off of North Korean debt'}), (b:Debt {name: "North Korea's remaining debt to Russia"})
MERGE (a)-[r:LEFT {paragraph: 6}]->(b)
SET r += {source: 'moscow-times-russia-north-korea', reported_by: 'The Moscow Times', modality: 'fact'};

MATCH (a:Debt {name: "North Korea's remaining debt to Russia"}), (b:Country {name: 'North Korea'})
MERGE (a)-[r:OWED_BY {paragraph: 6}]->(b)
SET r += {source: 'moscow-times-russia-north-korea', reported_by: 'The Moscow Times', modality: 'fact'};

MATCH (a:Debt {name: "North Korea's remaining debt to Russia"}), (b:Country {name: 'Russia'})
MERGE (a)-[r:OWED_TO {paragraph: 6}]->(b)
SET r += {source: 'moscow-times-russia-north-korea', reported_by: 'The Moscow Times', modality: 'fact'};

MATCH (a:Country {name: 'North Korea'}), (b:Debt {name: "North Korea's remaining debt to Russia"})
MERGE (a)-[r:REPAYS {paragraph: 6}]->(b)
SET r += {term_years: 20, source: 'moscow-times-russia-north-korea', reported_by: 'The Moscow Times', modality: 'projection'};

// --- Trade -----------------------------------------------------------------------

MATCH (a:TradeFigure {name: 'Russia-North Korea trade in 2013'}), (b:Country {name: 'Russia'})
MERGE (a)-[r:BETWEEN {paragraph: 7}]->(b)
SET r += {source: 'moscow-times-russia-north-korea', reported_by: 'The Moscow Times', modality: 'fact'};

MATCH (a:TradeFigure {name: 'Russia-North Korea trade in 2013'}), (b:Country {name: 'North Korea'})
MERGE (a)-[r:BETWEEN {paragraph: 7}]->(b)
SET r += {source: 'moscow-times-russia-north-korea', reported_by: 'The Moscow Times', modality: 'fact'};

MATCH (a:TradeFigure {name: 'Russia-North Korea trade in 2012'}), (b:Country {name: 'Russia'})
MERGE (a)-[r:BETWEEN {paragraph: 7}]->(b)
SET r += {source: 'moscow-times-russia-north-korea', reported_by: 'The Moscow Times', modality: 'fact'};

MATCH (a:TradeFigure {name: 'Russia-North Korea trade in 2012'}), (b:Country {name: 'North Korea'})
MERGE (a)-[r:BETWEEN {paragraph: 7}]->(b)
SET r += {source: 'moscow-times-russia-north-korea', reported_by: 'The Moscow Times', modality: 'fact'};

MATCH (a:TradeFigure {name: 'Russia-North Korea trade in 2013'}), (b:TradeFigure {name: 'Russia-North Korea trade in 2012'})
MERGE (a)-[r:GREW_FROM {paragraph: 7}]->(b)
SET r += {growth: 0.64, source: 'moscow-times-russia-north-korea', reported_by: 'The Moscow Times', modality: 'fact'};

// --- The 2020 target -------------------------------------------------------------

MATCH (a:Country {name: 'Russia'}), (b:Target {name: 'Russia-North Korea trade target for 2020'})
MERGE (a)-[r:AIMS_FOR {paragraph: 2}]->(b)
SET r += {source: 'moscow-times-russia-north-korea', reported_by: 'The Moscow Times', modality: 'intention'};

MATCH (a:Country {name: 'Russia'}), (b:Target {name: 'Russia-North Korea trade target for 2020'})
MERGE (a)-[r:AIMS_FOR {paragraph: 7}]->(b)
SET r += {source: 'moscow-times-russia-north-korea', reported_by: 'The Moscow Times', stated_by: 'Alexander Galushka', modality: 'intention'};

MATCH (a:Country {name: 'North Korea'}), (b:Target {name: 'Russia-North Korea trade target for 2020'})
MERGE (a)-[r:AIMS_FOR {paragraph: 7}]->(b)
SET r += {source: 'moscow-times-russia-north-korea', reported_by: 'The Moscow Times', stated_by: 'Alexander Galushka', modality: 'intention'};

MATCH (a:Event {name: 'Russia boosting ties with North Korea'}), (b:Target {name: 'Russia-North Korea trade target for 2020'})
MERGE (a)-[r:INCLUDES {paragraph: 2}]->(b)
SET r += {source: 'moscow-times-russia-north-korea', reported_by: 'The Moscow Times', modality: 'intention'};

MATCH (a:Person {name: 'Alexander Galushka'}), (b:Target {name: 'Russia-North Korea trade target for 2020'})
MERGE (a)-[r:STATED {paragraph: 7}]->(b)
SET r += {claim: 'the two countries intend to raise trade to $1 billion by 2020', source: 'moscow-times-russia-north-korea', reported_by: 'The Moscow Times', stated_by: 'Alexander Galushka', modality: 'fact'};
