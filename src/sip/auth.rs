//! Digest authentication of SIP requests (RFC 3261 §22, RFC 7616): challenges, nonces and
//! credential checks, for the server and for dialstate's own client.
//!
//! The server side mirrors Asterisk 22's `res/res_pjsip_authenticator_digest.c` on top of
//! pjproject 2.17. A 401 carries one `WWW-Authenticate` per configured algorithm, each rendered
//! in pjsip's order (`pjsip/src/pjsip/sip_auth_msg.c`, `print_digest_challenge`):
//! `Digest realm="asterisk",nonce="…",opaque="…",stale=true,algorithm=MD5,qop="auth"`, where
//! `stale=true` appears only for a stale nonce and the opaque is 16 lowercase hex digits that
//! differ from header to header. Every refusal is answered with a fresh 401 as Asterisk does
//! (never 403); [`Verdict`] says whether that 401 sets `stale=true` and, for the log, why.
//!
//! Nonces are stateless and signed: `<unix seconds>/<16 hex salt>/<32 hex HMAC-SHA-256>` over
//! the timestamp, the salt and the realm under a server secret, so any server holding the secret
//! can check them. Asterisk's nonce is `<unix seconds>/<md5 hex>` over the timestamp, the source
//! IP, a UUID drawn at module load and the realm. dialstate does not bind the source address: a
//! captured nonce is useless without the password, and the replay memory below already stops
//! reuse. Like pjsip, the check ignores `opaque` and does not compare `uri` with the Request-URI.
//!
//! Nonces are not replayable. The [`Authenticator`] remembers, per nonce it has accepted, the
//! highest `nc` seen and refuses a repeated or lower one; a nonce used without `qop` is good
//! once. That memory is capped: the entries with the oldest timestamps are dropped first, and
//! a nonce that is no longer remembered but is not newer than the newest dropped one gets a
//! stale challenge, so bounded memory never reopens a replay.
//!
//! Architecture invariant: this module is pure. It does no IO, reads no clock and draws no
//! random numbers; callers pass `now` (seconds since the UNIX epoch), the secret and a random
//! salt per challenge. Malformed headers are refused, never a panic.

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::fmt;

use md5::Md5;
use sha2::{Digest, Sha256, Sha512_256};

/// The realm challenged when the auth section sets none (pjsip.conf `default_realm`).
pub const DEFAULT_REALM: &str = "asterisk";

/// How long a nonce stays usable, in seconds. Asterisk's `nonce_lifetime` defaults to 32 s, so
/// every subscription refresh there costs a stale 401 and a second round trip. dialstate keeps a
/// nonce for an hour, the longest expiry a SUBSCRIBE is granted (`DEFAULT_EXPIRES` 3600 in
/// `res/res_pjsip_pubsub.c`), so a client refreshing before its subscription lapses still holds a
/// live nonce and pays one round trip; the replay memory makes the long lifetime safe.
pub const DEFAULT_NONCE_LIFETIME_SECS: u64 = 3600;

/// How many accepted nonces the replay memory holds before it drops the oldest.
pub const DEFAULT_MAX_TRACKED_NONCES: usize = 4096;

/// The longest `Authorization` or `WWW-Authenticate` value parsed; longer ones are refused.
pub const MAX_HEADER_LEN: usize = 4096;

/// The only quality of protection dialstate offers and answers, as Asterisk does.
const QOP_AUTH: &str = "auth";

/// A digest algorithm by its IANA name (RFC 7616 §6.1). Asterisk 22 offers `MD5`, `SHA-256` and
/// `SHA-512-256` (`supported_algorithms_uas`, default `MD5`); the `-sess` variants are for talking
/// to other servers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Algorithm {
    Md5,
    Md5Sess,
    Sha256,
    Sha256Sess,
    Sha512_256,
    Sha512_256Sess,
}

impl Algorithm {
    const ALL: [Algorithm; 6] = [
        Algorithm::Md5,
        Algorithm::Md5Sess,
        Algorithm::Sha256,
        Algorithm::Sha256Sess,
        Algorithm::Sha512_256,
        Algorithm::Sha512_256Sess,
    ];

