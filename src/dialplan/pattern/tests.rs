//! Tests of the pattern module, driven by the vectors of `dialplan.md` §8.3.
//!
//! Each feature has one `check_*` helper that is the only caller of the function under test.
//! The tables copy the spec vectors row by row. The index is also compared with a plain linear
//! scan on pseudo-random names and dialed strings from a small deterministic generator.

use std::cmp::Ordering;

use super::{
    cid_match, display_name, entry_cmp, ext_cmp, extension_match, match_key, pattern_problems,
    shrink_cid, ExtenIndex, MatchMode, MatchResult,
};

const Y: MatchResult = MatchResult::Yes;
const N: MatchResult = MatchResult::No;
const E: MatchResult = MatchResult::Early;

#[track_caller]
fn check_match(ext: &str, dialed: &str, expect: [MatchResult; 3]) {
    let modes = [MatchMode::Match, MatchMode::CanMatch, MatchMode::MatchMore];
    let got = modes.map(|mode| extension_match(ext, dialed, mode));
    assert_eq!(got, expect, "pattern `{ext}`, dialed «{dialed}»");
}

#[test]
fn match_modes() {
    let table = [
        ("100", "100", [Y, Y, N]),
        ("100", "10", [N, Y, Y]),
        ("100", "1000", [N, N, N]),
        ("100", "", [N, Y, Y]),
        ("1-0-0", "100", [Y, Y, N]),
        ("100", "1-00", [Y, Y, N]),
        ("s", "s", [Y, Y, N]),
        ("_2.", "2", [N, Y, Y]),
        ("_2.", "200", [Y, Y, Y]),
        ("_2.", "2000", [Y, Y, Y]),
        ("_2!", "2", [E, E, E]),
        ("_2!", "20", [E, E, E]),
        ("_2!", "3", [N, N, N]),
        ("_X.", "1", [N, Y, Y]),
        ("_X.", "12", [Y, Y, Y]),
        ("_X.", "", [N, Y, Y]),
        ("_X!", "", [N, Y, Y]),
        ("_.", "abc", [Y, Y, Y]),
        ("_.", "", [N, Y, Y]),
        ("_!", "", [E, E, E]),
        ("_NXX", "200", [Y, Y, N]),
        ("_NXX", "100", [N, N, N]),
        ("_NXX", "20", [N, Y, Y]),
        ("_NXX", "2000", [N, N, N]),
        ("_NXX", "", [N, Y, Y]),
        ("_ZXX", "100", [Y, Y, N]),
        ("_ZXX", "010", [N, N, N]),
        ("_XXX", "010", [Y, Y, N]),
        ("_nxx", "234", [Y, Y, N]),
        ("_x.", "5", [N, Y, Y]),
        ("_[1-3]XX", "250", [Y, Y, N]),
        ("_[1-3]XX", "450", [N, N, N]),
        ("_[13-5]XX", "450", [Y, Y, N]),
        ("_[135]XX", "350", [Y, Y, N]),
        ("_[a-c]X", "a1", [Y, Y, N]),
        ("_[a-c]X", "d1", [N, N, N]),
        ("_[A-Z].", "Bob", [Y, Y, Y]),
        ("_[A-Z].", "bob", [N, N, N]),
        ("_[]1", "1", [Y, Y, N]),
        ("_[1-]", "1", [Y, Y, N]),
        ("_[1-]X", "-5", [N, N, N]),
        ("_1[2-4-6]X", "1-5", [N, N, N]),
        ("_1[2-4-6]X", "1-7", [N, N, N]),
        ("_1[", "1", [N, Y, Y]),
        ("_1[", "12", [N, N, N]),
        ("_1-00", "100", [Y, Y, N]),
        ("_NXX-XXXX", "555-1212", [Y, Y, N]),
        ("_NXX-XXXX", "5551212", [Y, Y, N]),
        ("_NXX-XXXX", "555121", [N, Y, Y]),
        ("_s.", "start", [Y, Y, Y]),
        ("_*", "*", [Y, Y, N]),
        ("_#X", "#5", [Y, Y, N]),
        ("_X[*#]", "5*", [Y, Y, N]),
        ("_X[*#]", "5x", [N, N, N]),
        ("_1X.", "12", [N, Y, Y]),
        ("_1X.", "123", [Y, Y, Y]),
        ("_1X!", "1", [N, Y, Y]),
        ("_1X!", "12", [E, E, E]),
        ("_1X!", "123", [E, E, E]),
        ("_1.2", "13", [Y, Y, Y]),
        ("_X", "5a", [N, N, N]),
        ("_XXX/", "123", [Y, Y, N]),
    ];
    for (ext, dialed, expect) in table {
        check_match(ext, dialed, expect);
    }
}

