//! Expected values as the TCK writes them in tables, in Cypher literal notation: `null`,
//! `true`, `1`, `-1.5e3`, `NaN`, `'it\'s'`, `[1, 'a']`, `{k: 1}`, nodes `(:A:B {k: 1})`,
//! relationships `[:T {k: 1}]` and paths `<(:A)-[:T]->(:B)<-[:U]-()>`. Temporal values
//! are written as quoted ISO strings and are plain strings here.
//!
//! [`parse`] reads one cell into an [`Expected`]; [`Expected::to_value`] turns a
//! property-free literal into a `skein::Value` (for parameters and procedure tables).

use skein::{Map, Value};
use std::fmt;

/// A value in an expected-results table.
#[derive(Clone, Debug, PartialEq)]
pub enum Expected {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    String(String),
    List(Vec<Expected>),
    /// Keys in the order written; comparison ignores the order.
    Map(Vec<(String, Expected)>),
    Node(ExpectedNode),
    Relationship(ExpectedRelationship),
    Path(ExpectedPath),
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct ExpectedNode {
    pub labels: Vec<String>,
    pub properties: Vec<(String, Expected)>,
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct ExpectedRelationship {
    pub rel_type: String,
    pub properties: Vec<(String, Expected)>,
}

/// A path: a start node, then each hop's relationship, whether it points forwards
/// (`-[]->`) and the node it reaches.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ExpectedPath {
    pub start: ExpectedNode,
    pub hops: Vec<ExpectedHop>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ExpectedHop {
    pub relationship: ExpectedRelationship,
    pub forward: bool,
    pub node: ExpectedNode,
}

/// Why a cell could not be read, with the character offset.
#[derive(Clone, Debug, PartialEq)]
pub struct LiteralError {
    pub offset: usize,
    pub message: String,
}

impl fmt::Display for LiteralError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at character {}: {}", self.offset, self.message)
    }
}

/// Reads one table cell. The whole cell must be one value.
pub fn parse(text: &str) -> Result<Expected, LiteralError> {
    let mut reader = Reader {
        chars: text.chars().collect(),
        pos: 0,
    };
    let value = reader.value()?;
    reader.skip_space();
    if reader.pos < reader.chars.len() {
        return Err(reader.error("text after the value"));
    }
    Ok(value)
}

impl Expected {
    /// The `Value` this literal denotes; `None` for nodes, relationships and paths, which
    /// have no identity outside a graph.
    pub fn to_value(&self) -> Option<Value> {
        Some(match self {
            Expected::Null => Value::Null,
            Expected::Bool(b) => Value::Bool(*b),
            Expected::Int(i) => Value::Int(*i),
            Expected::Float(f) => Value::Float(*f),
            Expected::String(s) => Value::String(s.clone()),
            Expected::List(items) => Value::List(
                items
                    .iter()
                    .map(Expected::to_value)
                    .collect::<Option<Vec<_>>>()?,
            ),
            Expected::Map(entries) => {
                let mut map = Map::new();
                for (key, value) in entries {
                    map.insert(key.clone(), value.to_value()?);
                }
                Value::Map(map)
            }
            Expected::Node(_) | Expected::Relationship(_) | Expected::Path(_) => return None,
        })
    }
}

/// Renders in the TCK's notation, for failure messages.
impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expected::Null => f.write_str("null"),
            Expected::Bool(b) => write!(f, "{b}"),
            Expected::Int(i) => write!(f, "{i}"),
            Expected::Float(x) => write!(f, "{x:?}"),
            Expected::String(s) => write!(
                f,
                "'{}'",
                s.replace('\\', "\\\\")
                    .replace('\'', "\\'")
                    .replace('\n', "\\n")
            ),
            Expected::List(items) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_str("]")
            }
            Expected::Map(entries) => write_properties(f, entries),
            Expected::Node(node) => write!(f, "{node}"),
            Expected::Relationship(rel) => write!(f, "{rel}"),
            Expected::Path(path) => {
                write!(f, "<{}", path.start)?;
                for hop in &path.hops {
                    if hop.forward {
                        write!(f, "-{}->{}", hop.relationship, hop.node)?;
                    } else {
                        write!(f, "<-{}-{}", hop.relationship, hop.node)?;
                    }
                }
                f.write_str(">")
            }
        }
    }
}

