//! manager.conf users, classes and ACLs.

use crate::ami::config::{load_str, parse_classes, privilege, CALL, REPORTING};

#[test]
fn users_acl_and_classes() {
    let conf = load_str(
        "manager.conf",
        "[general]\nenabled = yes\nport = 5039\nbindaddr = 127.0.0.1\n\n[admin]\nsecret = s3cret\ndeny = 0.0.0.0/0.0.0.0\npermit = 127.0.0.1/255.255.255.0\nread = call,reporting\nwrite = all\n",
    );
    assert!(conf.enabled);
    assert_eq!(conf.bind.to_string(), "127.0.0.1:5039");
    let admin = &conf.users["admin"];
    assert!(admin.allows("127.0.0.9".parse().unwrap()));
    assert!(!admin.allows("10.0.0.1".parse().unwrap()));
    assert_eq!(admin.read, CALL | REPORTING);
    assert_eq!(parse_classes("none"), 0);
    assert_eq!(privilege(CALL), "call,all");
    assert_eq!(privilege(CALL | REPORTING), "call,reporting,all");
}
