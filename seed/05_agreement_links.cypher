// Who agreed to what, who each agreement is for, what it includes, where it was
// reached, and what Galushka is reported to have said about it.
// AGREED: the report says this party agreed to it; PARTY_TO: a party to it, without
// the report saying who agreed.

// --- Rubles instead of dollars ---------------------------------------------------

MATCH (a:Country {name: 'Russia'}), (b:Agreement {name: 'Trade settlement in rubles'})
MERGE (a)-[r:PARTY_TO {paragraph: 1}]->(b)
SET r += {source: 'moscow-times-russia-north-korea', reported_by: 'The Moscow Times', modality: 'fact'};

MATCH (a:Country {name: 'North Korea'}), (b:Agreement {name: 'Trade settlement in rubles'})
MERGE (a)-[r:PARTY_TO {paragraph: 1}]->(b)
SET r += {source: 'moscow-times-russia-north-korea', reported_by: 'The Moscow Times', modality: 'fact'};

MATCH (a:Event {name: 'Russia boosting ties with North Korea'}), (b:Agreement {name: 'Trade settlement in rubles'})
MERGE (a)-[r:INCLUDES {paragraph: 2}]->(b)
SET r += {source: 'moscow-times-russia-north-korea', reported_by: 'The Moscow Times', modality: 'fact'};

// --- Bank accounts ---------------------------------------------------------------

MATCH (a:Country {name: 'Russia'}), (b:Agreement {name: 'Accounts for North Korean companies in Russian banks'})
MERGE (a)-[r:AGREED {paragraph: 3}]->(b)
SET r += {source: 'moscow-times-russia-north-korea', reported_by: 'RIA Novosti', stated_by: 'Alexander Galushka', modality: 'fact'};

MATCH (a:Agreement {name: 'Accounts for North Korean companies in Russian banks'}), (b:Event {name: 'Intergovernmental commission meeting in Vladivostok'})
MERGE (a)-[r:REACHED_AT {paragraph: 3}]->(b)
SET r += {source: 'moscow-times-russia-north-korea', reported_by: 'RIA Novosti', modality: 'fact'};

MATCH (a:Agreement {name: 'Accounts for North Korean companies in Russian banks'}), (b:Group {name: 'North Korean companies'})
MERGE (a)-[r:BENEFITS {paragraph: 3}]->(b)
SET r += {source: 'moscow-times-russia-north-korea', reported_by: 'RIA Novosti', modality: 'fact'};

MATCH (a:Agreement {name: 'Accounts for North Korean companies in Russian banks'}), (b:Group {name: 'Russian banks'})
MERGE (a)-[r:CONCERNS {paragraph: 3}]->(b)
SET r += {source: 'moscow-times-russia-north-korea', reported_by: 'RIA Novosti', modality: 'fact'};

MATCH (a:Person {name: 'Alexander Galushka'}), (b:Agreement {name: 'Accounts for North Korean companies in Russian banks'})
MERGE (a)-[r:STATED {paragraph: 3}]->(b)
SET r += {claim: 'the accounts will ease and speed up trade and economic cooperation', quote: 'significantly ease and accelerate trade and economic cooperation', source: 'moscow-times-russia-north-korea', reported_by: 'RIA Novosti', stated_by: 'Alexander Galushka', modality: 'fact'};

// --- Mines -----------------------------------------------------------------------

MATCH (a:Agreement {name: 'Russian access to North Korean mines'}), (b:Group {name: 'Russian companies'})
MERGE (a)-[r:BENEFITS {paragraph: 4}]->(b)
SET r += {source: 'moscow-times-russia-north-korea', reported_by: 'RIA Novosti', stated_by: 'Alexander Galushka', modality: 'possibility'};

MATCH (a:Agreement {name: 'Russian access to North Korean mines'}), (b:Place {name: 'North Korean gold and metal mines'})
MERGE (a)-[r:CONCERNS {paragraph: 4}]->(b)
SET r += {source: 'moscow-times-russia-north-korea', reported_by: 'RIA Novosti', stated_by: 'Alexander Galushka', modality: 'possibility'};

MATCH (a:Agreement {name: 'Russian access to North Korean mines'}), (b:Project {name: 'Exploration projects in North Korean mines'})
MERGE (a)-[r:INCLUDES {paragraph: 4}]->(b)
SET r += {source: 'moscow-times-russia-north-korea', reported_by: 'RIA Novosti', stated_by: 'Alexander Galushka', modality: 'possibility'};

