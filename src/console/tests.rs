//! Console commands against the worked examples of the `dialplan show` research notes and
//! spec state.md §6.1–6.2.

use crate::console::run;
use crate::pbx::Pbx;

#[track_caller]
fn check(conf: &str, line: &str, expect: &str) {
    let mut pbx = Pbx::load_str("extensions.conf", conf);
    let out = run(&mut pbx, line);
    assert_eq!(out.text, expect, "\n--- got ---\n{}", out.text);
}

const EXAMPLE: &str = "[default]
exten => 100,1,NoOp(one)
 same => n(again),NoOp(two)
exten => 300,hint,PJSIP/300
exten => 700/5551212,1,NoOp(vip)
exten => _X.,1,NoOp(pat)
include => other
ignorepat => 9
switch => IAX2/box
[other]
exten => 5,1,Answer()
";

#[test]
fn dialplan_show_everything() {
    check(
        EXAMPLE,
        "dialplan show",
        "[ Context 'other' created by 'pbx_config' ]
  '5' =>            1. Answer()                                   [extensions.conf:11]

[ Context 'default' created by 'pbx_config' ]
  '100' =>          1. NoOp(one)                                  [extensions.conf:2]
     [again]        2. NoOp(two)                                  [extensions.conf:3]
  '300' =>          hint: PJSIP/300                               [extensions.conf:4]
  '700' (CID match '5551212') =>  1. NoOp(vip)                                  [extensions.conf:5]
  '_X.' =>          1. NoOp(pat)                                  [extensions.conf:6]
  Include =>        'other'                                       [pbx_config]
  Ignore pattern => '9'                                           [pbx_config]
  Alt. Switch =>    'IAX2/box'                                    [pbx_config]

-= 5 extensions (6 priorities) in 2 contexts. =-
",
    );
}

#[test]
fn dialplan_show_one_extension() {
    check(
        EXAMPLE,
        "dialplan show 100@default",
        "[ Context 'default' created by 'pbx_config' ]
  '100' =>          1. NoOp(one)                                  [extensions.conf:2]
     [again]        2. NoOp(two)                                  [extensions.conf:3]
  '_X.' =>          1. NoOp(pat)                                  [extensions.conf:6]
  Alt. Switch =>    'IAX2/box'                                    [pbx_config]

-= 2 extensions (3 priorities) in 1 context. =-
",
    );
    check(
        EXAMPLE,
        "dialplan show 5@default",
        "[ Included context 'other' created by 'pbx_config' ]
  '5' =>            1. Answer()                                   [extensions.conf:11]

  Alt. Switch =>    'IAX2/box'                                    [pbx_config]
-= 1 extension (1 priority) in 1 context. =-
",
    );
    check(
        EXAMPLE,
        "dialplan show 5@",
        "[ Context 'other' created by 'pbx_config' ]
  '5' =>            1. Answer()                                   [extensions.conf:11]

[ Included context 'other' created by 'pbx_config' ]
  '5' =>            1. Answer()                                   [extensions.conf:11]

  Alt. Switch =>    'IAX2/box'                                    [pbx_config]
-= 2 extensions (2 priorities) in 2 contexts. =-
",
    );
}

#[test]
fn dialplan_show_errors() {
    check(
        EXAMPLE,
        "dialplan show abc@default",
        "  Alt. Switch =>    'IAX2/box'                                    [pbx_config]
There is no existence of abc@default extension
Command 'dialplan show abc@default' failed.
",
    );
    check(
        EXAMPLE,
        "dialplan show nosuch",
        "There is no existence of 'nosuch' context\nCommand 'dialplan show nosuch' failed.\n",
    );
    check(
        EXAMPLE,
        "dialplan show a b",
        "Usage: dialplan show [[exten@]context]\n       Show dialplan\n",
    );
    check(
        EXAMPLE,
        "dialplan frob",
        "No such command 'dialplan frob' (type 'core show help dialplan' for other possible commands)\n",
    );
}

