//! Tests for digest authentication: the published RFC 2069, RFC 2617 and RFC 7616 vectors, the
//! exact challenge Asterisk 22 sends, client to server round trips, and every way a request is
//! refused, including malformed headers that must never panic.

use crate::sip::auth::{
    hex, hmac_sha256, respond, Algorithm, Authenticator, Challenge, Config, Credentials, Error,
    Failure, Stale, Verdict, MAX_HEADER_LEN,
};

const SECRET: [u8; 32] = [7; 32];
const NOW: u64 = 1_700_000_000;
const URI: &str = "sip:100@127.0.0.1:5060";

fn alice() -> Credentials {
    Credentials {
        username: "alice".to_owned(),
        password: "wonderland".to_owned(),
        ..Credentials::default()
    }
}

/// A server with one auth section, answering SUBSCRIBEs.
struct Server {
    auth: Authenticator,
    creds: Credentials,
}

impl Server {
    fn new(creds: Credentials) -> Server {
        Server::with_config(creds, Config::default())
    }

    fn with_config(creds: Credentials, config: Config) -> Server {
        Server {
            auth: Authenticator::new(SECRET, config),
            creds,
        }
    }

    /// The first challenge of a 401 issued at `now`.
    fn challenge(&self, now: u64, salt: u64) -> Challenge {
        self.auth.challenge(&self.creds, false, now, salt).remove(0)
    }

    fn verify(&mut self, authorization: &str, now: u64) -> Verdict {
        self.auth
            .verify(&self.creds, "SUBSCRIBE", authorization, now)
    }
}

/// Answers `challenge` as `username`/`password` would, with request count `nc`.
fn answer(challenge: &Challenge, username: &str, password: &str, nc: u32) -> String {
    challenge
        .authorization("SUBSCRIBE", URI, username, password, "0a4f113b", nc)
        .unwrap()
}

#[track_caller]
fn check_vector(challenge: &str, method: &str, uri: &str, user: &str, pass: &str, expect: &str) {
    let res = respond(challenge, method, uri, user, pass, "0a4f113b", 1).unwrap();
    assert_eq!(res, expect);
}

#[test]
fn rfc2617_md5_vector() {
    check_vector(
        r#"Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41""#,
        "GET",
        "/dir/index.html",
        "Mufasa",
        "Circle Of Life",
        r#"Digest username="Mufasa", realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="/dir/index.html", response="6629fae49393a05397450978507c4ef1", algorithm=MD5, cnonce="0a4f113b", opaque="5ccc069c403ebaf9f0171e9517f40e41", qop=auth, nc=00000001"#,
    );
}

#[test]
fn rfc2069_vector_without_qop() {
    check_vector(
        r#"Digest realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41""#,
        "GET",
        "/dir/index.html",
        "Mufasa",
        "CircleOfLife",
        r#"Digest username="Mufasa", realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="/dir/index.html", response="1949323746fe6a43ef61f9606e7febea", algorithm=MD5, opaque="5ccc069c403ebaf9f0171e9517f40e41""#,
    );
}

#[test]
fn rfc7616_md5_and_sha256_vectors() {
    // RFC 7616 §3.9.1; the password has a lowercase "of" (erratum 4495).
    let nonce = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
    let opaque = "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS";
    let cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
    for (algorithm, response) in [
        ("MD5", "8ca523f5e9506fed4657c9700eebdbec"),
        (
            "SHA-256",
            "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1",
        ),
    ] {
        let challenge = format!(
            r#"Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm={algorithm}, nonce="{nonce}", opaque="{opaque}""#
        );
        let res = respond(
            &challenge,
            "GET",
            "/dir/index.html",
            "Mufasa",
            "Circle of Life",
            cnonce,
            1,
        )
        .unwrap();
        assert_eq!(
            res,
            format!(
                r#"Digest username="Mufasa", realm="http-auth@example.org", nonce="{nonce}", uri="/dir/index.html", response="{response}", algorithm={algorithm}, cnonce="{cnonce}", opaque="{opaque}", qop=auth, nc=00000001"#
            )
        );
    }
}

