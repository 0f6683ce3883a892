//! Reading pjsip.conf objects.

use crate::sip::config::{load_str, Protocol};

const CONF: &str = "\
[global]
type=global
user_agent=Test PBX 1.0

[udp]
type=transport
protocol=udp
bind=127.0.0.1:5070

[tcp]
type=transport
protocol=tcp
bind=127.0.0.1

[phone](!)
type=endpoint
context=internal
allow=ulaw
sub_min_expiry=60

[alice](phone)
auth=alice-auth
aors=alice

[alice-auth]
type=auth
auth_type=userpass
username=alice
password=secret

[alice]
type=aor
max_contacts=1

[bob](phone)
subscribe_context=blf
allow_subscribe=maybe

[carol](phone)
frobnicate=yes
";

#[test]
fn endpoints_auths_transports() {
    let loaded = load_str("pjsip.conf", CONF);
    let conf = loaded.value;
    let alice = &conf.endpoints["alice"];
    assert_eq!(alice.context, "internal");
    assert_eq!(alice.hint_context(), "internal");
    assert_eq!(alice.sub_min_expiry, 60);
    assert_eq!(alice.auth, ["alice-auth"]);
    assert_eq!(conf.auths["alice-auth"].password, "secret");
    assert_eq!(conf.user_agent, "Test PBX 1.0");
    assert_eq!(conf.transports.len(), 2);
    assert_eq!(conf.transports[1].protocol, Protocol::Tcp);
    assert_eq!(conf.transports[1].bind.to_string(), "127.0.0.1:5060");
    // A bad value drops that endpoint only; an unknown option is a warning.
    assert!(!conf.endpoints.contains_key("bob"));
    assert!(conf.endpoints.contains_key("carol"));
    let codes: Vec<_> = loaded
        .diagnostics
        .items()
        .iter()
        .map(|d| d.code.as_str())
        .collect();
    assert_eq!(codes, ["pjsip::bad-value", "pjsip::unknown-option"]);
}