#[test]
fn match_edge_cases() {
    let table = [
        // §3.2 first line: a dialed pattern equal under the comparator matches in MATCH mode.
        ("_X.", "_X.", [Y, N, N]),
        ("_X.", "_[0-9].", [Y, N, N]),
        ("_X.", "_X", [N, N, N]),
        ("_", "_", [Y, N, N]),
        // An empty pattern matches only the empty string.
        ("_", "", [Y, Y, N]),
        ("_", "1", [N, N, N]),
        // An empty set at the end keeps the pattern from ending there.
        ("_1[]", "1", [N, Y, Y]),
        ("_1[]", "12", [N, N, N]),
        // A reversed range matches nothing.
        ("_[9-0]", "5", [N, N, N]),
        ("_[9-0]", "", [N, Y, Y]),
        // `/` ends a pattern, and a set may look past it for its `]`.
        ("_1/2", "1", [Y, Y, N]),
        ("_[1/]", "/", [Y, Y, N]),
        // A NUL byte ends a string, as in C.
        ("_1\0X", "1", [Y, Y, N]),
        ("100", "100\0junk", [Y, Y, N]),
        // Signed C bounds: 0xC3 is below 'a', so this range is reversed and matches nothing.
        ("_[a-\u{c3}]", "b", [N, N, N]),
        // `é` is the bytes C3 A9; the range A9-'a' spans -87..=97 as signed chars: digits too.
        ("_[é-a]", "5", [Y, Y, N]),
        ("_[é-a]", "b", [N, N, N]),
        // Everything after `.` or `!` is ignored, including an unclosed `[`.
        ("_1.[", "12", [Y, Y, Y]),
        ("_1![", "1", [E, E, E]),
        // Literal comparison is case-sensitive and byte-wise.
        ("abc", "ABC", [N, N, N]),
        ("", "", [Y, Y, N]),
        ("-", "", [Y, Y, N]),
    ];
    for (ext, dialed, expect) in table {
        check_match(ext, dialed, expect);
    }
}

/// Splits a space-separated list of names; `«»` stands for the empty name.
fn words(list: &str) -> Vec<&str> {
    list.split_whitespace()
        .map(|w| if w == "«»" { "" } else { w })
        .collect()
}

#[track_caller]
fn check_sort(input: &str, expect: &str) {
    let mut names = words(input);
    names.sort_by(|a, b| ext_cmp(a, b));
    assert_eq!(names, words(expect), "sorting {{{input}}}");
    names.reverse();
    names.sort_by(|a, b| ext_cmp(a, b));
    assert_eq!(names, words(expect), "sorting {{{input}}} reversed");
    for pair in names.windows(2) {
        if let [a, b] = pair {
            assert_eq!(ext_cmp(a, b), Ordering::Less, "`{a}` before `{b}`");
            assert_eq!(ext_cmp(b, a), Ordering::Greater, "`{b}` after `{a}`");
        }
    }
}