impl fmt::Display for ExpectedNode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(")?;
        for label in &self.labels {
            write!(f, ":{label}")?;
        }
        if !self.properties.is_empty() {
            if !self.labels.is_empty() {
                f.write_str(" ")?;
            }
            write_properties(f, &self.properties)?;
        }
        f.write_str(")")
    }
}

impl fmt::Display for ExpectedRelationship {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[:{}", self.rel_type)?;
        if !self.properties.is_empty() {
            f.write_str(" ")?;
            write_properties(f, &self.properties)?;
        }
        f.write_str("]")
    }
}

fn write_properties(f: &mut fmt::Formatter<'_>, entries: &[(String, Expected)]) -> fmt::Result {
    f.write_str("{")?;
    for (i, (key, value)) in entries.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{key}: {value}")?;
    }
    f.write_str("}")
}

struct Reader {
    chars: Vec<char>,
    pos: usize,
}

impl Reader {
    fn error(&self, message: &str) -> LiteralError {
        LiteralError {
            offset: self.pos,
            message: message.to_string(),
        }
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn peek_at(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.pos + ahead).copied()
    }

    fn skip_space(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
    }

    /// Consumes `c` after optional whitespace, or fails saying it was expected.
    fn expect(&mut self, c: char) -> Result<(), LiteralError> {
        self.skip_space();
        if self.peek() == Some(c) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error(&format!("expected '{c}'")))
        }
    }

    /// Consumes `c` after optional whitespace when it is next.
    fn eat(&mut self, c: char) -> bool {
        self.skip_space();
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn starts_with(&self, word: &str) -> bool {
        word.chars()
            .enumerate()
            .all(|(i, c)| self.peek_at(i) == Some(c))
    }

    /// Whether `word` is next and is not the start of a longer name.
    fn keyword(&mut self, word: &str) -> bool {
        let len = word.chars().count();
        if self.starts_with(word) && !self.peek_at(len).is_some_and(is_name_char) {
            self.pos += len;
            true
        } else {
            false
        }
    }

    fn value(&mut self) -> Result<Expected, LiteralError> {
        self.skip_space();
        match self.peek() {
            None => Err(self.error("expected a value")),
            Some('\'') | Some('"') => self.string().map(Expected::String),
            Some('[') => {
                let mut ahead = self.pos + 1;
                while self.chars.get(ahead).is_some_and(|c| c.is_whitespace()) {
                    ahead += 1;
                }
                if self.chars.get(ahead) == Some(&':') {
                    self.relationship().map(Expected::Relationship)
                } else {
                    self.list()
                }
            }
            Some('{') => self.map().map(Expected::Map),
            Some('(') => self.node().map(Expected::Node),
            Some('<') => self.path().map(Expected::Path),
            Some(c) if c == '-' || c == '+' || c == '.' || c.is_ascii_digit() => self.number(),
            Some(_) => {
                if self.keyword("null") {
                    Ok(Expected::Null)
                } else if self.keyword("true") {
                    Ok(Expected::Bool(true))
                } else if self.keyword("false") {
                    Ok(Expected::Bool(false))
                } else if self.keyword("NaN") {
                    Ok(Expected::Float(f64::NAN))
                } else if self.keyword("Infinity") || self.keyword("Inf") {
                    Ok(Expected::Float(f64::INFINITY))
                } else {
                    Err(self.error("expected a value"))
                }
            }
        }
    }

    fn number(&mut self) -> Result<Expected, LiteralError> {
        let start = self.pos;
        let negative = match self.peek() {
            Some('-') => {
                self.pos += 1;
                true
            }
            Some('+') => {
                self.pos += 1;
                false
            }
            _ => false,
        };
        if self.keyword("Infinity") || self.keyword("Inf") {
            let inf = if negative {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            };
            return Ok(Expected::Float(inf));
        }
        if self.keyword("NaN") {
            return Ok(Expected::Float(f64::NAN));
        }
        let mut is_float = false;
        while let Some(c) = self.peek() {
            match c {
                '0'..='9' => {}
                '.' if self.peek_at(1).is_some_and(|d| d.is_ascii_digit()) => is_float = true,
                'e' | 'E' => {
                    is_float = true;
                    if matches!(self.peek_at(1), Some('+') | Some('-')) {
                        self.pos += 1;
                    }
                }
                _ => break,
            }
            self.pos += 1;
        }
        let text: String = self
            .chars
            .get(start..self.pos)
            .map(|s| s.iter().collect())
            .unwrap_or_default();
        if is_float {
            text.parse::<f64>()
                .map(Expected::Float)
                .map_err(|_| self.error(&format!("'{text}' is not a number")))
        } else {
            text.parse::<i64>()
                .map(Expected::Int)
                .map_err(|_| self.error(&format!("'{text}' is not an integer")))
        }
    }

    /// A quoted string with Cypher's backslash escapes.
    fn string(&mut self) -> Result<String, LiteralError> {
        let Some(quote) = self.peek() else {
            return Err(self.error("expected a string"));
        };
        self.pos += 1;
        let mut out = String::new();
        loop {
            let Some(c) = self.peek() else {
                return Err(self.error("a string that is never closed"));
            };
            self.pos += 1;
            if c == quote {
                return Ok(out);
            }
            if c != '\\' {
                out.push(c);
                continue;
            }
            let Some(escaped) = self.peek() else {
                return Err(self.error("a backslash at the end of the text"));
            };
            self.pos += 1;
            match escaped {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                'r' => out.push('\r'),
                'b' => out.push('\u{8}'),
                'f' => out.push('\u{c}'),
                'u' | 'U' => {
                    let digits = if escaped == 'u' { 4 } else { 8 };
                    let hex: String = (0..digits).filter_map(|i| self.peek_at(i)).collect();
                    let decoded = u32::from_str_radix(&hex, 16)
                        .ok()
                        .filter(|_| hex.len() == digits)
                        .and_then(char::from_u32)
                        .ok_or_else(|| self.error("a bad unicode escape"))?;
                    self.pos += digits;
                    out.push(decoded);
                }
                // `\\`, `\'`, `\"` and any other escaped character stand for themselves.
                other => out.push(other),
            }
        }
    }

    /// A label, type or key name: letters, digits, `_`, `$`, or a backquoted name.
    fn name(&mut self) -> Result<String, LiteralError> {
        self.skip_space();
        if self.peek() == Some('`') {
            self.pos += 1;
            let mut out = String::new();
            loop {
                match self.peek() {
                    None => return Err(self.error("a quoted name that is never closed")),
                    Some('`') if self.peek_at(1) == Some('`') => {
                        out.push('`');
                        self.pos += 2;
                    }
                    Some('`') => {
                        self.pos += 1;
                        return Ok(out);
                    }
                    Some(c) => {
                        out.push(c);
                        self.pos += 1;
                    }
                }
            }
        }
        if self.peek() == Some('\'') || self.peek() == Some('"') {
            return self.string();
        }
        let start = self.pos;
        while self.peek().is_some_and(is_name_char) {
            self.pos += 1;
        }
        if start == self.pos {
            return Err(self.error("expected a name"));
        }
        Ok(self
            .chars
            .get(start..self.pos)
            .map(|s| s.iter().collect())
            .unwrap_or_default())
    }

    fn list(&mut self) -> Result<Expected, LiteralError> {
        self.expect('[')?;
        let mut items = Vec::new();
        if self.eat(']') {
            return Ok(Expected::List(items));
        }
        loop {
            items.push(self.value()?);
            if self.eat(']') {
                return Ok(Expected::List(items));
            }
            self.expect(',')?;
        }
    }

    fn map(&mut self) -> Result<Vec<(String, Expected)>, LiteralError> {
        self.expect('{')?;
        let mut entries = Vec::new();
        if self.eat('}') {
            return Ok(entries);
        }
        loop {
            let key = self.name()?;
            self.expect(':')?;
            let value = self.value()?;
            entries.push((key, value));
            if self.eat('}') {
                return Ok(entries);
            }
            self.expect(',')?;
        }
    }

    fn node(&mut self) -> Result<ExpectedNode, LiteralError> {
        self.expect('(')?;
        let mut node = ExpectedNode::default();
        while self.eat(':') {
            node.labels.push(self.name()?);
        }
        self.skip_space();
        if self.peek() == Some('{') {
            node.properties = self.map()?;
        }
        self.expect(')')?;
        Ok(node)
    }

    fn relationship(&mut self) -> Result<ExpectedRelationship, LiteralError> {
        self.expect('[')?;
        self.expect(':')?;
        let rel_type = self.name()?;
        self.skip_space();
        let properties = if self.peek() == Some('{') {
            self.map()?
        } else {
            Vec::new()
        };
        self.expect(']')?;
        Ok(ExpectedRelationship {
            rel_type,
            properties,
        })
    }

    fn path(&mut self) -> Result<ExpectedPath, LiteralError> {
        self.expect('<')?;
        let start = self.node()?;
        let mut hops = Vec::new();
        loop {
            self.skip_space();
            if self.eat('>') {
                return Ok(ExpectedPath { start, hops });
            }
            let backward = self.eat('<');
            self.expect('-')?;
            let relationship = self.relationship()?;
            self.expect('-')?;
            let forward = !backward && self.eat('>');
            if !backward && !forward {
                return Err(self.error("expected '->' after a relationship in a path"));
            }
            let node = self.node()?;
            hops.push(ExpectedHop {
                relationship,
                forward,
                node,
            });
        }
    }
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$'
}