MATCH (a:Agreement {name: 'Russian access to North Korean mines'}), (b:Project {name: 'Extraction projects in North Korean mines'})
MERGE (a)-[r:INCLUDES {paragraph: 4}]->(b)
SET r += {source: 'moscow-times-russia-north-korea', reported_by: 'RIA Novosti', stated_by: 'Alexander Galushka', modality: 'possibility'};

MATCH (a:Project {name: 'Exploration projects in North Korean mines'}), (b:Place {name: 'North Korean gold and metal mines'})
MERGE (a)-[r:CONCERNS {paragraph: 4}]->(b)
SET r += {source: 'moscow-times-russia-north-korea', reported_by: 'RIA Novosti', stated_by: 'Alexander Galushka', modality: 'possibility'};

MATCH (a:Project {name: 'Extraction projects in North Korean mines'}), (b:Place {name: 'North Korean gold and metal mines'})
MERGE (a)-[r:CONCERNS {paragraph: 4}]->(b)
SET r += {source: 'moscow-times-russia-north-korea', reported_by: 'RIA Novosti', stated_by: 'Alexander Galushka', modality: 'possibility'};

MATCH (a:Person {name: 'Alexander Galushka'}), (b:Agreement {name: 'Russian access to North Korean mines'})
MERGE (a)-[r:STATED {paragraph: 4}]->(b)
SET r += {claim: 'Russian companies may gain access to the mines', source: 'moscow-times-russia-north-korea', reported_by: 'RIA Novosti', stated_by: 'Alexander Galushka', modality: 'fact'};

MATCH (a:Person {name: 'Alexander Galushka'}), (b:Project {name: 'Exploration projects in North Korean mines'})
MERGE (a)-[r:STATED {paragraph: 4}]->(b)
SET r += {claim: 'specific exploration projects have been discussed', source: 'moscow-times-russia-north-korea', reported_by: 'RIA Novosti', stated_by: 'Alexander Galushka', modality: 'fact'};

MATCH (a:Person {name: 'Alexander Galushka'}), (b:Project {name: 'Extraction projects in North Korean mines'})
MERGE (a)-[r:STATED {paragraph: 4}]->(b)
SET r += {claim: 'specific extraction projects have been discussed', source: 'moscow-times-russia-north-korea', reported_by: 'RIA Novosti', stated_by: 'Alexander Galushka', modality: 'fact'};

// --- Visas, Internet and mobile communications -----------------------------------

MATCH (a:Country {name: 'North Korea'}), (b:Agreement {name: 'Simplified visas for Russian businessmen'})
MERGE (a)-[r:AGREED {paragraph: 4}]->(b)
SET r += {source: 'moscow-times-russia-north-korea', reported_by: 'RIA Novosti', modality: 'fact'};

MATCH (a:Agreement {name: 'Simplified visas for Russian businessmen'}), (b:Group {name: 'Russian businessmen'})
MERGE (a)-[r:BENEFITS {paragraph: 4}]->(b)
SET r += {source: 'moscow-times-russia-north-korea', reported_by: 'RIA Novosti', modality: 'fact'};

MATCH (a:Country {name: 'North Korea'}), (b:Agreement {name: 'Internet and mobile use for Russian businessmen'})
MERGE (a)-[r:AGREED {paragraph: 4}]->(b)
SET r += {source: 'moscow-times-russia-north-korea', reported_by: 'RIA Novosti', modality: 'fact'};

MATCH (a:Agreement {name: 'Internet and mobile use for Russian businessmen'}), (b:Group {name: 'Russian businessmen'})
MERGE (a)-[r:BENEFITS {paragraph: 4}]->(b)
SET r += {source: 'moscow-times-russia-north-korea', reported_by: 'RIA Novosti', modality: 'fact'};

// --- The packet of deals ---------------------------------------------------------

MATCH (a:Country {name: 'Russia'}), (b:Agreement {name: 'Russia-North Korea packet of deals'})
MERGE (a)-[r:PARTY_TO {paragraph: 6}]->(b)
SET r += {source: 'moscow-times-russia-north-korea', reported_by: 'The Moscow Times', modality: 'fact'};