    /// The IANA name as it goes on the wire (`MD5`, `SHA-256`, …).
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Md5 => "MD5",
            Algorithm::Md5Sess => "MD5-sess",
            Algorithm::Sha256 => "SHA-256",
            Algorithm::Sha256Sess => "SHA-256-sess",
            Algorithm::Sha512_256 => "SHA-512-256",
            Algorithm::Sha512_256Sess => "SHA-512-256-sess",
        }
    }

    /// Looks a name up case-insensitively; an empty name means MD5, as in pjsip.
    pub fn from_name(name: &str) -> Option<Algorithm> {
        if name.is_empty() {
            return Some(Algorithm::Md5);
        }
        Algorithm::ALL
            .into_iter()
            .find(|it| it.name().eq_ignore_ascii_case(name))
    }

    fn is_sess(self) -> bool {
        matches!(
            self,
            Algorithm::Md5Sess | Algorithm::Sha256Sess | Algorithm::Sha512_256Sess
        )
    }

    /// The lowercase hex digest of `data`.
    fn hex(self, data: &str) -> String {
        match self {
            Algorithm::Md5 | Algorithm::Md5Sess => format!("{:x}", Md5::digest(data)),
            Algorithm::Sha256 | Algorithm::Sha256Sess => format!("{:x}", Sha256::digest(data)),
            Algorithm::Sha512_256 | Algorithm::Sha512_256Sess => {
                format!("{:x}", Sha512_256::digest(data))
            }
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One inbound auth section (pjsip.conf `type=auth`, `auth_type=userpass`): who may
/// authenticate, with which password, in which realm and with which algorithms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub username: String,
    pub password: String,
    /// Asterisk's `realm`; empty sections fall back to [`DEFAULT_REALM`].
    pub realm: String,
    /// Asterisk's `supported_algorithms_uas`, in challenge order; empty means MD5 only.
    pub algorithms: Vec<Algorithm>,
}

impl Default for Credentials {
    fn default() -> Self {
        Credentials {
            username: String::new(),
            password: String::new(),
            realm: DEFAULT_REALM.to_owned(),
            algorithms: vec![Algorithm::Md5],
        }
    }
}

impl Credentials {
    fn realm(&self) -> &str {
        if self.realm.is_empty() {
            DEFAULT_REALM
        } else {
            &self.realm
        }
    }

    fn algorithms(&self) -> &[Algorithm] {
        if self.algorithms.is_empty() {
            &[Algorithm::Md5]
        } else {
            &self.algorithms
        }
    }
}

/// Tunables of an [`Authenticator`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// Seconds a nonce stays usable after it was issued (Asterisk's `nonce_lifetime`).
    pub nonce_lifetime: u64,
    /// Accepted nonces remembered for replay detection before the oldest are dropped.
    pub max_tracked_nonces: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            nonce_lifetime: DEFAULT_NONCE_LIFETIME_SECS,
            max_tracked_nonces: DEFAULT_MAX_TRACKED_NONCES,
        }
    }
}

/// A parsed or generated digest challenge: the value of one `WWW-Authenticate` header. Its
/// `Display` is the wire form, in pjsip's parameter order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    pub realm: String,
    pub nonce: String,
    pub opaque: Option<String>,
    pub stale: bool,
    pub algorithm: Algorithm,
    /// The offered `qop` list as sent (`auth`, or e.g. `auth,auth-int` from other servers).
    pub qop: Option<String>,
}

impl Challenge {
    /// Parses a `WWW-Authenticate` (or `Proxy-Authenticate`) value.
    pub fn parse(value: &str) -> Result<Challenge, Error> {
        let params = Params::parse(value)?;
        let algorithm = params.algorithm()?;
        Ok(Challenge {
            realm: params.require("realm")?.to_owned(),
            nonce: params.require("nonce")?.to_owned(),
            opaque: params.get("opaque").map(str::to_owned),
            stale: params
                .get("stale")
                .is_some_and(|it| it.eq_ignore_ascii_case("true")),
            algorithm,
            qop: params.get("qop").map(str::to_owned),
        })
    }