#[test]
fn sort_order() {
    let table = [
        (
            "_X. _2. 2000 _2XXX _NXXX _[2-3]XXX _2! _. _! _XXXX 2001 _ZXXX",
            "2000 2001 _2XXX _2. _2! _[2-3]XXX _NXXX _ZXXX _XXXX _X. _. _!",
        ),
        ("_XXX _NXX _ZXX _2XX _[23]XX", "_2XX _[23]XX _NXX _ZXX _XXX"),
        ("_1XX _XXX _[12]XX", "_1XX _[12]XX _XXX"),
        ("_[5-9]X _[2-8]X _[1-8]X", "_[5-9]X _[2-8]X _[1-8]X"),
        ("_[13]X _[24]X _[12]X", "_[12]X _[13]X _[24]X"),
        ("_X. _XX. _XXX", "_XXX _XX. _X."),
        ("_X _X. _XX _!", "_XX _X. _X _!"),
        ("100 _100 1000 10 9 _1", "10 100 1000 9 _100 _1"),
        ("h i s t _s. _X. _.", "h i s t _s. _X. _."),
        ("_80 _8X _8. _8!", "_80 _8X _8. _8!"),
        ("_1X. _1XX _1XXX", "_1XXX _1XX _1X."),
        ("_[12]. _X. _1.", "_1. _[12]. _X."),
        (
            "_NXXNXXXXXX _1NXXNXXXXXX _011. _X. _9. _911",
            "_011. _1NXXNXXXXXX _911 _9. _NXXNXXXXXX _X.",
        ),
        ("_* _# _X _[*#]", "_# _* _[*#] _X"),
        ("_Z _N _X _1", "_1 _N _Z _X"),
        ("_[a-z]. _[A-Z]. _[0-9a-z].", "_[A-Z]. _[a-z]. _[0-9a-z]."),
    ];
    for (input, expect) in table {
        check_sort(input, expect);
    }
}

#[test]
fn sort_order_edge_cases() {
    let table = [
        // An unclosed `[` sorts after the end of a pattern.
        ("_1[ _1 _1.", "_1. _1 _1["),
        // Bytes >= 0x80 are negative C chars in literals: before ASCII and before the end.
        ("1 1a 1\u{e9}", "1\u{e9} 1 1a"),
        // ... but unsigned in patterns.
        ("_1\u{e9} _1a", "_1a _1\u{e9}"),
        // The empty CID pattern is the literal "" and sorts first (§3.3 rule 4).
        ("_555XXXX 5551212 «»", "«» 5551212 _555XXXX"),
        // Text after `.` still takes part in the order.
        ("_1.3 _1.2", "_1.2 _1.3"),
    ];
    for (input, expect) in table {
        check_sort(input, expect);
    }
}

#[track_caller]
fn check_equal(a: &str, b: &str) {
    assert_eq!(ext_cmp(a, b), Ordering::Equal, "`{a}` ≡ `{b}`");
    assert_eq!(ext_cmp(b, a), Ordering::Equal, "`{b}` ≡ `{a}`");
}

#[test]
fn equal_under_comparator() {
    let table = [
        ("_X.", "_[0-9]."),
        ("_XXX", "_[0-9][0-9][0-9]"),
        ("_N", "_[2-9]"),
        ("_Z", "_[1-9]"),
        ("_X", "_x"),
        ("555-1212", "5551212"),
        ("_555-1212", "_5551212"),
        ("_[]1", "_1"),
        ("_[21]", "_[12]"),
        ("_[1-3]", "_[123]"),
        // §2.6 consequences.
        ("_XXX", "_[0-9]XX"),
        // More: a reversed range is an empty set for sorting, and NUL ends a name.
        ("_[9-0]1", "_1"),
        ("1\0x", "1"),
        ("_1[23", "_1[23"),
    ];
    for (a, b) in table {
        check_equal(a, b);
    }
}

#[track_caller]
fn check_names(ext: &str, display: &str, key: &str) {
    assert_eq!(display_name(ext), display, "display name of `{ext}`");
    assert_eq!(match_key(ext), key, "matching key of `{ext}`");
}