/// Checks of this module, run by the TCK runner before the scenarios.
pub mod selftest {
    use super::*;

    /// Every check in this module, by name.
    pub const TESTS: &[(&str, fn())] = &[
        ("literal::scalars", scalars),
        ("literal::strings_with_escapes", strings_with_escapes),
        ("literal::lists_and_maps_nest", lists_and_maps_nest),
        (
            "literal::nodes_relationships_and_paths",
            nodes_relationships_and_paths,
        ),
        ("literal::rendering_round_trips", rendering_round_trips),
        (
            "literal::malformed_cells_are_errors",
            malformed_cells_are_errors,
        ),
        (
            "literal::to_value_builds_parameters",
            to_value_builds_parameters,
        ),
    ];

    fn read(text: &str) -> Expected {
        parse(text).expect("the literal parses")
    }

    fn props(entries: &[(&str, Expected)]) -> Vec<(String, Expected)> {
        entries
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    fn scalars() {
        assert_eq!(read("null"), Expected::Null);
        assert_eq!(read(" true "), Expected::Bool(true));
        assert_eq!(read("false"), Expected::Bool(false));
        assert_eq!(read("-42"), Expected::Int(-42));
        assert_eq!(read("1.0"), Expected::Float(1.0));
        assert_eq!(read("-1e3"), Expected::Float(-1000.0));
        assert_eq!(read(".5"), Expected::Float(0.5));
        assert_eq!(
            read("3985764.3405892686"),
            Expected::Float(3985764.3405892686)
        );
        assert_eq!(read("-Inf"), Expected::Float(f64::NEG_INFINITY));
        assert!(matches!(read("NaN"), Expected::Float(x) if x.is_nan()));
        assert_eq!(read("-9223372036854775808"), Expected::Int(i64::MIN));
    }

    fn strings_with_escapes() {
        assert_eq!(read("''"), Expected::String(String::new()));
        assert_eq!(read(r"'\''"), Expected::String("'".into()));
        assert_eq!(
            read(r#"'a\\bcn5t\'"\\//\\"\''"#),
            Expected::String(r#"a\bcn5t'"\//\"'"#.into())
        );
        assert_eq!(read("'\nFoo\n'"), Expected::String("\nFoo\n".into()));
        assert_eq!(read(r"'\u00e9'"), Expected::String("é".into()));
        assert_eq!(
            read("'2015-07-21T21:40:32.142+01:00'"),
            Expected::String("2015-07-21T21:40:32.142+01:00".into())
        );
    }

    fn lists_and_maps_nest() {
        assert_eq!(
            read("[1, [], {a: 'x', `b c`: [null]}]"),
            Expected::List(vec![
                Expected::Int(1),
                Expected::List(vec![]),
                Expected::Map(props(&[
                    ("a", Expected::String("x".into())),
                    ("b c", Expected::List(vec![Expected::Null])),
                ])),
            ])
        );
        assert_eq!(read("{}"), Expected::Map(vec![]));
        let deep = format!("{}1{}", "[".repeat(40), "]".repeat(40));
        assert!(matches!(read(&deep), Expected::List(_)));
    }

    fn nodes_relationships_and_paths() {
        assert_eq!(read("()"), Expected::Node(ExpectedNode::default()));
        assert_eq!(
            read("(:A:B {name: 'a', n: 1})"),
            Expected::Node(ExpectedNode {
                labels: vec!["A".into(), "B".into()],
                properties: props(&[
                    ("name", Expected::String("a".into())),
                    ("n", Expected::Int(1))
                ]),
            })
        );
        assert_eq!(
            read("({id: 0})"),
            Expected::Node(ExpectedNode {
                labels: vec![],
                properties: props(&[("id", Expected::Int(0))]),
            })
        );
        assert_eq!(
            read("[:T {k: 2}]"),
            Expected::Relationship(ExpectedRelationship {
                rel_type: "T".into(),
                properties: props(&[("k", Expected::Int(2))]),
            })
        );
        let Expected::Path(path) = read("<(:A)-[:T]->(:B)<-[:U {x: 1}]-()>") else {
            panic!("expected a path");
        };
        assert_eq!(path.start.labels, vec!["A"]);
        assert_eq!(path.hops.len(), 2);
        assert!(path.hops[0].forward);
        assert!(!path.hops[1].forward);
        assert_eq!(path.hops[1].relationship.rel_type, "U");
        assert_eq!(read("<()>"), Expected::Path(ExpectedPath::default()));
    }

    fn rendering_round_trips() {
        for text in [
            "null",
            "[1, 2.5, 'a\\'b']",
            "{a: [true], b: {}}",
            "(:A:B {k: 1})",
            "[:T {k: 'v'}]",
            "<(:A)-[:T]->()<-[:U]-(:B)>",
        ] {
            assert_eq!(read(text).to_string(), text);
        }
    }

    fn malformed_cells_are_errors() {
        for text in [
            "",
            "[1, 2",
            "{a 1}",
            "'open",
            "(:A",
            "1 2",
            "<(:A)-[:T]-(:B)>",
            "nope",
        ] {
            assert!(parse(text).is_err(), "{text:?} should not parse");
        }
    }

    fn to_value_builds_parameters() {
        let value = read("{name: 'Alice', tags: [1, 2.0, null]}")
            .to_value()
            .expect("a map is a value");
        let Value::Map(map) = value else {
            panic!("expected a map");
        };
        assert!(matches!(map.get("name"), Some(Value::String(s)) if s == "Alice"));
        assert!(matches!(map.get("tags"), Some(Value::List(items)) if items.len() == 3));
        assert!(read("(:A)").to_value().is_none());
    }
}