    /// The `Authorization` value answering this challenge, in pjsip's parameter order. With
    /// `qop=auth` offered it answers with `cnonce` and `nc` (as eight hex digits); without
    /// `qop` it answers the RFC 2069 way.
    pub fn authorization(
        &self,
        method: &str,
        uri: &str,
        username: &str,
        password: &str,
        cnonce: &str,
        nc: u32,
    ) -> Result<String, Error> {
        let qop = match &self.qop {
            None => None,
            Some(offered) => match offered
                .split(',')
                .map(str::trim)
                .find(|it| it.eq_ignore_ascii_case(QOP_AUTH))
            {
                Some(_) => Some(format!("{nc:08x}")),
                None => return Err(Error::UnsupportedQop(offered.clone())),
            },
        };
        let sent_cnonce = qop.is_some() || self.algorithm.is_sess();
        let input = DigestInput {
            algorithm: self.algorithm,
            username,
            realm: &self.realm,
            password,
            method,
            uri,
            nonce: &self.nonce,
            qop: qop.as_deref().map(|nc| (nc, cnonce)),
            cnonce: sent_cnonce.then_some(cnonce),
        };
        let response = input.response();

        let mut out = String::from("Digest ");
        push_quoted(&mut out, "username=", username);
        push_quoted(&mut out, ", realm=", &self.realm);
        push_quoted(&mut out, ", nonce=", &self.nonce);
        push_quoted(&mut out, ", uri=", uri);
        push_quoted(&mut out, ", response=", &response);
        out.push_str(", algorithm=");
        out.push_str(self.algorithm.name());
        if sent_cnonce {
            push_quoted(&mut out, ", cnonce=", cnonce);
        }
        if let Some(opaque) = self.opaque.as_deref().filter(|it| !it.is_empty()) {
            push_quoted(&mut out, ", opaque=", opaque);
        }
        if let Some(nc) = &qop {
            out.push_str(", qop=auth, nc=");
            out.push_str(nc);
        }
        Ok(out)
    }
}

impl fmt::Display for Challenge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::from("Digest ");
        push_quoted(&mut out, "realm=", &self.realm);
        if !self.nonce.is_empty() {
            push_quoted(&mut out, ",nonce=", &self.nonce);
        }
        if let Some(opaque) = self.opaque.as_deref().filter(|it| !it.is_empty()) {
            push_quoted(&mut out, ",opaque=", opaque);
        }
        if self.stale {
            out.push_str(",stale=true");
        }
        out.push_str(",algorithm=");
        out.push_str(self.algorithm.name());
        if let Some(qop) = self.qop.as_deref().filter(|it| !it.is_empty()) {
            push_quoted(&mut out, ",qop=", qop);
        }
        f.write_str(&out)
    }
}

/// Parses `www_authenticate` and returns the `Authorization` value answering it; see
/// [`Challenge::authorization`].
pub fn respond(
    www_authenticate: &str,
    method: &str,
    uri: &str,
    username: &str,
    password: &str,
    cnonce: &str,
    nc: u32,
) -> Result<String, Error> {
    Challenge::parse(www_authenticate)?.authorization(method, uri, username, password, cnonce, nc)
}

/// The outcome of checking one `Authorization` value. Everything but `Ok` is answered like
/// Asterisk: a 401 with fresh challenges from [`Authenticator::challenge`], with `stale=true`
/// exactly when [`Verdict::is_stale`] holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The credentials are right and the nonce is fresh and unused at this count.
    Ok,
    /// No digest credentials to check (an empty value or another scheme): challenge.
    Challenge,
    /// The password is right but the nonce can't be used: challenge with `stale=true`.
    Stale(Stale),
    /// Wrong or unusable credentials: challenge again and log "Failed to authenticate".
    Failed(Failure),
}

impl Verdict {
    pub fn is_ok(&self) -> bool {
        matches!(self, Verdict::Ok)
    }

    /// Whether the answering challenges carry `stale=true`.
    pub fn is_stale(&self) -> bool {
        matches!(self, Verdict::Stale(_))
    }
}

/// Why a nonce answered with the right password was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Stale {
    #[error("nonce expired")]
    Expired,
    /// Not a nonce this secret signed for this realm: tampered, foreign or from before a
    /// secret change.
    #[error("nonce not issued by this server")]
    Unknown,
    /// Dropped from the bounded replay memory, so its use can't be checked any more.
    #[error("nonce forgotten by the replay memory")]
    Forgotten,
    /// The nonce count was not above the highest seen, or a `qop`-less nonce came back.
    #[error("nonce count replayed")]
    Replayed,
}

