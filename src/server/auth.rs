//! Who may connect: the one user and password the server checks ([`Credentials`], from
//! an auth file or `SKEIN_PASSWORD`), the auth-file line format, and the limit on failed
//! logins per client address ([`LoginLimiter`]).
//!
//! An auth file holds one line `USER:pbkdf2-sha256:ROUNDS:SALT_HEX:HASH_HEX` (as
//! `skein hash-password` prints it). A password is checked by deriving its hash and
//! comparing in constant time; the user name is compared the same way, and the hash is
//! derived even when the name is wrong, so timing tells nothing of either.

use pbkdf2::pbkdf2_hmac;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use subtle::ConstantTimeEq;

/// PBKDF2 rounds for new hashes: about 50 ms per check on a 2020s core, which a login
/// can afford and a guesser cannot.
pub const DEFAULT_ROUNDS: u32 = 200_000;
const SCHEME: &str = "pbkdf2-sha256";

/// How a password is checked.
#[derive(Clone, Debug)]
enum Verifier {
    Pbkdf2 {
        rounds: u32,
        salt: Vec<u8>,
        hash: [u8; 32],
    },
    /// `SKEIN_PASSWORD`: the password lives in the environment; its SHA-256 is kept.
    Sha256([u8; 32]),
}

/// The user and password the server accepts.
#[derive(Clone, Debug)]
pub struct Credentials {
    user: String,
    verifier: Verifier,
}

impl Credentials {
    /// From an environment password (`SKEIN_PASSWORD`).
    pub fn from_password(user: &str, password: &str) -> Credentials {
        Credentials {
            user: user.to_string(),
            verifier: Verifier::Sha256(Sha256::digest(password.as_bytes()).into()),
        }
    }

    /// From the text of an auth file.
    pub fn parse_auth_file(text: &str) -> Result<Credentials, String> {
        let line = text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with('#'))
            .ok_or("the auth file holds no line USER:pbkdf2-sha256:ROUNDS:SALT:HASH")?;
        let parts: Vec<&str> = line.split(':').collect();
        let [user, scheme, rounds, salt, hash] = parts[..] else {
            return Err(format!(
                "the auth file's line has {} fields; expected USER:pbkdf2-sha256:ROUNDS:SALT:HASH (see skein hash-password)",
                parts.len()
            ));
        };
        if user.is_empty() {
            return Err("the auth file names no user".to_string());
        }
        if scheme != SCHEME {
            return Err(format!(
                "the auth file's hash is '{scheme}'; skein reads {SCHEME}"
            ));
        }
        let rounds: u32 = rounds.parse().ok().filter(|&r| r > 0).ok_or_else(|| {
            format!("the auth file's rounds '{rounds}' are not a positive number")
        })?;
        let salt = from_hex(salt).ok_or("the auth file's salt is not hex")?;
        let hash: [u8; 32] = from_hex(hash)
            .and_then(|h| h.try_into().ok())
            .ok_or("the auth file's hash is not 64 hex digits")?;
        Ok(Credentials {
            user: user.to_string(),
            verifier: Verifier::Pbkdf2 { rounds, salt, hash },
        })
    }

    /// Whether `user` and `password` are the ones, in time that depends on neither.
    pub fn check(&self, user: &str, password: &str) -> bool {
        let user_matches =
            Sha256::digest(user.as_bytes()).ct_eq(&Sha256::digest(self.user.as_bytes()));
        let password_matches = match &self.verifier {
            Verifier::Pbkdf2 { rounds, salt, hash } => derive(password, salt, *rounds).ct_eq(hash),
            Verifier::Sha256(hash) => {
                let given: [u8; 32] = Sha256::digest(password.as_bytes()).into();
                given.ct_eq(hash)
            }
        };
        bool::from(user_matches & password_matches)
    }
}

fn derive(password: &str, salt: &[u8], rounds: u32) -> [u8; 32] {
    let mut out = [0u8; 32];
    pbkdf2_hmac::<Sha256>(password.as_bytes(), salt, rounds, &mut out);
    out
}

