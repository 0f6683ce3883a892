//! Reload keeps the running dialplan when Asterisk would refuse the new files.

use std::path::Path;

use crate::config::MemProvider;
use crate::pbx::{Pbx, Reload};

#[test]
fn reload_keeps_the_old_dialplan_when_the_new_one_is_refused() {
    let good = "[default]\nexten => 100,1,NoOp(old)\n";
    let provider = MemProvider::default().with("extensions.conf", good);
    let mut pbx = Pbx::load(&provider, Path::new("extensions.conf"));
    assert!(pbx.dialplan().context("default").is_some());

    // A missing #include target makes Asterisk refuse the whole file.
    let refused = MemProvider::default().with(
        "extensions.conf",
        "[default]\nexten => 200,1,NoOp(new)\n#include missing.conf\n",
    );
    match pbx.reload_with(&refused) {
        Reload::Kept { diagnostics, .. } => assert!(diagnostics.rejects_file()),
        Reload::Replaced { .. } => panic!("a refused file replaced the dialplan"),
    }
    let ctx = pbx
        .dialplan()
        .context("default")
        .map(|it| it.extens[0].name.to_string());
    assert_eq!(ctx.as_deref(), Some("100"));

    // Warnings and lint errors do not stop a reload, as in Asterisk.
    let accepted = MemProvider::default().with(
        "extensions.conf",
        "[default]\nexten => 300,1,Dail(x)\nexten => 300,1,NoOp\nexten => 300,hint,Custom:x\n",
    );
    assert!(matches!(
        pbx.reload_with(&accepted),
        Reload::Replaced { .. }
    ));
    let ctx = pbx
        .dialplan()
        .context("default")
        .map(|it| it.extens[0].name.to_string());
    assert_eq!(ctx.as_deref(), Some("300"));
    assert_eq!(pbx.state().n_hints(), 1);
    assert!(pbx.diagnostics().has_errors());
}