/// Why credentials were refused outright.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Failure {
    #[error("malformed authorization: {0}")]
    Malformed(Error),
    #[error("expected realm `{expected}`, found `{found}`")]
    RealmMismatch { expected: String, found: String },
    #[error("unknown user `{0}`")]
    UnknownUser(String),
    #[error("algorithm `{0}` was not offered")]
    AlgorithmNotOffered(Algorithm),
    /// The digest doesn't match: a wrong password or altered parameters.
    #[error("digest response does not match")]
    BadResponse,
}

/// A header value that could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error("empty authentication header")]
    Empty,
    #[error("expected the `Digest` scheme, found `{0}`")]
    NotDigest(String),
    #[error("header is {len} bytes, more than the {max} allowed")]
    TooLong { len: usize, max: usize },
    #[error("unterminated quoted string starting at byte {0}")]
    UnterminatedQuote(usize),
    #[error("expected `name=value` at byte {0}")]
    Syntax(usize),
    #[error("parameter `{0}` given twice")]
    DuplicateParam(String),
    #[error("missing parameter `{0}`")]
    MissingParam(&'static str),
    #[error("unsupported algorithm `{0}`")]
    UnsupportedAlgorithm(String),
    #[error("unsupported qop `{0}`")]
    UnsupportedQop(String),
    #[error("expected a nonce count of 1 to 8 hex digits, found `{0}`")]
    BadNonceCount(String),
}

/// The server side: issues signed nonces and checks `Authorization` values, remembering the
/// nonce counts it has accepted.
#[derive(Debug, Clone)]
pub struct Authenticator {
    secret: [u8; 32],
    config: Config,
    /// Highest accepted `nc` per nonce, keyed by (issue time, nonce) so the oldest go first;
    /// `u32::MAX` marks a nonce spent without `qop`.
    seen: BTreeMap<(u64, String), u32>,
    /// The newest issue time dropped from `seen`: unremembered nonces up to it are refused.
    forgotten_up_to: Option<u64>,
}

impl Authenticator {
    /// `secret` signs the nonces; servers sharing it accept each other's nonces.
    pub fn new(secret: [u8; 32], config: Config) -> Self {
        Authenticator {
            secret,
            config,
            seen: BTreeMap::new(),
            forgotten_up_to: None,
        }
    }

    /// The challenges for a 401 answering a request of `credentials`' section: one per
    /// algorithm (duplicates skipped, as Asterisk does), sharing one nonce, each with its own
    /// opaque. `salt` must be fresh randomness for every call.
    pub fn challenge(
        &self,
        credentials: &Credentials,
        stale: bool,
        now: u64,
        salt: u64,
    ) -> Vec<Challenge> {
        let realm = credentials.realm();
        let nonce = self.nonce(realm, now, salt);
        let mut res: Vec<Challenge> = Vec::new();
        for &algorithm in credentials.algorithms() {
            if res.iter().any(|it| it.algorithm == algorithm) {
                continue;
            }
            let mac = self.mac(&[b"opaque\0", nonce.as_bytes(), algorithm.name().as_bytes()]);
            res.push(Challenge {
                realm: realm.to_owned(),
                nonce: nonce.clone(),
                opaque: Some(hex(&mac[..8])),
                stale,
                algorithm,
                qop: Some(QOP_AUTH.to_owned()),
            });
        }
        res
    }