/// The auth-file line for `user` and `password`, with a fresh 16-byte salt.
pub fn auth_file_line(user: &str, password: &str, salt: &[u8]) -> Result<String, String> {
    if user.is_empty() || user.contains(':') || user.contains(char::is_whitespace) {
        return Err(format!(
            "'{user}' cannot be a user name: it must be non-empty, without ':' or spaces"
        ));
    }
    let hash = derive(password, salt, DEFAULT_ROUNDS);
    Ok(format!(
        "{user}:{SCHEME}:{DEFAULT_ROUNDS}:{}:{}",
        to_hex(salt),
        to_hex(&hash)
    ))
}

/// Random bytes for a salt, from the operating system.
pub fn random_salt() -> Result<[u8; 16], String> {
    use std::io::Read;
    let mut salt = [0u8; 16];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut salt))
        .map_err(|e| format!("cannot read random bytes for a salt from /dev/urandom: {e}"))?;
    Ok(salt)
}

fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn from_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| {
            text.get(i..i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        })
        .collect()
}

/// Failed logins allowed per client address in one window.
pub const FAILURES_PER_WINDOW: u32 = 5;
pub const FAILURE_WINDOW: Duration = Duration::from_secs(60);

/// Counts failed logins per client address: past [`FAILURES_PER_WINDOW`] in
/// [`FAILURE_WINDOW`], that address's logins are refused unchecked until the window ends.
#[derive(Default)]
pub struct LoginLimiter {
    failures: Mutex<HashMap<IpAddr, (u32, Instant)>>,
}

impl LoginLimiter {
    /// `Err(seconds to wait)` while `ip` is over its limit.
    pub fn admit(&self, ip: IpAddr) -> Result<(), u64> {
        let failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        match failures.get(&ip) {
            Some(&(count, since))
                if count >= FAILURES_PER_WINDOW && since.elapsed() < FAILURE_WINDOW =>
            {
                Err((FAILURE_WINDOW - since.elapsed()).as_secs() + 1)
            }
            _ => Ok(()),
        }
    }

    pub fn record_failure(&self, ip: IpAddr) {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        failures.retain(|_, (_, since)| since.elapsed() < FAILURE_WINDOW);
        let entry = failures.entry(ip).or_insert((0, Instant::now()));
        entry.0 += 1;
    }

    pub fn record_success(&self, ip: IpAddr) {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        failures.remove(&ip);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_auth_file_line_checks_its_password_only() {
        let line = auth_file_line("ada", "s3cret", &[7; 16]).unwrap_or_default();
        let credentials = Credentials::parse_auth_file(&format!("# skein\n{line}\n"));
        let Ok(credentials) = credentials else {
            panic!("{credentials:?}");
        };
        assert!(credentials.check("ada", "s3cret"));
        assert!(!credentials.check("ada", "s3cret "));
        assert!(!credentials.check("bob", "s3cret"));
    }

    #[test]
    fn malformed_auth_files_are_explained() {
        for text in [
            "",
            "ada:plain:x",
            "ada:pbkdf2-sha256:0:00:00",
            "ada:pbkdf2-sha256:1:zz:00",
        ] {
            assert!(Credentials::parse_auth_file(text).is_err(), "{text}");
        }
    }

    #[test]
    fn an_environment_password_is_checked() {
        let credentials = Credentials::from_password("neo4j", "pw");
        assert!(credentials.check("neo4j", "pw"));
        assert!(!credentials.check("neo4j", "pW"));
    }

    #[test]
    fn too_many_failures_lock_an_address_out() {
        let limiter = LoginLimiter::default();
        let ip: IpAddr = [127, 0, 0, 1].into();
        for _ in 0..FAILURES_PER_WINDOW {
            assert!(limiter.admit(ip).is_ok());
            limiter.record_failure(ip);
        }
        assert!(limiter.admit(ip).is_err());
        assert!(limiter.admit([127, 0, 0, 2].into()).is_ok());
    }
}