const HINTS: &str = "[default]
exten => 2000,hint,Custom:BobToggle
[internal]
exten => 6001,hint,PJSIP/6001
exten => 6002,hint,PJSIP/6002&Custom:DND6002
exten => 6003,hint,Custom:lamp3
exten => 6004,hint,PJSIP/6004,CustomPresence:Bob
exten => 6005,hint,,CustomPresence:Ellen
exten => _7XXX,hint,PJSIP/${EXTEN}
";

#[test]
fn core_show_hints_right_after_load() {
    check(
        HINTS,
        "core show hints",
        "
    -= Registered Asterisk Dial Plan Hints =-
2000@default                  : Custom:BobToggle                                              State:Idle            Presence:not_set         Watchers  0
6001@internal                 : PJSIP/6001                                                    State:Unavailable     Presence:not_set         Watchers  0
6002@internal                 : PJSIP/6002&Custom:DND6002                                     State:Unavailable     Presence:not_set         Watchers  0
6003@internal                 : Custom:lamp3                                                  State:Idle            Presence:not_set         Watchers  0
6004@internal                 : PJSIP/6004,CustomPresence:Bob                                 State:Unavailable     Presence:not_set         Watchers  0
6005@internal                 : ,CustomPresence:Ellen                                         State:Unavailable     Presence:not_set         Watchers  0
_7XXX@internal                : PJSIP/${EXTEN}                                                State:Unavailable     Presence:not_set         Watchers  0
----------------
- 7 hints registered
",
    );
    check(
        HINTS,
        "core show hint 600",
        "6001@internal                 : PJSIP/6001                                                    State:Unavailable     Presence:not_set         Watchers  0
6002@internal                 : PJSIP/6002&Custom:DND6002                                     State:Unavailable     Presence:not_set         Watchers  0
6003@internal                 : Custom:lamp3                                                  State:Idle            Presence:not_set         Watchers  0
6004@internal                 : PJSIP/6004,CustomPresence:Bob                                 State:Unavailable     Presence:not_set         Watchers  0
6005@internal                 : ,CustomPresence:Ellen                                         State:Unavailable     Presence:not_set         Watchers  0
5 hints matching extension 600
",
    );
    check(
        "[a]\nexten => 1,1,NoOp\n",
        "core show hints",
        "There are no registered dialplan hints\n",
    );
}

#[test]
fn tab_completion_offers_commands_names_and_states() {
    use crate::console::complete::{candidates, Names};
    let mut pbx = Pbx::load_str("extensions.conf", HINTS);
    let _ = run(&mut pbx, "devstate change Custom:extra BUSY");
    let names = Names::of(&pbx);
    let c = |before: &[&str], partial: &str| candidates(&names, before, partial);
    assert_eq!(c(&[], "d"), ["devstate", "dialplan"]);
    assert_eq!(c(&["core", "show"], "hi"), ["hint", "hints"]);
    assert_eq!(c(&["dialplan", "show"], "int"), ["internal"]);
    assert_eq!(c(&["dialplan", "show"], "6001"), ["6001@internal"]);
    assert_eq!(
        c(&["core", "show", "hint"], "60"),
        ["6001", "6002", "6003", "6004", "6005"]
    );
    assert_eq!(
        c(&["devstate", "change"], "Custom:"),
        [
            "Custom:BobToggle",
            "Custom:DND6002",
            "Custom:extra",
            "Custom:lamp3"
        ]
    );
    assert_eq!(
        c(&["devstate", "change", "Custom:lamp3"], "RING"),
        ["RINGING", "RINGINUSE"]
    );
    assert_eq!(
        c(&["presencestate", "change"], "custompresence:"),
        ["CustomPresence:Bob", "CustomPresence:Ellen"]
    );
    assert_eq!(
        c(&["presencestate", "change", "CustomPresence:Bob"], "a"),
        ["AVAILABLE", "AWAY"]
    );
}