#[test]
fn sip_invite_vector() {
    // draft-smith-sipping-auth-examples §3.2: bob at biloxi.com.
    let res = respond(
        r#"Digest realm="biloxi.com", qop="auth", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", algorithm=MD5"#,
        "INVITE",
        "sip:bob@biloxi.com",
        "bob",
        "zanzibar",
        "0a4f113b",
        1,
    )
    .unwrap();
    assert!(
        res.contains(r#"response="89eb0059246c02b2f6ee02c7961d5ea3""#),
        "{res}"
    );
}

#[test]
fn hmac_sha256_rfc4231_case_2() {
    // A short key is zero-padded to the block size, so "Jefe" padded to 32 bytes is the same key.
    let mut key = [0u8; 32];
    key[..4].copy_from_slice(b"Jefe");
    let mac = hmac_sha256(&key, &[b"what do ya want ", b"for nothing?"]);
    assert_eq!(
        hex(&mac),
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    );
}

#[test]
fn challenge_matches_asterisk_form() {
    let server = Server::new(alice());
    let challenges = server.auth.challenge(&server.creds, false, NOW, 0xff);
    assert_eq!(challenges.len(), 1);
    let it = &challenges[0];
    let nonce = &it.nonce;
    let opaque = it.opaque.as_deref().unwrap();
    assert_eq!(
        it.to_string(),
        format!(
            r#"Digest realm="asterisk",nonce="{nonce}",opaque="{opaque}",algorithm=MD5,qop="auth""#
        )
    );
    let (stamp, rest) = nonce.split_once('/').unwrap();
    assert_eq!(stamp, "1700000000");
    let (salt, mac) = rest.split_once('/').unwrap();
    assert_eq!(salt, "00000000000000ff");
    assert!(is_lower_hex(mac, 32), "{mac}");
    assert!(is_lower_hex(opaque, 16), "{opaque}");
    // Pure: the same inputs give the same challenge.
    assert_eq!(
        server.auth.challenge(&server.creds, false, NOW, 0xff),
        challenges
    );
}

#[test]
fn stale_challenge_puts_stale_before_algorithm() {
    let server = Server::new(alice());
    let it = &server.auth.challenge(&server.creds, true, NOW, 1)[0];
    let text = it.to_string();
    assert!(
        text.ends_with(r#"",stale=true,algorithm=MD5,qop="auth""#),
        "{text}"
    );
    assert_eq!(Challenge::parse(&text).unwrap(), *it);
}

#[test]
fn one_challenge_per_algorithm_sharing_the_nonce() {
    let creds = Credentials {
        realm: "dialstate".to_owned(),
        algorithms: vec![Algorithm::Sha256, Algorithm::Md5, Algorithm::Sha256],
        ..alice()
    };
    let server = Server::new(creds);
    let res = server.auth.challenge(&server.creds, false, NOW, 9);
    let algorithms: Vec<_> = res.iter().map(|it| it.algorithm).collect();
    assert_eq!(algorithms, [Algorithm::Sha256, Algorithm::Md5]);
    assert_eq!(res[0].nonce, res[1].nonce);
    assert_ne!(res[0].opaque, res[1].opaque);
    assert!(res[0]
        .to_string()
        .starts_with(r#"Digest realm="dialstate",nonce=""#));
    assert!(res[0]
        .to_string()
        .ends_with(r#"",algorithm=SHA-256,qop="auth""#));
}

#[test]
fn empty_realm_and_algorithms_fall_back_to_asterisk_defaults() {
    let creds = Credentials {
        realm: String::new(),
        algorithms: Vec::new(),
        ..alice()
    };
    let mut server = Server::new(creds);
    let challenge = server.challenge(NOW, 1);
    assert_eq!(
        (challenge.realm.as_str(), challenge.algorithm),
        ("asterisk", Algorithm::Md5)
    );
    let header = answer(&challenge, "alice", "wonderland", 1);
    assert_eq!(server.verify(&header, NOW), Verdict::Ok);
}

#[test]
fn round_trip_every_algorithm() {
    for algorithm in Algorithm::ALL {
        let creds = Credentials {
            algorithms: vec![algorithm],
            ..alice()
        };
        let mut server = Server::new(creds);
        let challenge = server.challenge(NOW, 42);
        let wire = challenge.to_string();
        let header = respond(&wire, "SUBSCRIBE", URI, "alice", "wonderland", "c1", 1).unwrap();
        assert!(
            header.contains(&format!(", algorithm={algorithm}, ")),
            "{header}"
        );
        assert_eq!(server.verify(&header, NOW + 5), Verdict::Ok, "{algorithm}");
    }
}

#[test]
fn response_digits_compare_case_insensitively() {
    let mut server = Server::new(alice());
    let header = answer(&server.challenge(NOW, 1), "alice", "wonderland", 1);
    let (head, tail) = header.split_once("response=\"").unwrap();
    let (digits, rest) = tail.split_once('"').unwrap();
    let upper = format!("{head}response=\"{}\"{rest}", digits.to_ascii_uppercase());
    assert_eq!(server.verify(&upper, NOW), Verdict::Ok);
}

#[test]
fn wrong_password_is_refused() {
    let mut server = Server::new(alice());
    let header = answer(&server.challenge(NOW, 1), "alice", "looking-glass", 1);
    assert_eq!(
        server.verify(&header, NOW),
        Verdict::Failed(Failure::BadResponse)
    );
}

#[test]
fn wrong_user_is_refused() {
    let mut server = Server::new(alice());
    let header = answer(&server.challenge(NOW, 1), "bob", "wonderland", 1);
    assert_eq!(
        server.verify(&header, NOW),
        Verdict::Failed(Failure::UnknownUser("bob".to_owned()))
    );
}

#[test]
fn wrong_realm_is_refused() {
    let mut server = Server::new(alice());
    let mut challenge = server.challenge(NOW, 1);
    challenge.realm = "elsewhere".to_owned();
    let header = answer(&challenge, "alice", "wonderland", 1);
    assert_eq!(
        server.verify(&header, NOW),
        Verdict::Failed(Failure::RealmMismatch {
            expected: "asterisk".to_owned(),
            found: "elsewhere".to_owned(),
        })
    );
}

#[test]
fn algorithm_not_offered_is_refused() {
    let mut server = Server::new(alice());
    let mut challenge = server.challenge(NOW, 1);
    challenge.algorithm = Algorithm::Sha256;
    let header = answer(&challenge, "alice", "wonderland", 1);
    assert_eq!(
        server.verify(&header, NOW),
        Verdict::Failed(Failure::AlgorithmNotOffered(Algorithm::Sha256))
    );
}

#[test]
fn tampered_nonce_is_refused() {
    let mut server = Server::new(alice());
    let challenge = server.challenge(NOW, 1);
    let mut forged = challenge.clone();
    let last = if forged.nonce.ends_with('0') {
        "1"
    } else {
        "0"
    };
    forged.nonce.pop();
    forged.nonce.push_str(last);

    // The right password over a nonce we never signed: stale, so the client fetches a real one.
    let header = answer(&forged, "alice", "wonderland", 1);
    assert_eq!(server.verify(&header, NOW), Verdict::Stale(Stale::Unknown));

    // A nonce swapped after the digest was computed breaks the digest.
    let header =
        answer(&challenge, "alice", "wonderland", 1).replace(&challenge.nonce, &forged.nonce);
    assert_eq!(
        server.verify(&header, NOW),
        Verdict::Failed(Failure::BadResponse)
    );

    // Moving the timestamp forward breaks the signature.
    let mut later = challenge.clone();
    later.nonce = later.nonce.replacen("1700000000", "1700000999", 1);
    let header = answer(&later, "alice", "wonderland", 1);
    assert_eq!(server.verify(&header, NOW), Verdict::Stale(Stale::Unknown));

    // So does a timestamp with a leading zero.
    let mut padded = challenge;
    padded.nonce.insert(0, '0');
    let header = answer(&padded, "alice", "wonderland", 1);
    assert_eq!(server.verify(&header, NOW), Verdict::Stale(Stale::Unknown));
}

#[test]
fn nonce_from_another_secret_or_realm_is_refused() {
    let mut server = Server::new(alice());
    let other = Authenticator::new([8; 32], Config::default());
    let foreign = other.challenge(&server.creds, false, NOW, 1).remove(0);
    let header = answer(&foreign, "alice", "wonderland", 1);
    assert_eq!(server.verify(&header, NOW), Verdict::Stale(Stale::Unknown));

    let elsewhere = Credentials {
        realm: "elsewhere".to_owned(),
        ..alice()
    };
    let mut challenge = server.auth.challenge(&elsewhere, false, NOW, 1).remove(0);
    challenge.realm = "asterisk".to_owned();
    let header = answer(&challenge, "alice", "wonderland", 1);
    assert_eq!(server.verify(&header, NOW), Verdict::Stale(Stale::Unknown));
}

#[test]
fn servers_sharing_the_secret_accept_each_other() {
    let issuer = Server::new(alice());
    let mut other = Server::new(alice());
    let header = answer(&issuer.challenge(NOW, 3), "alice", "wonderland", 1);
    assert_eq!(other.verify(&header, NOW + 1), Verdict::Ok);
}

#[test]
fn expired_nonce_gets_a_stale_challenge() {
    let config = Config {
        nonce_lifetime: 32,
        ..Config::default()
    };
    let mut server = Server::with_config(alice(), config);
    let challenge = server.challenge(NOW, 1);
    let first = answer(&challenge, "alice", "wonderland", 1);
    let second = answer(&challenge, "alice", "wonderland", 2);
    assert_eq!(server.verify(&first, NOW + 32), Verdict::Ok);
    let verdict = server.verify(&second, NOW + 33);
    assert_eq!(verdict, Verdict::Stale(Stale::Expired));
    assert!(verdict.is_stale());

    let fresh = server
        .auth
        .challenge(&server.creds, verdict.is_stale(), NOW + 33, 2);
    assert!(fresh[0].stale);
    let header = answer(&fresh[0], "alice", "wonderland", 1);
    assert_eq!(server.verify(&header, NOW + 34), Verdict::Ok);
}

#[test]
fn expired_nonce_with_wrong_password_fails() {
    let mut server = Server::new(alice());
    let header = answer(&server.challenge(NOW, 1), "alice", "nope", 1);
    assert_eq!(
        server.verify(&header, NOW + 10_000),
        Verdict::Failed(Failure::BadResponse)
    );
}

#[test]
fn default_lifetime_covers_a_subscription_refresh() {
    let mut server = Server::new(alice());
    let challenge = server.challenge(NOW, 1);
    let initial = answer(&challenge, "alice", "wonderland", 1);
    let refresh = answer(&challenge, "alice", "wonderland", 2);
    assert_eq!(server.verify(&initial, NOW), Verdict::Ok);
    assert_eq!(server.verify(&refresh, NOW + 3600), Verdict::Ok);
}

#[test]
fn replayed_nonce_count_is_refused_and_increasing_counts_accepted() {
    let mut server = Server::new(alice());
    let challenge = server.challenge(NOW, 1);
    let at = |nc| answer(&challenge, "alice", "wonderland", nc);
    let mut verdicts = Vec::new();
    for nc in [1, 1, 2, 5, 3, 5, 6, 0xffff_ffff, 0xffff_ffff] {
        verdicts.push((nc, server.verify(&at(nc), NOW + 1)));
    }
    let replayed = Verdict::Stale(Stale::Replayed);
    assert_eq!(
        verdicts,
        [
            (1, Verdict::Ok),
            (1, replayed.clone()),
            (2, Verdict::Ok),
            (5, Verdict::Ok),
            (3, replayed.clone()),
            (5, replayed.clone()),
            (6, Verdict::Ok),
            (0xffff_ffff, Verdict::Ok),
            (0xffff_ffff, replayed),
        ]
    );
}

#[test]
fn nonce_count_zero_is_refused() {
    let mut server = Server::new(alice());
    let header = answer(&server.challenge(NOW, 1), "alice", "wonderland", 0);
    assert_eq!(server.verify(&header, NOW), Verdict::Stale(Stale::Replayed));
}

#[test]
fn nonce_without_qop_is_good_once() {
    let mut server = Server::new(alice());
    let mut challenge = server.challenge(NOW, 1);
    challenge.qop = None;
    let header = answer(&challenge, "alice", "wonderland", 1);
    assert!(!header.contains("nc="), "{header}");
    assert_eq!(server.verify(&header, NOW), Verdict::Ok);
    assert_eq!(server.verify(&header, NOW), Verdict::Stale(Stale::Replayed));

    // Nor can the spent nonce come back with qop.
    challenge.qop = Some("auth".to_owned());
    let header = answer(&challenge, "alice", "wonderland", 7);
    assert_eq!(server.verify(&header, NOW), Verdict::Stale(Stale::Replayed));
}

#[test]
fn refused_attempts_do_not_consume_the_nonce() {
    let mut server = Server::new(alice());
    let challenge = server.challenge(NOW, 1);
    let wrong = answer(&challenge, "alice", "nope", 1);
    assert_eq!(
        server.verify(&wrong, NOW),
        Verdict::Failed(Failure::BadResponse)
    );
    let right = answer(&challenge, "alice", "wonderland", 1);
    assert_eq!(server.verify(&right, NOW), Verdict::Ok);
}

#[test]
fn replay_memory_is_bounded_and_never_reopens_a_replay() {
    let config = Config {
        max_tracked_nonces: 4,
        ..Config::default()
    };
    let mut server = Server::with_config(alice(), config);
    let challenges: Vec<Challenge> = (0..10)
        .map(|idx| server.challenge(NOW + idx, idx))
        .collect();
    for (idx, challenge) in challenges.iter().enumerate() {
        let header = answer(challenge, "alice", "wonderland", 1);
        assert_eq!(server.verify(&header, NOW + 10), Verdict::Ok, "nonce {idx}");
        assert!(server.auth.seen.len() <= 4);
    }
    assert_eq!(server.auth.seen.len(), 4);

    // The first six were dropped: they get a stale challenge, even at a higher count.
    for challenge in &challenges[..6] {
        let header = answer(challenge, "alice", "wonderland", 2);
        assert_eq!(
            server.verify(&header, NOW + 10),
            Verdict::Stale(Stale::Forgotten)
        );
    }
    // The last four are still remembered.
    let header = answer(&challenges[9], "alice", "wonderland", 1);
    assert_eq!(
        server.verify(&header, NOW + 10),
        Verdict::Stale(Stale::Replayed)
    );
    let header = answer(&challenges[9], "alice", "wonderland", 2);
    assert_eq!(server.verify(&header, NOW + 10), Verdict::Ok);
    // A nonce issued after the newest dropped one but never used is still good.
    let fresh = server.challenge(NOW + 11, 99);
    let header = answer(&fresh, "alice", "wonderland", 1);
    assert_eq!(server.verify(&header, NOW + 11), Verdict::Ok);
    assert_eq!(server.auth.seen.len(), 4);
}

#[test]
fn expired_entries_leave_the_replay_memory_first() {
    let config = Config {
        nonce_lifetime: 32,
        max_tracked_nonces: 100,
    };
    let mut server = Server::with_config(alice(), config);
    for idx in 0..50 {
        let header = answer(
            &server.challenge(NOW + idx * 10, idx),
            "alice",
            "wonderland",
            1,
        );
        assert_eq!(server.verify(&header, NOW + idx * 10), Verdict::Ok);
    }
    // Only nonces no older than the lifetime are kept: issued at now-30 .. now.
    assert_eq!(server.auth.seen.len(), 4);
}

/// Checks that verifying `authorization` gives `expect`, and never panics.
#[track_caller]
fn check_refused(authorization: &str, expect: Verdict) {
    let mut server = Server::new(alice());
    assert_eq!(server.verify(authorization, NOW), expect, "{authorization}");
}

fn malformed(err: Error) -> Verdict {
    Verdict::Failed(Failure::Malformed(err))
}

#[test]
fn malformed_headers_are_refused() {
    let huge = format!(r#"Digest username="{}""#, "a".repeat(MAX_HEADER_LEN));
    let cases: Vec<(&str, Verdict)> = vec![
        ("", Verdict::Challenge),
        ("   ", Verdict::Challenge),
        (r#"Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="#, Verdict::Challenge),
        (r#"username="alice", realm="asterisk""#, Verdict::Challenge),
        ("Digest", malformed(Error::MissingParam("username"))),
        (
            r#"Digest username="alice, realm=asterisk"#,
            malformed(Error::UnterminatedQuote(16)),
        ),
        (
            r#"Digest username="alice\"#,
            malformed(Error::UnterminatedQuote(16)),
        ),
        (
            r#"Digest username="alice", realm="asterisk", nonce="n", uri="sip:x""#,
            malformed(Error::MissingParam("response")),
        ),
        (
            r#"Digest username="alice", qop=auth, nc=00000001, realm="asterisk""#,
            malformed(Error::MissingParam("cnonce")),
        ),
        (
            r#"Digest username="alice", qop=auth, cnonce="c""#,
            malformed(Error::MissingParam("nc")),
        ),
        (
            r#"Digest qop=auth, nc=000000001, cnonce="c""#,
            malformed(Error::BadNonceCount("000000001".to_owned())),
        ),
        (
            r#"Digest qop=auth, nc=xyz, cnonce="c""#,
            malformed(Error::BadNonceCount("xyz".to_owned())),
        ),
        (
            r#"Digest qop=auth-int, nc=1, cnonce="c""#,
            malformed(Error::UnsupportedQop("auth-int".to_owned())),
        ),
        (
            r#"Digest algorithm=SHA-1"#,
            malformed(Error::UnsupportedAlgorithm("SHA-1".to_owned())),
        ),
        (
            r#"Digest response="a", RESPONSE="b""#,
            malformed(Error::DuplicateParam("response".to_owned())),
        ),
        (r#"Digest username"#, malformed(Error::Syntax(15))),
        (r#"Digest =x"#, malformed(Error::Syntax(7))),
        (r#"Digest username="a"x"#, malformed(Error::Syntax(19))),
        (r#"Digest username="#, malformed(Error::Syntax(16))),
        ("Digest usérname=1", malformed(Error::Syntax(9))),
        (
            &huge,
            malformed(Error::TooLong {
                len: huge.len(),
                max: MAX_HEADER_LEN,
            }),
        ),
    ];
    for (authorization, expect) in cases {
        check_refused(authorization, expect);
    }
}

#[test]
fn quoted_values_may_hold_commas_escapes_and_odd_spacing() {
    let creds = Credentials {
        username: r#"al"ice, jr"#.to_owned(),
        ..alice()
    };
    let mut server = Server::new(creds);
    let challenge = server.challenge(NOW, 1);
    let uri = "sip:100@example.com;transport=tcp,extra";
    let header = challenge
        .authorization("SUBSCRIBE", uri, r#"al"ice, jr"#, "wonderland", "c,n", 1)
        .unwrap();
    assert!(
        header.starts_with(r#"Digest username="al\"ice, jr", "#),
        "{header}"
    );
    assert_eq!(server.verify(&header, NOW), Verdict::Ok);

    // Names are case-insensitive, spacing around `=` and empty list elements are allowed.
    let header = answer(&server.challenge(NOW, 2), r#"al"ice, jr"#, "wonderland", 1)
        .replace("username=", "UserName =  ")
        .replace(", realm=", " ,, \tRealm\t=")
        .replace("nc=", "NC=");
    assert_eq!(server.verify(&header, NOW), Verdict::Ok, "{header}");
}

#[test]
fn truncated_and_mutated_headers_never_panic_or_pass() {
    let creds = Credentials {
        username: "alïce".to_owned(),
        ..alice()
    };
    let mut server = Server::new(creds);
    let header = answer(&server.challenge(NOW, 1), "alïce", "wonderland", 1);
    for (idx, _) in header.char_indices() {
        assert!(!server.verify(&header[..idx], NOW).is_ok());
    }
    assert_eq!(server.verify(&header, NOW), Verdict::Ok);
    // Deterministic byte flips, kept only when the result is still UTF-8.
    let mut state = 0x2545_f491_u32;
    for _ in 0..2000 {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let mut bytes = header.clone().into_bytes();
        let idx = state as usize % bytes.len();
        bytes[idx] = (state >> 8) as u8;
        if let Ok(text) = String::from_utf8(bytes) {
            if text != header {
                let _ = server.verify(&text, NOW);
            }
        }
    }
}

#[test]
fn client_parses_challenges_leniently() {
    let it = Challenge::parse(
        r#"digest REALM = "asterisk" , nonce="n", algorithm="sha-256", stale=TRUE, qop="auth,auth-int", domain="sip:x""#,
    )
    .unwrap();
    assert_eq!(
        it,
        Challenge {
            realm: "asterisk".to_owned(),
            nonce: "n".to_owned(),
            opaque: None,
            stale: true,
            algorithm: Algorithm::Sha256,
            qop: Some("auth,auth-int".to_owned()),
        }
    );
    assert_eq!(
        it.to_string(),
        r#"Digest realm="asterisk",nonce="n",stale=true,algorithm=SHA-256,qop="auth,auth-int""#
    );
}

#[test]
fn client_refuses_what_it_cannot_answer() {
    let cases = [
        (r#"Digest nonce="n""#, Error::MissingParam("realm")),
        (r#"Digest realm="r""#, Error::MissingParam("nonce")),
        (
            r#"Digest realm="r", nonce="n", qop="auth-int""#,
            Error::UnsupportedQop("auth-int".to_owned()),
        ),
        (
            r#"Digest realm="r", nonce="n", algorithm=AKAv1-MD5"#,
            Error::UnsupportedAlgorithm("AKAv1-MD5".to_owned()),
        ),
        (r#"Bearer realm="r""#, Error::NotDigest("Bearer".to_owned())),
        ("", Error::Empty),
    ];
    for (challenge, expect) in cases {
        let res = respond(challenge, "SUBSCRIBE", URI, "alice", "pw", "c", 1);
        assert_eq!(res, Err(expect), "{challenge}");
    }
}

fn is_lower_hex(text: &str, len: usize) -> bool {
    text.len() == len && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}