    /// Checks one `Authorization` value of a `method` request against `credentials`. Only an
    /// `Ok` verdict updates the replay memory.
    pub fn verify(
        &mut self,
        credentials: &Credentials,
        method: &str,
        authorization: &str,
        now: u64,
    ) -> Verdict {
        let auth = match Authorization::parse(authorization) {
            Ok(it) => it,
            Err(Error::Empty | Error::NotDigest(_)) => return Verdict::Challenge,
            Err(err) => return Verdict::Failed(Failure::Malformed(err)),
        };
        let realm = credentials.realm();
        if auth.realm != realm {
            return Verdict::Failed(Failure::RealmMismatch {
                expected: realm.to_owned(),
                found: auth.realm,
            });
        }
        if !credentials.algorithms().contains(&auth.algorithm) {
            return Verdict::Failed(Failure::AlgorithmNotOffered(auth.algorithm));
        }
        if auth.username != credentials.username {
            return Verdict::Failed(Failure::UnknownUser(auth.username));
        }
        let input = DigestInput {
            algorithm: auth.algorithm,
            username: &credentials.username,
            realm,
            password: &credentials.password,
            method,
            uri: &auth.uri,
            nonce: &auth.nonce,
            qop: auth
                .qop
                .as_ref()
                .map(|it| (it.nc_text.as_str(), it.cnonce.as_str())),
            cnonce: auth.cnonce(),
        };
        let expected = input.response();
        let found = auth.response.to_ascii_lowercase();
        if !ct_eq(expected.as_bytes(), found.as_bytes()) {
            return Verdict::Failed(Failure::BadResponse);
        }

        let issued = match self.check_nonce(realm, &auth.nonce, now) {
            Ok(it) => it,
            Err(stale) => return Verdict::Stale(stale),
        };
        // Counts start at 1; without qop a nonce is spent by its first use.
        let nc = auth.qop.as_ref().map_or(u32::MAX, |it| it.nc);
        let key = (issued, auth.nonce);
        let known = self.seen.get(&key).copied();
        if known.is_none() && self.forgotten_up_to.is_some_and(|it| issued <= it) {
            return Verdict::Stale(Stale::Forgotten);
        }
        let spent = match known {
            Some(highest) => auth.qop.is_none() || nc <= highest,
            None => nc == 0,
        };
        if spent {
            return Verdict::Stale(Stale::Replayed);
        }
        if known.is_none() {
            self.make_room(now);
        }
        self.seen.insert(key, nc);
        Verdict::Ok
    }

    /// Drops expired entries, then the oldest ones, until one more fits under the cap.
    fn make_room(&mut self, now: u64) {
        let cap = self.config.max_tracked_nonces.max(1);
        while let Some(((issued, _), _)) = self.seen.first_key_value() {
            let issued = *issued;
            let expired = now.abs_diff(issued) > self.config.nonce_lifetime;
            if !expired && self.seen.len() < cap {
                break;
            }
            self.seen.pop_first();
            self.forgotten_up_to = Some(self.forgotten_up_to.map_or(issued, |it| it.max(issued)));
        }
    }

    fn nonce(&self, realm: &str, timestamp: u64, salt: u64) -> String {
        let mac = self.nonce_mac(realm, timestamp, salt);
        format!("{timestamp}/{salt:016x}/{}", hex(&mac[..16]))
    }

    fn nonce_mac(&self, realm: &str, timestamp: u64, salt: u64) -> [u8; 32] {
        self.mac(&[
            b"nonce\0",
            &timestamp.to_be_bytes(),
            &salt.to_be_bytes(),
            realm.as_bytes(),
        ])
    }

    /// Returns the nonce's issue time if this secret signed it for `realm` and it is still
    /// within its lifetime.
    fn check_nonce(&self, realm: &str, nonce: &str, now: u64) -> Result<u64, Stale> {
        let mut parts = nonce.split('/');
        let (Some(timestamp), Some(salt), Some(mac), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(Stale::Unknown);
        };
        let is_hex = |s: &str, len: usize| {
            s.len() == len && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        };
        if timestamp.is_empty()
            || timestamp.len() > 20
            || !timestamp.bytes().all(|b| b.is_ascii_digit())
            || !is_hex(salt, 16)
            || !is_hex(mac, 32)
        {
            return Err(Stale::Unknown);
        }
        let (Ok(issued), Ok(salt)) = (timestamp.parse::<u64>(), u64::from_str_radix(salt, 16))
        else {
            return Err(Stale::Unknown);
        };
        let expected = hex(&self.nonce_mac(realm, issued, salt)[..16]);
        // Also rejects a timestamp written with leading zeros.
        if !ct_eq(expected.as_bytes(), mac.as_bytes()) || issued.to_string() != timestamp {
            return Err(Stale::Unknown);
        }
        if now.abs_diff(issued) > self.config.nonce_lifetime {
            return Err(Stale::Expired);
        }
        Ok(issued)
    }

