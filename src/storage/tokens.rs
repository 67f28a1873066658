//! Interning of label, relationship-type and property-key names to small integer tokens.
//! Tokens of each kind count up from 0, so a token is also the index of its name.

use super::keys::{Token, TokenKind};
// foldhash: every property read looks its key up by name.
use foldhash::HashMap;
use std::sync::Arc;

/// The committed names of one store (shared, read-only, replaced on commit).
#[derive(Clone, Debug, Default)]
pub struct Tokens {
    by_name: [HashMap<String, Token>; 3],
    names: [Vec<Arc<str>>; 3],
}

impl Tokens {
    pub fn get(&self, kind: TokenKind, name: &str) -> Option<Token> {
        self.by_name[kind as usize].get(name).copied()
    }

    pub fn name(&self, kind: TokenKind, token: Token) -> Option<&str> {
        self.names[kind as usize].get(token as usize).map(|n| &**n)
    }

    /// The shared name of `token`: cloning it copies no text.
    pub fn shared_name(&self, kind: TokenKind, token: Token) -> Option<Arc<str>> {
        self.names[kind as usize].get(token as usize).cloned()
    }

    pub fn len(&self, kind: TokenKind) -> usize {
        self.names[kind as usize].len()
    }

    pub fn names(&self, kind: TokenKind) -> &[Arc<str>] {
        &self.names[kind as usize]
    }

    /// Records `name` as `token`; tokens arrive in order, so a gap means a damaged store.
    pub fn insert(&mut self, kind: TokenKind, name: String, token: Token) -> bool {
        let names = &mut self.names[kind as usize];
        if token as usize != names.len() {
            return false;
        }
        names.push(Arc::from(name.as_str()));
        self.by_name[kind as usize].insert(name, token);
        true
    }
}