#[test]
fn name_normalisation() {
    let table = [
        ("555-1212", "555-1212", "5551212"),
        ("555 1212", "5551212", "5551212"),
        (" 1 0 0 ", "100", "100"),
        ("_NXX-XXXX", "_NXX-XXXX", "_NXXXXXX"),
        ("_[1 2]X", "_[1 2]X", "_[1 2]X"),
        ("_1 [2 3] 4", "_1[2 3]4", "_1[2 3]4"),
        ("_[1-3]-X", "_[1-3]-X", "_[1-3]X"),
        ("_[a-] -9", "_[a-]-9", "_[a-]9"),
        // Sets only exist in patterns.
        ("a [ b-c ]", "a[b-c]", "a[bc]"),
        // A `]` ends a set; there is no nesting.
        ("_[[ ]- ]", "_[[ ]-]", "_[[ ]]"),
        // An unclosed `[` keeps the rest as set text.
        ("_1[2 -", "_1[2 -", "_1[2 -"),
        ("", "", ""),
        ("12\0 3", "12", "12"),
        ("é - é", "é-é", "éé"),
    ];
    for (ext, display, key) in table {
        check_names(ext, display, key);
    }
}

#[track_caller]
fn check_shrink(cid: &str, expect: &str) {
    assert_eq!(shrink_cid(cid), expect, "shrinking `{cid}`");
}

#[test]
fn cid_normalisation() {
    let table = [
        ("5551212", "5551212"),
        ("555-1212", "5551212"),
        ("(555) 123-4567", "5551234567"),
        ("_555XXXX", "_555XXXX"),
        ("_[1-3]-XX", "_[1-3]XX"),
        ("_X.", "_X."),
        ("5.5.5", "555"),
        ("555.)", "555"),
        ("", ""),
        ("()", ""),
        ("]-[-]", "][-]"),
        ("[[-]-]-", "[[-]-]"),
        ("12\0-3", "12"),
    ];
    for (cid, expect) in table {
        check_shrink(cid, expect);
    }
}

#[track_caller]
fn check_cid(cid: &str, caller: Option<&str>, expect: bool) {
    assert_eq!(
        cid_match(cid, caller),
        expect,
        "CID `{cid}` with {caller:?}"
    );
}

#[test]
fn cid_conditions() {
    let table = [
        ("5551212", Some("5551212"), true),
        ("5551212", Some("9999"), false),
        ("5551212", None, false),
        ("", None, true),
        ("", Some(""), true),
        ("", Some("123"), false),
        ("_555XXXX", Some("5550000"), true),
        ("_555XXXX", Some("555-0000"), true),
        ("_555XXXX", Some("5551"), false),
        ("_555XXXX", None, false),
        ("_!", Some("1"), true),
    ];
    for (cid, caller, expect) in table {
        check_cid(cid, caller, expect);
    }
}

#[track_caller]
fn check_entry_order(input: &str, expect: &str) {
    let mut entries: Vec<(&str, Option<&str>)> = input
        .split_whitespace()
        .map(|s| match s.split_once('/') {
            Some((ext, cid)) => (ext, Some(cid)),
            None => (s, None),
        })
        .collect();
    entries.sort_by(|a, b| entry_cmp(*a, *b));
    let got: Vec<String> = entries
        .iter()
        .map(|(ext, cid)| match cid {
            Some(cid) => format!("{ext}/{cid}"),
            None => ext.to_string(),
        })
        .collect();
    assert_eq!(got.join(" "), expect, "ordering {{{input}}}");
}

#[test]
fn entry_order_with_cid() {
    let table = [
        (
            "_X./_555XXXX 200 200/ 100 100/5551212",
            "100/5551212 100 200/ 200 _X./_555XXXX",
        ),
        ("100 100/_X. 100/5551212", "100/5551212 100/_X. 100"),
    ];
    for (input, expect) in table {
        check_entry_order(input, expect);
    }
}

#[track_caller]
fn check_problems(ext: &str, expect: &[&str]) {
    let got: Vec<String> = pattern_problems(ext)
        .into_iter()
        .map(|(r, problem)| {
            let text = ext.get(r.clone()).unwrap_or("<not a char boundary>");
            format!("{}..{} «{text}» {}", r.start, r.end, problem.message())
        })
        .collect();
    assert_eq!(got, expect, "problems of `{ext}`");
}

