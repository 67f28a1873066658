// Who carried out each event, where it happened, and which event led to which.
// LED_TO is the one causal relationship: its `relation` says how, in a few words.

// --- Crimea and the sanctions ----------------------------------------------------

MATCH (a:Country {name: 'Russia'}), (b:Event {name: 'Annexation of Crimea'})
MERGE (a)-[r:CARRIED_OUT {paragraph: 5}]->(b)
SET r += {source: 'moscow-times-russia-north-korea', reported_by: 'The Moscow Times', modality: 'fact'};

MATCH (a:Event {name: 'Annexation of Crimea'}), (b:Place {name: 'Crimean peninsula'})
MERGE (a)-[r:OF_TERRITORY {paragraph: 5}]->(b)
SET r += {source: 'moscow-times-russia-north-korea', reported_by: 'The Moscow Times', modality: 'fact'};

MATCH (a:Event {name: 'Annexation of Crimea'}), (b:Country {name: 'Ukraine'})
MERGE (a)-[r:TAKEN_FROM {paragraph: 5}]->(b)
SET r += {source: 'moscow-times-russia-north-korea', reported_by: 'The Moscow Times', modality: 'fact'};

MATCH (a:CountryGroup {name: 'the West'}), (b:Event {name: 'Western sanctions against Russia'})
MERGE (a)-[r:CARRIED_OUT {paragraph: 5}]->(b)
SET r += {source: 'moscow-times-russia-north-korea', reported_by: 'The Moscow Times', modality: 'fact'};

MATCH (a:Event {name: 'Western sanctions against Russia'}), (b:Group {name: 'Russian individuals'})
MERGE (a)-[r:TARGETED {paragraph: 5}]->(b)
SET r += {source: 'moscow-times-russia-north-korea', reported_by: 'The Moscow Times', modality: 'fact'};

MATCH (a:Event {name: 'Western sanctions against Russia'}), (b:Group {name: 'Russian companies'})
MERGE (a)-[r:TARGETED {paragraph: 5}]->(b)
SET r += {source: 'moscow-times-russia-north-korea', reported_by: 'The Moscow Times', modality: 'fact'};

MATCH (a:Event {name: 'Annexation of Crimea'}), (b:Event {name: 'Western sanctions against Russia'})
MERGE (a)-[r:LED_TO {paragraph: 5}]->(b)
SET r += {relation: 'sanctions imposed in response', source: 'moscow-times-russia-north-korea', reported_by: 'The Moscow Times', modality: 'fact'};

// --- Looking for new allies ------------------------------------------------------

MATCH (a:Country {name: 'Russia'}), (b:Event {name: "Russia's search for new allies"})
MERGE (a)-[r:CARRIED_OUT {paragraph: 5}]->(b)
SET r += {source: 'moscow-times-russia-north-korea', reported_by: 'The Moscow Times', modality: 'fact'};

MATCH (a:Event {name: 'Western sanctions against Russia'}), (b:Event {name: "Russia's search for new allies"})
MERGE (a)-[r:LED_TO {paragraph: 5}]->(b)
SET r += {relation: 'made finding new allies urgent', source: 'moscow-times-russia-north-korea', reported_by: 'The Moscow Times', modality: 'fact'};

MATCH (a:Event {name: "Russia's search for new allies"}), (b:Agreement {name: 'Russia-China agreements of May'})
MERGE (a)-[r:LED_TO {paragraph: 5}]->(b)
SET r += {relation: 'agreements with China', source: 'moscow-times-russia-north-korea', reported_by: 'The Moscow Times', modality: 'assessment'};

MATCH (a:Event {name: "Russia's search for new allies"}), (b:Event {name: 'Russia boosting ties with North Korea'})
MERGE (a)-[r:LED_TO {paragraph: 5}]->(b)
SET r += {relation: 'North Korea next after China', source: 'moscow-times-russia-north-korea', reported_by: 'The Moscow Times', modality: 'assessment'};

MATCH (a:Person {name: 'Vladimir Putin'}), (b:Event {name: "Putin's visit to China"})
MERGE (a)-[r:CARRIED_OUT {paragraph: 5}]->(b)
SET r += {source: 'moscow-times-russia-north-korea', reported_by: 'The Moscow Times', modality: 'fact'};

MATCH (a:Event {name: "Putin's visit to China"}), (b:Country {name: 'China'})
MERGE (a)-[r:HELD_IN {paragraph: 5}]->(b)
SET r += {source: 'moscow-times-russia-north-korea', reported_by: 'The Moscow Times', modality: 'fact'};

MATCH (a:Country {name: 'Russia'}), (b:Event {name: 'Russia boosting ties with North Korea'})
MERGE (a)-[r:CARRIED_OUT {paragraph: 2}]->(b)
SET r += {source: 'moscow-times-russia-north-korea', reported_by: 'The Moscow Times', modality: 'fact'};

MATCH (a:Event {name: 'Russia boosting ties with North Korea'}), (b:Country {name: 'North Korea'})
MERGE (a)-[r:INVOLVES {paragraph: 2}]->(b)
SET r += {source: 'moscow-times-russia-north-korea', reported_by: 'The Moscow Times', modality: 'fact'};

// --- The commission meeting ------------------------------------------------------

MATCH (a:Organisation {name: 'Russia-North Korea Intergovernmental Commission'}), (b:Event {name: 'Intergovernmental commission meeting in Vladivostok'})
MERGE (a)-[r:HELD {paragraph: 3}]->(b)
SET r += {source: 'moscow-times-russia-north-korea', reported_by: 'RIA Novosti', modality: 'fact'};

MATCH (a:Event {name: 'Intergovernmental commission meeting in Vladivostok'}), (b:Place {name: 'Vladivostok'})
MERGE (a)-[r:HELD_IN {paragraph: 3}]->(b)
SET r += {source: 'moscow-times-russia-north-korea', reported_by: 'RIA Novosti', modality: 'fact'};

// --- The debt write-off ----------------------------------------------------------

MATCH (a:Person {name: 'Vladimir Putin'}), (b:Event {name: 'Write-off of North Korean debt'})
MERGE (a)-[r:CARRIED_OUT {paragraph: 6}]->(b)
SET r += {source: 'moscow-times-russia-north-korea', reported_by: 'The Moscow Times', modality: 'fact'};

MATCH (a:Country {name: 'Russia'}), (b:Event {name: 'Write-off of North Korean debt'})
MERGE (a)-[r:CARRIED_OUT {paragraph: 6}]->(b)
SET r += {source: 'moscow-times-russia-north-korea', reported_by: 'The Moscow Times', stated_by: 'Alexander Galushka', modality: 'fact'};

MATCH (a:Event {name: 'Write-off of North Korean debt'}), (b:Agreement {name: 'Russia-North Korea packet of deals'})
MERGE (a)-[r:LED_TO {paragraph: 6}]->(b)
SET r += {relation: 'deals reached thanks to the write-off', source: 'moscow-times-russia-north-korea', reported_by: 'The Moscow Times', stated_by: 'Alexander Galushka', modality: 'fact'};