MATCH (a:Country {name: 'North Korea'}), (b:Agreement {name: 'Russia-North Korea packet of deals'})
MERGE (a)-[r:PARTY_TO {paragraph: 6}]->(b)
SET r += {source: 'moscow-times-russia-north-korea', reported_by: 'The Moscow Times', modality: 'fact'};

MATCH (a:Event {name: 'Russia boosting ties with North Korea'}), (b:Agreement {name: 'Russia-North Korea packet of deals'})
MERGE (a)-[r:INCLUDES {paragraph: 6}]->(b)
SET r += {source: 'moscow-times-russia-north-korea', reported_by: 'The Moscow Times', modality: 'fact'};

MATCH (a:Agreement {name: 'Russia-North Korea packet of deals'}), (b:Agreement {name: 'Accounts for North Korean companies in Russian banks'})
MERGE (a)-[r:INCLUDES {paragraph: 6}]->(b)
SET r += {source: 'moscow-times-russia-north-korea', reported_by: 'The Moscow Times', modality: 'fact'};

MATCH (a:Agreement {name: 'Russia-North Korea packet of deals'}), (b:Agreement {name: 'Russian access to North Korean mines'})
MERGE (a)-[r:INCLUDES {paragraph: 6}]->(b)
SET r += {source: 'moscow-times-russia-north-korea', reported_by: 'The Moscow Times', modality: 'fact'};

MATCH (a:Agreement {name: 'Russia-North Korea packet of deals'}), (b:Agreement {name: 'Simplified visas for Russian businessmen'})
MERGE (a)-[r:INCLUDES {paragraph: 6}]->(b)
SET r += {source: 'moscow-times-russia-north-korea', reported_by: 'The Moscow Times', modality: 'fact'};

MATCH (a:Agreement {name: 'Russia-North Korea packet of deals'}), (b:Agreement {name: 'Internet and mobile use for Russian businessmen'})
MERGE (a)-[r:INCLUDES {paragraph: 6}]->(b)
SET r += {source: 'moscow-times-russia-north-korea', reported_by: 'The Moscow Times', modality: 'fact'};

MATCH (a:Person {name: 'Alexander Galushka'}), (b:Agreement {name: 'Russia-North Korea packet of deals'})
MERGE (a)-[r:STATED {paragraph: 6}]->(b)
SET r += {claim: 'the deals were reached thanks to the debt write-off', source: 'moscow-times-russia-north-korea', reported_by: 'The Moscow Times', stated_by: 'Alexander Galushka', modality: 'fact'};

// --- Agreements with China -------------------------------------------------------

MATCH (a:Group {name: 'Russian officials'}), (b:Agreement {name: 'Russia-China agreements of May'})
MERGE (a)-[r:PARTY_TO {paragraph: 5}]->(b)
SET r += {act: 'signed', source: 'moscow-times-russia-north-korea', reported_by: 'The Moscow Times', modality: 'fact'};

MATCH (a:Group {name: 'Russian companies'}), (b:Agreement {name: 'Russia-China agreements of May'})
MERGE (a)-[r:PARTY_TO {paragraph: 5}]->(b)
SET r += {act: 'signed', source: 'moscow-times-russia-north-korea', reported_by: 'The Moscow Times', modality: 'fact'};

MATCH (a:Country {name: 'China'}), (b:Agreement {name: 'Russia-China agreements of May'})
MERGE (a)-[r:PARTY_TO {paragraph: 5}]->(b)
SET r += {source: 'moscow-times-russia-north-korea', reported_by: 'The Moscow Times', modality: 'fact'};

MATCH (a:Agreement {name: 'Russia-China agreements of May'}), (b:Event {name: "Putin's visit to China"})
MERGE (a)-[r:REACHED_AT {paragraph: 5}]->(b)
SET r += {source: 'moscow-times-russia-north-korea', reported_by: 'The Moscow Times', modality: 'fact'};

MATCH (a:Agreement {name: 'Russia-China agreements of May'}), (b:Agreement {name: 'Russia-China gas supply deal'})
MERGE (a)-[r:INCLUDES {paragraph: 5}]->(b)
SET r += {source: 'moscow-times-russia-north-korea', reported_by: 'The Moscow Times', modality: 'fact'};