#[test]
fn pattern_linter() {
    let table: &[(&str, &[&str])] = &[
        ("_NXXNXXXXXX", &[]),
        ("100", &[]),
        ("1[", &[]),
        (
            "_1[23",
            &["2..5 «[23» `[23` has no closing `]`, so the pattern never matches past it"],
        ),
        (
            "_",
            &["0..1 «_» empty pattern `_` matches only an empty dialed string"],
        ),
        (
            "_--",
            &["0..3 «_--» empty pattern `_--` matches only an empty dialed string"],
        ),
        ("_1[]2", &["2..4 «[]» empty set `[]` is ignored"]),
        ("_[]", &["1..3 «[]» empty set `[]` is ignored"]),
        ("_X.12", &["3..5 «12» `12` after `.` is ignored"]),
        ("_X!9", &["3..4 «9» `9` after `!` is ignored"]),
        ("_X.-", &[]),
        ("_[9-0]", &["2..5 «9-0» reversed range `9-0` matches nothing"]),
        (
            "_[1-]X",
            &["3..4 «-» `-` in `[1-]` never matches because dashes in a dialed string are ignored"],
        ),
        (
            "_[1-3][9-0]1[]X.x[",
            &[
                "7..10 «9-0» reversed range `9-0` matches nothing",
                "12..14 «[]» empty set `[]` is ignored",
                "16..18 «x[» `x[` after `.` is ignored",
            ],
        ),
        (
            "_[a-é]",
            &["2..6 «a-é» reversed range `a-é` matches nothing"],
        ),
    ];
    for (ext, expect) in table {
        check_problems(ext, expect);
    }
}

#[track_caller]
fn check_index(names: &str, dialed: &str, expect: &[u32]) {
    let mut sorted: Vec<&str> = names.split_whitespace().collect();
    sorted.sort_by(|a, b| ext_cmp(a, b));
    let index = ExtenIndex::new(sorted.iter().copied());
    let mut got = Vec::new();
    index.matches(dialed, &mut got);
    let got_names: Vec<&str> = got
        .iter()
        .filter_map(|&id| sorted.get(id as usize).copied())
        .collect();
    let want_names: Vec<&str> = expect
        .iter()
        .filter_map(|&id| sorted.get(id as usize).copied())
        .collect();
    assert_eq!(
        got, expect,
        "{got_names:?} vs {want_names:?} for «{dialed}»"
    );
}

#[test]
fn index_lookups() {
    // [test_pattern] of §8.3: `2000` sorts before `_2.`.
    check_index("_2. 2000", "2000", &[0, 1]);
    check_index("_2. 2000", "200", &[1]);
    check_index("_2. 2000", "3000", &[]);
    check_index("_1XX", "123", &[0]);
    // Several ids may share a name, and dashes are ignored on both sides.
    check_index("555-1212 5551212 _NXX-XXXX", "555-12-12", &[0, 1, 2]);
    check_index("_X. _X! _! _.", "", &[3]);
    check_index("_X. _X! _! _.", "5", &[1, 2, 3]);
    check_index("_X. _X! _! _.", "55", &[0, 1, 2, 3]);
    check_index("_1[]2 _1[] _1", "1", &[2]);
    check_index("_1[]2 _1[] _1", "12", &[0]);
    // A dialed pattern finds the patterns equal to it (§3.2, first line), once each.
    check_index("_X. _[0-9]. _1[", "_X.", &[1, 2]);
    check_index("__. _1", "__.", &[1]);
}

/// xorshift64*: a small deterministic generator for the differential tests.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items.get(self.below(items.len())).copied().unwrap_or("")
    }
}

const SETS: &[&str] = &[
    "[1-3]", "[13]", "[0-9]", "[2-4-6]", "[1-]", "[9-0]", "[5]", "[a-c]", "[*#]", "[-]", "[]",
    "[12]", "[4-7]", "[a-é]", "[é-a]",
];
const ATOMS: &[&str] = &[
    "1", "2", "5", "9", "0", "X", "x", "N", "Z", "-", "a", "*", "#", ".", "!", "[", "/", "_",
];

