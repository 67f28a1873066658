//! The Bolt handshake: the client's 20 bytes (the magic preamble, then four version
//! proposals) and the version the server picks.
//!
//! A proposal is four bytes `[0, range, minor, major]`: version `major.minor` and the
//! `range` minor versions below it. Skein speaks 5.0 to [`NEWEST_5`] and 4.4; a
//! proposal it cannot read (the 5.7+ "manifest" offer `0x000001FF` among them) is
//! passed over, so a client that offers a manifest and a plain range gets the range.

/// The bytes a Bolt client opens with.
pub const MAGIC: [u8; 4] = [0x60, 0x60, 0xB0, 0x17];

/// The newest Bolt 5 minor version skein speaks; 5.5 and later change the shape of
/// failures and notifications, which skein does not write yet.
pub const NEWEST_5: u8 = 4;

/// A Bolt protocol version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version {
    pub major: u8,
    pub minor: u8,
}

impl Version {
    /// What the server answers: `[0, 0, minor, major]`.
    pub fn to_bytes(self) -> [u8; 4] {
        [0, 0, self.minor, self.major]
    }

    /// Bolt 5.0 and later: element ids, UTC datetimes.
    pub fn is_5(self) -> bool {
        self.major >= 5
    }

    /// Bolt 5.1 and later: authentication moves from HELLO to LOGON.
    pub fn has_logon(self) -> bool {
        self >= Version { major: 5, minor: 1 }
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

/// Why a handshake failed.
#[derive(Debug, PartialEq, Eq)]
pub enum HandshakeError {
    /// The first four bytes are not Bolt's.
    NotBolt,
    /// None of the proposals names a version skein speaks.
    NoCommonVersion,
}

/// Picks the version for the client's 20 handshake bytes: the first proposal (the
/// client's preference order) that holds a version skein speaks, the newest in it.
pub fn negotiate(request: &[u8; 20]) -> Result<Version, HandshakeError> {
    if request[..4] != MAGIC {
        return Err(HandshakeError::NotBolt);
    }
    for proposal in request[4..].chunks_exact(4) {
        let (range, minor, major) = (proposal[1], proposal[2], proposal[3]);
        let lowest = minor.saturating_sub(range);
        let pick = match major {
            5 if lowest <= NEWEST_5 => Some(minor.min(NEWEST_5)),
            4 if lowest <= 4 && minor >= 4 => Some(4),
            _ => None,
        };
        if let Some(minor) = pick {
            return Ok(Version { major, minor });
        }
    }
    Err(HandshakeError::NoCommonVersion)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(proposals: [[u8; 4]; 4]) -> [u8; 20] {
        let mut out = [0u8; 20];
        out[..4].copy_from_slice(&MAGIC);
        for (i, p) in proposals.iter().enumerate() {
            out[4 + 4 * i..8 + 4 * i].copy_from_slice(p);
        }
        out
    }

    #[test]
    fn the_python_drivers_proposal_gets_the_newest_5_skein_speaks() {
        // neo4j 6.x: a manifest offer, 5.8 down to 5.0, 4.4 down to 4.2, 3.0.
        let proposal = request([[0, 0, 1, 0xFF], [0, 8, 8, 5], [0, 2, 4, 4], [0, 0, 0, 3]]);
        assert_eq!(
            negotiate(&proposal),
            Ok(Version {
                major: 5,
                minor: NEWEST_5
            })
        );
    }

    #[test]
    fn ranges_and_single_versions_are_read() {
        let v = |major, minor| Ok(Version { major, minor });
        assert_eq!(
            negotiate(&request([[0, 0, 2, 5], [0; 4], [0; 4], [0; 4]])),
            v(5, 2)
        );
        assert_eq!(
            negotiate(&request([[0, 0, 0, 5], [0; 4], [0; 4], [0; 4]])),
            v(5, 0)
        );
        assert_eq!(
            negotiate(&request([[0, 3, 7, 5], [0; 4], [0; 4], [0; 4]])),
            v(5, 4)
        );
        assert_eq!(
            negotiate(&request([[0, 0, 4, 4], [0; 4], [0; 4], [0; 4]])),
            v(4, 4)
        );
        assert_eq!(
            negotiate(&request([[0, 0, 3, 4], [0, 0, 0, 3], [0; 4], [0; 4]])),
            Err(HandshakeError::NoCommonVersion)
        );
        // 5.8 down to 5.6 holds nothing skein speaks; the next proposal is taken.
        assert_eq!(
            negotiate(&request([[0, 2, 8, 5], [0, 0, 4, 4], [0; 4], [0; 4]])),
            v(4, 4)
        );
    }

    #[test]
    fn other_protocols_are_refused() {
        let mut http = [0u8; 20];
        http[..4].copy_from_slice(b"GET ");
        assert_eq!(negotiate(&http), Err(HandshakeError::NotBolt));
    }
}
