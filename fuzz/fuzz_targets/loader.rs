//! This fuzz target feeds arbitrary bytes to the dialplan loader as if they were files on disk.
//! The input is split at its first 0xFF byte: the bytes before it become `extensions.conf`, the
//! top-level file, and the bytes after it become `inc.conf`, which the top file may pull in with
//! `#include`. Without a 0xFF byte the whole input is `extensions.conf` and `inc.conf` is empty.
//! Both files are served from memory, so nothing on the real file system is read. After loading,
//! the target runs the two read-only console commands and renders every diagnostic in all three
//! formats, so that spans pointing outside their source and similar bugs surface as panics.

#![no_main]

use std::path::Path;

use dialstate::config::MemProvider;
use dialstate::console::run;
use dialstate::diag::{render_json, render_rich, render_short};
use dialstate::pbx::Pbx;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (top, inc) = match data.iter().position(|&b| b == 0xFF) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &[][..]),
    };
    let provider = MemProvider::default()
        .with("extensions.conf", top.to_vec())
        .with("inc.conf", inc.to_vec());
    let mut pbx = Pbx::load(&provider, Path::new("extensions.conf"));

    let _ = run(&mut pbx, "dialplan show");
    let _ = run(&mut pbx, "core show hints");

    for d in pbx.diagnostics().items() {
        let _ = render_short(pbx.sources(), d);
        let _ = render_rich(pbx.sources(), d);
        let _ = render_json(pbx.sources(), d);
    }
});