    fn mac(&self, parts: &[&[u8]]) -> [u8; 32] {
        hmac_sha256(&self.secret, parts)
    }
}

/// The fields of a digest computation (RFC 7616 §3.4.1–3.4.3).
struct DigestInput<'a> {
    algorithm: Algorithm,
    username: &'a str,
    realm: &'a str,
    password: &'a str,
    method: &'a str,
    uri: &'a str,
    nonce: &'a str,
    /// `(nc, cnonce)` when `qop=auth` is used.
    qop: Option<(&'a str, &'a str)>,
    /// The cnonce for a `-sess` HA1.
    cnonce: Option<&'a str>,
}

impl DigestInput<'_> {
    fn response(&self) -> String {
        let alg = self.algorithm;
        let mut ha1 = alg.hex(&format!(
            "{}:{}:{}",
            self.username, self.realm, self.password
        ));
        if alg.is_sess() {
            let cnonce = self.cnonce.unwrap_or_default();
            ha1 = alg.hex(&format!("{ha1}:{}:{cnonce}", self.nonce));
        }
        let ha2 = alg.hex(&format!("{}:{}", self.method, self.uri));
        match self.qop {
            Some((nc, cnonce)) => alg.hex(&format!(
                "{ha1}:{}:{nc}:{cnonce}:{QOP_AUTH}:{ha2}",
                self.nonce
            )),
            None => alg.hex(&format!("{ha1}:{}:{ha2}", self.nonce)),
        }
    }
}

/// A parsed `Authorization` value with the fields a check needs.
struct Authorization {
    username: String,
    realm: String,
    nonce: String,
    uri: String,
    response: String,
    algorithm: Algorithm,
    qop: Option<QopAuth>,
    /// A cnonce sent without `qop` (only meaningful for `-sess`).
    bare_cnonce: Option<String>,
}

struct QopAuth {
    nc_text: String,
    nc: u32,
    cnonce: String,
}

impl Authorization {
    fn parse(value: &str) -> Result<Authorization, Error> {
        let params = Params::parse(value)?;
        let algorithm = params.algorithm()?;
        let qop = match params.get("qop") {
            None => None,
            Some(qop) if qop.eq_ignore_ascii_case(QOP_AUTH) => {
                let nc_text = params.require("nc")?;
                let nc = (!nc_text.is_empty() && nc_text.len() <= 8)
                    .then(|| u32::from_str_radix(nc_text, 16).ok())
                    .flatten()
                    .ok_or_else(|| Error::BadNonceCount(nc_text.to_owned()))?;
                Some(QopAuth {
                    nc_text: nc_text.to_owned(),
                    nc,
                    cnonce: params.require("cnonce")?.to_owned(),
                })
            }
            Some(other) => return Err(Error::UnsupportedQop(other.to_owned())),
        };
        let bare_cnonce = match (&qop, algorithm.is_sess()) {
            (None, true) => Some(params.require("cnonce")?.to_owned()),
            _ => None,
        };
        Ok(Authorization {
            username: params.require("username")?.to_owned(),
            realm: params.require("realm")?.to_owned(),
            nonce: params.require("nonce")?.to_owned(),
            uri: params.require("uri")?.to_owned(),
            response: params.require("response")?.to_owned(),
            algorithm,
            qop,
            bare_cnonce,
        })
    }

    fn cnonce(&self) -> Option<&str> {
        match &self.qop {
            Some(it) => Some(&it.cnonce),
            None => self.bare_cnonce.as_deref(),
        }
    }
}

/// The auth-params of a `Digest` header: names lowercased, quotes and escapes removed.
struct Params {
    items: Vec<(String, String)>,
}