fn random_pattern(rng: &mut Rng) -> String {
    let mut s = String::from("_");
    for _ in 0..rng.below(7) {
        if rng.below(4) == 0 {
            s.push_str(rng.pick(SETS));
        } else {
            s.push_str(rng.pick(ATOMS));
        }
    }
    s
}

fn random_literal(rng: &mut Rng) -> String {
    let mut s = String::new();
    for _ in 0..rng.below(6) {
        s.push_str(rng.pick(&["1", "2", "5", "0", "-", "a", "*", "é"]));
    }
    s
}

/// A dialed string that has a good chance of matching `name`.
fn instantiate(rng: &mut Rng, name: &str) -> String {
    let Some(body) = name.strip_prefix('_') else {
        let mut s = String::new();
        for c in name.chars() {
            if rng.below(5) == 0 {
                s.push('-');
            }
            s.push(c);
        }
        return s;
    };
    let digits = ["0", "1", "2", "5", "9"];
    let mut s = String::new();
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        match c {
            'X' | 'x' => s.push_str(rng.pick(&digits)),
            'N' | 'n' => s.push_str(rng.pick(&["2", "5", "9"])),
            'Z' | 'z' => s.push_str(rng.pick(&["1", "5", "9"])),
            '.' | '!' => {
                for _ in 0..rng.below(3) {
                    s.push_str(rng.pick(&digits));
                }
                break;
            }
            '/' => break,
            '[' => {
                let set: String = chars.by_ref().take_while(|&c| c != ']').collect();
                let members: Vec<char> = set.chars().filter(|&c| c != '-').collect();
                if let Some(&m) = members.get(rng.below(members.len().max(1))) {
                    s.push(m);
                }
            }
            c => s.push(c),
        }
    }
    match rng.below(6) {
        0 => {
            s.pop();
        }
        1 => s.push_str(rng.pick(&digits)),
        _ => {}
    }
    s
}

#[test]
fn index_agrees_with_linear_scan() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut names: Vec<String> = (0..1500)
        .map(|_| {
            if rng.below(5) < 3 {
                random_pattern(&mut rng)
            } else {
                random_literal(&mut rng)
            }
        })
        .collect();
    names.sort_by(|a, b| ext_cmp(a, b));
    let index = ExtenIndex::new(names.iter().map(String::as_str));
    assert_eq!(index.len(), names.len());

    let mut got = Vec::new();
    let mut n_hits = 0;
    for round in 0..3000 {
        let dialed = match rng.below(10) {
            0..=4 => {
                let name = names
                    .get(rng.below(names.len()))
                    .cloned()
                    .unwrap_or_default();
                instantiate(&mut rng, &name)
            }
            5..=7 => {
                let mut s = String::new();
                for _ in 0..rng.below(8) {
                    s.push_str(rng.pick(&["0", "1", "2", "5", "9", "-", "a", "*", "#", "é"]));
                }
                s
            }
            8 => names
                .get(rng.below(names.len()))
                .cloned()
                .unwrap_or_default(),
            _ => random_pattern(&mut rng),
        };
        let want: Vec<u32> = names
            .iter()
            .enumerate()
            .filter(|(_, name)| extension_match(name, &dialed, MatchMode::Match).is_match())
            .filter_map(|(id, _)| u32::try_from(id).ok())
            .collect();
        index.matches(&dialed, &mut got);
        assert_eq!(got, want, "round {round}, dialed «{dialed}»");
        n_hits += want.len();
    }
    assert!(
        n_hits > 3000,
        "the generator should produce matches, got {n_hits}"
    );
}

