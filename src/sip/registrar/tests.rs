//! The registrar's rules and CLI output (facts from res_pjsip_registrar.c and location.c).

use crate::sip::config::Aor;
use crate::sip::registrar::{
    expiration, md5_hex, same_uri, show_aors, show_contacts, Binding, Outcome, Registrar, View,
};

fn aor(max: u32, remove_existing: bool) -> Aor {
    let mut aor = Aor::new("6001");
    aor.max_contacts = max;
    aor.remove_existing = remove_existing;
    aor
}

/// Registers one contact for 6001 (no auth name, Call-ID `c`) at `now`.
fn register_one(r: &mut Registrar, a: &Aor, contact: &str, now: u64) -> Outcome {
    r.register(a, &[uri(contact, None)], None, "6001", "", "c", None, now)
        .unwrap()
}

fn uri(u: &str, expires: Option<u32>) -> Binding {
    Binding::Uri {
        uri: u.to_string(),
        expires,
    }
}

#[test]
fn expiry_is_clamped_not_refused() {
    let a = aor(1, false);
    assert_eq!(expiration(&a, None, None), 3600);
    assert_eq!(expiration(&a, None, Some(10)), 60);
    assert_eq!(expiration(&a, Some(999_999), Some(10)), 7200);
    assert_eq!(expiration(&a, Some(0), Some(3600)), 0);
    assert_eq!(expiration(&a, None, Some(0)), 0);
}

#[test]
fn max_contacts_and_remove_existing() {
    let mut r = Registrar::default();
    let one = aor(1, false);
    let now = 1_000_000;
    let reg = |r: &mut Registrar, a: &Aor, b: &[Binding], e: Option<u32>| {
        r.register(a, b, e, "6001", "phone", "c1", None, now)
    };
    let ok = reg(
        &mut r,
        &one,
        &[uri("sip:6001@127.0.0.1:5062", None)],
        Some(3600),
    )
    .unwrap();
    assert_eq!(ok.saved.len(), 1);
    assert_eq!(r.contacts("6001")[0].expires_ms, now + 3_600_000);
    // A second contact over max_contacts=1 without remove_existing: 403, nothing changes.
    let err = reg(
        &mut r,
        &one,
        &[uri("sip:6001@127.0.0.1:5063", None)],
        Some(3600),
    )
    .unwrap_err();
    assert_eq!((err.code, err.reason), (403, "Forbidden"));
    assert_eq!(r.contacts("6001").len(), 1);
    // With remove_existing the new contact replaces the old one.
    let replace = aor(1, true);
    let ok = reg(
        &mut r,
        &replace,
        &[uri("sip:6001@127.0.0.1:5063", None)],
        Some(3600),
    )
    .unwrap();
    assert_eq!(ok.removed[0].uri, "sip:6001@127.0.0.1:5062");
    assert_eq!(r.contacts("6001")[0].uri, "sip:6001@127.0.0.1:5063");
    // `*` needs Expires: 0 and no other Contact.
    assert_eq!(
        reg(&mut r, &one, &[Binding::Star], Some(3600))
            .unwrap_err()
            .code,
        400
    );
    assert_eq!(
        reg(
            &mut r,
            &one,
            &[Binding::Star, uri("sip:x@h", None)],
            Some(0)
        )
        .unwrap_err()
        .code,
        400
    );
    let ok = reg(&mut r, &one, &[Binding::Star], Some(0)).unwrap();
    assert_eq!(ok.removed.len(), 1);
    assert!(r.contacts("6001").is_empty());
    // max_contacts=0 refuses everything (checked by the caller: count > 0).
    assert_eq!(
        reg(&mut r, &aor(0, false), &[uri("sip:a@h", None)], None)
            .unwrap_err()
            .code,
        403
    );
    // Expiry.
    reg(
        &mut r,
        &one,
        &[uri("sip:6001@127.0.0.1:5062", Some(60))],
        None,
    )
    .unwrap();
    assert!(r.expire(now + 59_000).is_empty());
    assert_eq!(r.expire(now + 60_000).len(), 1);
    assert!(r.contacts("6001").is_empty());
}

#[test]
fn cli_output_matches_asterisk_format_strings() {
    assert_eq!(
        md5_hex("sip:6001@127.0.0.1:5062"),
        "484bb496a2f730ae8e552f53deb7d3da"
    );
    let mut r = Registrar::default();
    register_one(&mut r, &aor(1, false), "sip:6001@127.0.0.1:5062", 0);
    let mut view = View::default();
    view.aors.insert("6001".into(), aor(1, false));
    view.registrar = r;
    assert_eq!(
        show_contacts(&view),
        "\n  Contact:  <Aor/ContactUri..............................> <Hash....> <Status> <RTT(ms)..>\n\
==========================================================================================\n\n  \
Contact:  6001/sip:6001@127.0.0.1:5062                   484bb496a2 NonQual         nan\n\
\nObjects found: 1\n\n"
    );
    assert_eq!(
        show_aors(&view),
        "\n      Aor:  <Aor..............................................>  <MaxContact>\n    \
Contact:  <Aor/ContactUri............................> <Hash....> <Status> <RTT(ms)..>\n\
==========================================================================================\n\n      \
Aor:  6001                                                 1\n    \
Contact:  6001/sip:6001@127.0.0.1:5062                 484bb496a2 NonQual         nan\n\
\n\nObjects found: 1\n\n"
    );
    assert_eq!(show_contacts(&View::default()), "No objects found.\n\n");
}

#[test]
fn permanent_contacts_are_listed_after_registered_ones() {
    let mut a = aor(2, false);
    a.static_contacts.push("sip:desk@10.0.0.9".into());
    let mut view = View::default();
    view.aors.insert("6001".into(), a.clone());
    register_one(&mut view.registrar, &a, "sip:6001@127.0.0.1:5062", 0);
    let text = show_contacts(&view);
    assert!(text.contains("6001/sip:6001@127.0.0.1:5062"), "{text}");
    assert!(text.contains("6001/sip:desk@10.0.0.9"), "{text}");
    assert!(text.ends_with("\nObjects found: 2\n\n"), "{text}");
    let aors = show_aors(&view);
    let reg = aors.find("sip:6001@127.0.0.1:5062").unwrap();
    let perm = aors.find("sip:desk@10.0.0.9").unwrap();
    assert!(reg < perm, "{aors}");
}

#[test]
fn contacts_compare_as_rfc_3261_uris() {
    assert!(same_uri(
        "sip:6001@Host.Example:5062",
        "sip:6001@host.example:5062"
    ));
    assert!(!same_uri("sip:6001@host:5062", "sip:6001@host"));
    assert!(!same_uri("sip:A@host", "sip:a@host"));
    assert!(same_uri("sip:a@host;ob", "sip:a@host"));
    assert!(!same_uri("sip:a@host;transport=tcp", "sip:a@host"));
    assert!(same_uri(
        "sip:a@host;transport=TCP",
        "sip:a@host;transport=tcp"
    ));
    assert!(!same_uri("sip:a@host;x=1", "sip:a@host;x=2"));
    // A re-REGISTER with a host in other case refreshes, it does not add.
    let mut r = Registrar::default();
    let one = aor(1, false);
    register_one(&mut r, &one, "sip:6001@Phone.lan:5062", 0);
    let again = register_one(&mut r, &one, "sip:6001@phone.lan:5062", 1000);
    assert!(again.removed.is_empty());
    assert_eq!(r.contacts("6001").len(), 1);
}
