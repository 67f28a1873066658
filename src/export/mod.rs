//! Writers of the graph (or a query's subgraph) as DOT, GraphML, JSON and Cypher.