#[test]
fn index_with_many_sets_at_one_node() {
    let mut rng = Rng(7);
    let mut names: Vec<String> = (0..400)
        .map(|_| {
            let mut s = String::from("_");
            for _ in 0..1 + rng.below(3) {
                let lo = rng.below(10);
                let hi = lo + rng.below(10 - lo);
                s.push_str(&format!("[{lo}-{hi}{}]", rng.below(10)));
            }
            if rng.below(2) == 0 {
                s.push('.');
            }
            s
        })
        .collect();
    names.sort_by(|a, b| ext_cmp(a, b));
    let index = ExtenIndex::new(names.iter().map(String::as_str));
    let mut got = Vec::new();
    for round in 0..1000 {
        let dialed: String = (0..rng.below(5))
            .map(|_| rng.pick(&["0", "3", "5", "7", "9"]))
            .collect();
        let want: Vec<u32> = names
            .iter()
            .enumerate()
            .filter(|(_, name)| extension_match(name, &dialed, MatchMode::Match).is_match())
            .filter_map(|(id, _)| u32::try_from(id).ok())
            .collect();
        index.matches(&dialed, &mut got);
        assert_eq!(got, want, "round {round}, dialed «{dialed}»");
    }
}

#[test]
fn comparator_is_a_total_order() {
    let mut rng = Rng(42);
    let names: Vec<String> = (0..300)
        .map(|_| match rng.below(3) {
            0 => random_literal(&mut rng),
            _ => random_pattern(&mut rng),
        })
        .collect();
    for a in &names {
        assert_eq!(ext_cmp(a, a), Ordering::Equal, "`{a}` ≡ itself");
        for b in names.iter().take(60) {
            assert_eq!(ext_cmp(a, b), ext_cmp(b, a).reverse(), "`{a}` vs `{b}`");
        }
    }
    let mut sorted = names.clone();
    sorted.sort_by(|a, b| ext_cmp(a, b));
    for (k, a) in sorted.iter().enumerate() {
        for b in sorted.iter().skip(k).take(40) {
            assert_ne!(
                ext_cmp(a, b),
                Ordering::Greater,
                "`{a}` sorted before `{b}`"
            );
        }
    }
}

#[test]
fn no_panic_on_arbitrary_input() {
    let pieces = [
        "[",
        "]",
        "-",
        "_",
        ".",
        "!",
        "/",
        "X",
        "N",
        "Z",
        "1",
        "9",
        " ",
        "(",
        ")",
        "\0",
        "é",
        "\u{80}",
        "\u{10ffff}",
        "[9-0]",
        "[-",
        "-]",
        "ÿ",
    ];
    let mut rng = Rng(1234);
    let mut strings: Vec<String> = Vec::new();
    for _ in 0..400 {
        let s: String = (0..rng.below(10)).map(|_| rng.pick(&pieces)).collect();
        strings.push(s);
    }
    let index = ExtenIndex::new(strings.iter().map(String::as_str));
    let mut out = Vec::new();
    for s in &strings {
        for mode in [MatchMode::Match, MatchMode::CanMatch, MatchMode::MatchMore] {
            let _ = extension_match(s, s, mode);
        }
        let _ = (
            display_name(s),
            match_key(s),
            shrink_cid(s),
            cid_match(s, Some(s)),
        );
        for (r, problem) in pattern_problems(s) {
            assert!(
                s.get(r.clone()).is_some(),
                "range {r:?} of `{s}` for {problem}"
            );
            let message = problem.message();
            assert!(!message.ends_with('.'), "{message}");
        }
        index.matches(s, &mut out);
    }
}

#[test]
fn identity_key_agrees_with_ext_cmp() {
    let names = [
        "_X.",
        "_[0-9].",
        "_XXX",
        "_[0-9][0-9][0-9]",
        "_N",
        "_[2-9]",
        "_Z",
        "_[1-9]",
        "_X",
        "_x",
        "555-1212",
        "5551212",
        "_555-1212",
        "_5551212",
        "_[]1",
        "_1",
        "_[21]",
        "_[12]",
        "_[1-3]",
        "_[123]",
        "_1.2",
        "_1.3",
        "_1[23",
        "_1[24",
        "100",
        "10",
        "_!",
        "_.",
    ];
    for a in names {
        for b in names {
            let same_key = super::identity_key(a) == super::identity_key(b);
            let same_cmp = super::ext_cmp(a, b) == std::cmp::Ordering::Equal;
            assert_eq!(same_key, same_cmp, "{a} vs {b}");
        }
    }
}
