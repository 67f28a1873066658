// Entities of the report: documents, countries, groups of countries, people,
// organisations, collective actors, places and periods.
// Every entity is keyed by `name`; `aliases` lists the other names it goes by.
// MERGE on the key, then SET the rest, so loading this file twice changes nothing.
// Schema and provenance convention: seed/README.md.

// --- Documents ---------------------------------------------------------------

MERGE (d:Document {name: 'moscow-times-russia-north-korea'})
SET d += {aliases: [], kind: 'news report',
          title: 'Russia Boosts Ties With North Korea as Western Partners Recoil',
          publisher: 'The Moscow Times', year: 2014,
          file: 'moscow-times-russia-north-korea.txt', paragraph_count: 7};

MERGE (d:Document {name: 'putin-looks-east-north-korea'})
SET d += {aliases: [], kind: 'news report',
          title: 'Putin Looks East to Bolster Ties With North Korea'};

// --- Countries and groups of countries ---------------------------------------

MERGE (c:Country {name: 'Russia'})
SET c += {aliases: ['Russian Federation'], kind: 'country'};

MERGE (c:Country {name: 'North Korea'})
SET c += {aliases: ['DPRK', "Democratic People's Republic of Korea"], kind: 'country'};

MERGE (c:Country {name: 'China'})
SET c += {aliases: ['PRC', "People's Republic of China"], kind: 'country'};

MERGE (c:Country {name: 'Ukraine'})
SET c += {aliases: [], kind: 'country'};

MERGE (g:CountryGroup {name: 'the West'})
SET g += {aliases: ['Western countries', 'Western partners'], kind: 'group of countries'};

MERGE (g:CountryGroup {name: 'Asian countries'})
SET g += {aliases: ['Asia'], kind: 'group of countries'};

// --- People ------------------------------------------------------------------

MERGE (p:Person {name: 'Alexander Galushka'})
SET p += {aliases: ['Galushka', 'Aleksandr Galushka'], kind: 'person'};

MERGE (p:Person {name: 'Vladimir Putin'})
SET p += {aliases: ['Putin', 'President Putin'], kind: 'person'};

// --- Organisations -----------------------------------------------------------

MERGE (o:Organisation {name: 'RIA Novosti'})
SET o += {aliases: ['RIA'], kind: 'news agency'};

MERGE (o:Organisation {name: 'The Moscow Times'})
SET o += {aliases: ['Moscow Times'], kind: 'newspaper'};

MERGE (o:Organisation {name: 'Russia-North Korea Intergovernmental Commission'})
SET o += {aliases: ['intergovernmental commission'], kind: 'intergovernmental commission'};

// --- Collective actors (groups the report names without naming members) -------

MERGE (g:Group {name: 'Russian banks'})
SET g += {aliases: [], kind: 'banks'};

MERGE (g:Group {name: 'North Korean companies'})
SET g += {aliases: [], kind: 'companies'};

MERGE (g:Group {name: 'Russian companies'})
SET g += {aliases: [], kind: 'companies'};

MERGE (g:Group {name: 'Russian businessmen'})
SET g += {aliases: ['Russian businesspeople'], kind: 'businesspeople'};

MERGE (g:Group {name: 'Russian individuals'})
SET g += {aliases: [], kind: 'individuals'};

MERGE (g:Group {name: 'Russian officials'})
SET g += {aliases: [], kind: 'officials'};

// --- Places and periods ------------------------------------------------------

MERGE (p:Place {name: 'Vladivostok'})
SET p += {aliases: [], kind: 'city'};

MERGE (p:Place {name: 'Crimean peninsula'})
SET p += {aliases: ['Crimea'], kind: 'peninsula'};

MERGE (p:Place {name: 'North Korean gold and metal mines'})
SET p += {aliases: ['North Korean mines'], kind: 'mines', minerals: ['gold', 'metal']};

MERGE (p:Period {name: 'Soviet era'})
SET p += {aliases: ['Soviet period'], kind: 'period'};
