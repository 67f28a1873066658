// Relationships between entities: the document and its sources, people's offices,
// which country a group belongs to, where places are, and how countries stand to
// each other. Every relationship carries its provenance (seed/README.md); MERGE on
// (endpoints, type, paragraph) keeps loading idempotent.

// --- The document ----------------------------------------------------------------

MATCH (a:Document {name: 'moscow-times-russia-north-korea'}), (b:Organisation {name: 'The Moscow Times'})
MERGE (a)-[r:PUBLISHED_BY {paragraph: 0}]->(b)
SET r += {source: 'moscow-times-russia-north-korea', reported_by: 'The Moscow Times', modality: 'fact'};

MATCH (a:Document {name: 'moscow-times-russia-north-korea'}), (b:Organisation {name: 'RIA Novosti'})
MERGE (a)-[r:CITES {paragraph: 3}]->(b)
SET r += {source: 'moscow-times-russia-north-korea', reported_by: 'The Moscow Times', modality: 'fact'};

MATCH (a:Document {name: 'moscow-times-russia-north-korea'}), (b:Organisation {name: 'RIA Novosti'})
MERGE (a)-[r:CITES {paragraph: 4}]->(b)
SET r += {source: 'moscow-times-russia-north-korea', reported_by: 'The Moscow Times', modality: 'fact'};

MATCH (a:Document {name: 'moscow-times-russia-north-korea'}), (b:Document {name: 'putin-looks-east-north-korea'})
MERGE (a)-[r:SEE_ALSO {paragraph: 0}]->(b)
SET r += {source: 'moscow-times-russia-north-korea', reported_by: 'The Moscow Times', modality: 'fact'};

// --- People and their offices ----------------------------------------------------

MATCH (a:Person {name: 'Alexander Galushka'}), (b:Country {name: 'Russia'})
MERGE (a)-[r:HOLDS_OFFICE {paragraph: 3}]->(b)
SET r += {office: 'Far East Development Minister', source: 'moscow-times-russia-north-korea', reported_by: 'RIA Novosti', modality: 'fact'};

MATCH (a:Person {name: 'Vladimir Putin'}), (b:Country {name: 'Russia'})
MERGE (a)-[r:HOLDS_OFFICE {paragraph: 5}]->(b)
SET r += {office: 'President', source: 'moscow-times-russia-north-korea', reported_by: 'The Moscow Times', modality: 'fact'};

// --- Groups and the countries they belong to -------------------------------------

MATCH (a:Group {name: 'Russian banks'}), (b:Country {name: 'Russia'})
MERGE (a)-[r:OF_COUNTRY {paragraph: 3}]->(b)
SET r += {source: 'moscow-times-russia-north-korea', reported_by: 'RIA Novosti', modality: 'fact'};

MATCH (a:Group {name: 'North Korean companies'}), (b:Country {name: 'North Korea'})
MERGE (a)-[r:OF_COUNTRY {paragraph: 3}]->(b)
SET r += {source: 'moscow-times-russia-north-korea', reported_by: 'RIA Novosti', modality: 'fact'};

MATCH (a:Group {name: 'Russian companies'}), (b:Country {name: 'Russia'})
MERGE (a)-[r:OF_COUNTRY {paragraph: 4}]->(b)
SET r += {source: 'moscow-times-russia-north-korea', reported_by: 'RIA Novosti', modality: 'fact'};

MATCH (a:Group {name: 'Russian businessmen'}), (b:Country {name: 'Russia'})
MERGE (a)-[r:OF_COUNTRY {paragraph: 4}]->(b)
SET r += {source: 'moscow-times-russia-north-korea', reported_by: 'RIA Novosti', modality: 'fact'};

MATCH (a:Group {name: 'Russian individuals'}), (b:Country {name: 'Russia'})
MERGE (a)-[r:OF_COUNTRY {paragraph: 5}]->(b)
SET r += {source: 'moscow-times-russia-north-korea', reported_by: 'The Moscow Times', modality: 'fact'};

MATCH (a:Group {name: 'Russian officials'}), (b:Country {name: 'Russia'})
MERGE (a)-[r:OF_COUNTRY {paragraph: 5}]->(b)
SET r += {source: 'moscow-times-russia-north-korea', reported_by: 'The Moscow Times', modality: 'fact'};

// --- Places ----------------------------------------------------------------------

MATCH (a:Place {name: 'North Korean gold and metal mines'}), (b:Country {name: 'North Korea'})
MERGE (a)-[r:LOCATED_IN {paragraph: 4}]->(b)
SET r += {source: 'moscow-times-russia-north-korea', reported_by: 'RIA Novosti', modality: 'fact'};

MATCH (a:Organisation {name: 'Russia-North Korea Intergovernmental Commission'}), (b:Country {name: 'Russia'})
MERGE (a)-[r:BETWEEN {paragraph: 3}]->(b)
SET r += {source: 'moscow-times-russia-north-korea', reported_by: 'RIA Novosti', modality: 'fact'};

MATCH (a:Organisation {name: 'Russia-North Korea Intergovernmental Commission'}), (b:Country {name: 'North Korea'})
MERGE (a)-[r:BETWEEN {paragraph: 3}]->(b)
SET r += {source: 'moscow-times-russia-north-korea', reported_by: 'RIA Novosti', modality: 'fact'};

// --- Countries and groups of countries -------------------------------------------

MATCH (a:Country {name: 'Russia'}), (b:CountryGroup {name: 'the West'})
MERGE (a)-[r:RELATIONS_WITH {paragraph: 2}]->(b)
SET r += {kind: 'economic', state: 'frozen', source: 'moscow-times-russia-north-korea', reported_by: 'The Moscow Times', modality: 'fact'};

MATCH (a:Country {name: 'Russia'}), (b:CountryGroup {name: 'Asian countries'})
MERGE (a)-[r:DEVELOPS_RELATIONS_WITH {paragraph: 5}]->(b)
SET r += {duration: 'years', source: 'moscow-times-russia-north-korea', reported_by: 'The Moscow Times', modality: 'fact'};

MATCH (a:Country {name: 'Russia'}), (b:Country {name: 'North Korea'})
MERGE (a)-[r:ALLIED_WITH {paragraph: 6}]->(b)
SET r += {during: 'Soviet era', context: 'behind the Iron Curtain', source: 'moscow-times-russia-north-korea', reported_by: 'The Moscow Times', modality: 'fact'};