impl Params {
    fn parse(value: &str) -> Result<Params, Error> {
        if value.len() > MAX_HEADER_LEN {
            return Err(Error::TooLong {
                len: value.len(),
                max: MAX_HEADER_LEN,
            });
        }
        let value = value.trim_matches(is_ws);
        if value.is_empty() {
            return Err(Error::Empty);
        }
        let scheme_end = value.find(is_ws).unwrap_or(value.len());
        let scheme = &value[..scheme_end];
        if !scheme.eq_ignore_ascii_case("digest") {
            return Err(Error::NotDigest(scheme.to_owned()));
        }

        let bytes = value.as_bytes();
        let mut items: Vec<(String, String)> = Vec::new();
        let mut pos = scheme_end;
        loop {
            pos = skip_ws(bytes, pos);
            match bytes.get(pos) {
                None => break,
                // Empty list elements are allowed (RFC 7230 §7).
                Some(b',') => {
                    pos += 1;
                    continue;
                }
                Some(_) => {}
            }
            let name_start = pos;
            while bytes.get(pos).is_some_and(|&b| is_token_byte(b)) {
                pos += 1;
            }
            if pos == name_start {
                return Err(Error::Syntax(pos));
            }
            let name = value[name_start..pos].to_ascii_lowercase();
            pos = skip_ws(bytes, pos);
            if bytes.get(pos) != Some(&b'=') {
                return Err(Error::Syntax(pos));
            }
            pos = skip_ws(bytes, pos + 1);
            let item = if bytes.get(pos) == Some(&b'"') {
                let quote = pos;
                let mut text = String::new();
                pos += 1;
                loop {
                    let Some(c) = value[pos..].chars().next() else {
                        return Err(Error::UnterminatedQuote(quote));
                    };
                    pos += c.len_utf8();
                    match c {
                        '"' => break,
                        '\\' => match value[pos..].chars().next() {
                            Some(escaped) => {
                                text.push(escaped);
                                pos += escaped.len_utf8();
                            }
                            None => return Err(Error::UnterminatedQuote(quote)),
                        },
                        c => text.push(c),
                    }
                }
                text
            } else {
                let start = pos;
                while bytes
                    .get(pos)
                    .is_some_and(|&b| !is_ws_byte(b) && b != b',' && b != b'"')
                {
                    pos += 1;
                }
                if pos == start {
                    return Err(Error::Syntax(pos));
                }
                value[start..pos].to_owned()
            };
            if items.iter().any(|(it, _)| *it == name) {
                return Err(Error::DuplicateParam(name));
            }
            items.push((name, item));
            pos = skip_ws(bytes, pos);
            match bytes.get(pos) {
                None => break,
                Some(b',') => pos += 1,
                Some(_) => return Err(Error::Syntax(pos)),
            }
        }
        Ok(Params { items })
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.items
            .iter()
            .find(|(it, _)| it == name)
            .map(|(_, value)| value.as_str())
    }

    fn require(&self, name: &'static str) -> Result<&str, Error> {
        self.get(name).ok_or(Error::MissingParam(name))
    }

    fn algorithm(&self) -> Result<Algorithm, Error> {
        let name = self.get("algorithm").unwrap_or_default();
        Algorithm::from_name(name).ok_or_else(|| Error::UnsupportedAlgorithm(name.to_owned()))
    }
}

fn is_ws(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

fn is_ws_byte(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

fn skip_ws(bytes: &[u8], mut pos: usize) -> usize {
    while bytes.get(pos).is_some_and(|&b| is_ws_byte(b)) {
        pos += 1;
    }
    pos
}

/// RFC 3261 `token` characters.
fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-.!%*_+`'~".contains(&b)
}

/// Appends `prefix"value"`, escaping `"` and `\` as quoted-pairs.
fn push_quoted(out: &mut String, prefix: &str, value: &str) {
    out.push_str(prefix);
    out.push('"');
    for c in value.chars() {
        if matches!(c, '"' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
}

fn hex(bytes: &[u8]) -> String {
    use fmt::Write;
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// Compares in time that depends only on the lengths.
fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(diff) == 0
}

/// HMAC-SHA-256 (RFC 2104) over the concatenation of `parts`, with a 32-byte key.
fn hmac_sha256(key: &[u8; 32], parts: &[&[u8]]) -> [u8; 32] {
    let mut ipad = [0x36u8; 64];
    let mut opad = [0x5cu8; 64];
    for (idx, b) in key.iter().enumerate() {
        ipad[idx] ^= b;
        opad[idx] ^= b;
    }
    let mut inner = Sha256::new();
    inner.update(ipad);
    for part in parts {
        inner.update(part);
    }
    let mut outer = Sha256::new();
    outer.update(opad);
    outer.update(inner.finalize());
    outer.finalize().into()
}
