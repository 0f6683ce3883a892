//! Entity ids (spec state.md §1.7): the server id every device-state announcement carries, so
//! several servers can share state. Written as Asterisk writes it: six lowercase hex bytes
//! separated by colons (`aa:bb:cc:dd:ee:ff`).

use std::fmt;
use std::str::FromStr;

/// One server's id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Eid(pub [u8; 6]);

impl fmt::Display for Eid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = self.0;
        write!(
            f,
            "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
            b[0], b[1], b[2], b[3], b[4], b[5]
        )
    }
}

/// Why a text is not an EID.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("expected six hex bytes separated by `:` (aa:bb:cc:dd:ee:ff), found `{0}`")]
pub struct EidError(pub String);

impl FromStr for Eid {
    type Err = EidError;

    /// Six hex bytes of one or two digits separated by `:`.
    fn from_str(text: &str) -> Result<Eid, EidError> {
        let err = || EidError(text.to_string());
        let mut out = [0u8; 6];
        let mut parts = text.trim().split(':');
        for byte in &mut out {
            let part = parts.next().ok_or_else(err)?;
            if part.is_empty() || part.len() > 2 {
                return Err(err());
            }
            *byte = u8::from_str_radix(part, 16).map_err(|_| err())?;
        }
        if parts.next().is_some() {
            return Err(err());
        }
        Ok(Eid(out))
    }
}

impl Eid {
    /// A random id with the locally administered bit set (no real MAC address collides).
    pub fn random() -> Eid {
        let bytes = uuid::Uuid::new_v4().into_bytes();
        let mut out = [0u8; 6];
        out.copy_from_slice(&bytes[..6]);
        out[0] = (out[0] | 0x02) & 0xfe;
        Eid(out)
    }
}

#[cfg(test)]
mod tests {
    use super::Eid;

    #[test]
    fn eids_print_and_parse_as_asterisk_writes_them() {
        let eid: Eid = "aa:bb:cc:dd:ee:f".parse().expect("eid");
        assert_eq!(eid.to_string(), "aa:bb:cc:dd:ee:0f");
        assert_eq!(
            "AA:00:01:02:03:04".parse::<Eid>().expect("eid").to_string(),
            "aa:00:01:02:03:04"
        );
        for bad in [
            "",
            "aa:bb",
            "aa:bb:cc:dd:ee:ff:00",
            "aa:bb:cc:dd:ee:fff",
            "zz:bb:cc:dd:ee:ff",
        ] {
            assert!(bad.parse::<Eid>().is_err(), "{bad}");
        }
        let random = Eid::random();
        assert_eq!(random.0[0] & 0x03, 0x02);
        assert_eq!(random.to_string().parse::<Eid>(), Ok(random));
    }
}
