//! Byte-exact checks of the resource-list NOTIFY body of spec sip-presence.md §9.4 and §9.5.
//! Expected bodies are written out piece by piece: XML documents with LF line ends (and the
//! printer's trailing LF), multipart framing with CRLF. Content-Length values are literals
//! computed by hand from those documents.

use crate::sip::body::rlmi::{content_type, render, Child, InstanceState, ListBody};

const HOST: &str = "192.0.2.10";
const PROLOG: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>";

/// An XML document: the lines joined with LF, plus the printer's trailing LF.
fn doc(lines: &[&str]) -> String {
    let mut res = lines.join("\n");
    res.push('\n');
    res
}

/// A small PIDF-like document standing in for a rendered child body.
fn pidf(entity: &str, note: &str) -> String {
    doc(&[
        PROLOG,
        &format!("<presence entity=\"{entity}\">"),
        &format!(" <note>{note}</note>"),
        "</presence>",
    ])
}

fn render_string(list: &ListBody) -> String {
    let mut out = Vec::new();
    render(list, &mut out);
    String::from_utf8(out).expect("body is UTF-8")
}

#[track_caller]
fn check(list: &ListBody, expect: &[&str]) {
    let expect = expect.concat();
    let got = render_string(list);
    assert_eq!(
        got, expect,
        "\n--- got ---\n{got}\n--- expected ---\n{expect}"
    );
    check_lengths(got.as_bytes(), list.boundary);
}

fn resource<'a>(
    name: &'a str,
    uri: &'a str,
    instance: &'a str,
    cid: &'a str,
    body: &'a str,
) -> Child<'a> {
    Child::Resource {
        uri,
        name,
        instance,
        cid,
        state: InstanceState::Active,
        content_type: "application/pidf+xml",
        body: body.as_bytes(),
    }
}

/// One part of a multipart body: its headers in order and its body.
struct Part<'b> {
    headers: Vec<(&'b str, &'b str)>,
    body: &'b [u8],
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// Splits a multipart body on its delimiters. Panics unless it starts with the first delimiter
/// and ends with the closing one.
fn parse<'b>(body: &'b [u8], boundary: &str) -> Vec<Part<'b>> {
    let delimiter = format!("\r\n--{boundary}\r\n").into_bytes();
    let closing = format!("\r\n--{boundary}--\r\n").into_bytes();
    let mut rest = body
        .strip_suffix(closing.as_slice())
        .expect("ends with the closing delimiter")
        .strip_prefix(delimiter.as_slice())
        .expect("starts with a delimiter");
    let mut parts = Vec::new();
    loop {
        let (part, next) = match find(rest, &delimiter) {
            Some(idx) => (&rest[..idx], Some(&rest[idx + delimiter.len()..])),
            None => (rest, None),
        };
        let end = find(part, b"\r\n\r\n").expect("headers end with a blank line");
        let headers = std::str::from_utf8(&part[..end])
            .expect("headers are UTF-8")
            .split("\r\n")
            .map(|line| line.split_once(": ").expect("header has a colon"))
            .collect();
        parts.push(Part {
            headers,
            body: &part[end + 4..],
        });
        match next {
            Some(next) => rest = next,
            None => return parts,
        }
    }
}

/// Checks that every part carries Content-ID, Content-Type and Content-Length in that order and
/// that the length, right-aligned in 5 columns, is its body's length; descends into nested
/// lists. Returns the number of parts at this level.
#[track_caller]
fn check_lengths(body: &[u8], boundary: &str) -> usize {
    let parts = parse(body, boundary);
    for part in &parts {
        let names: Vec<&str> = part.headers.iter().map(|(name, _)| *name).collect();
        assert_eq!(names, ["Content-ID", "Content-Type", "Content-Length"]);
        let length = part.headers[2].1;
        let digits = part.body.len().to_string().len();
        assert_eq!(
            length.len(),
            digits.max(5),
            "Content-Length field {length:?}"
        );
        assert_eq!(
            length.trim_start().parse::<usize>().ok(),
            Some(part.body.len())
        );
        if let Some(nested) = part.headers[1]
            .1
            .strip_prefix("multipart/related;type=\"application/rlmi+xml\";boundary=")
        {
            check_lengths(part.body, nested);
        }
    }
    parts.len()
}

fn spec_rlmi() -> String {
    doc(&[
        PROLOG,
        "<list xmlns=\"urn:ietf:params:xml:ns:rlmi\" uri=\"sip:pres_list@192.0.2.10:5060\" version=\"0\" fullState=\"true\">",
        " <name>pres_list</name>",
        " <resource uri=\"sip:alice@192.0.2.10:5060\">",
        "  <name>alice</name>",
        "  <instance id=\"kjhgf\" state=\"active\" cid=\"zxcvb@192.0.2.10\" />",
        " </resource>",
        " <resource uri=\"sip:bob@192.0.2.10:5060\">",
        "  <name>bob</name>",
        "  <instance id=\"poiuy\" state=\"active\" cid=\"mnbvc@192.0.2.10\" />",
        " </resource>",
        "</list>",
    ])
}

#[test]
fn content_type_names_rlmi_and_boundary() {
    assert_eq!(
        content_type("qwert"),
        "multipart/related;type=\"application/rlmi+xml\";boundary=qwert"
    );
}

/// The example of spec §9.4, with small PIDF documents for alice and bob.
#[test]
fn spec_example_byte_for_byte() {
    let alice = pidf("sip:alice@192.0.2.10:5060", "Ready");
    let bob = pidf("sip:bob@192.0.2.10:5060", "On the phone");
    let rlmi = spec_rlmi();
    assert_eq!((rlmi.len(), alice.len(), bob.len()), (459, 117, 122));
    let list = ListBody {
        uri: "sip:pres_list@192.0.2.10:5060",
        name: "pres_list",
        host: HOST,
        version: 0,
        full_state: true,
        boundary: "qwert",
        rlmi_cid: "abcde",
        children: vec![
            resource(
                "alice",
                "sip:alice@192.0.2.10:5060",
                "kjhgf",
                "zxcvb",
                &alice,
            ),
            resource("bob", "sip:bob@192.0.2.10:5060", "poiuy", "mnbvc", &bob),
        ],
    };
    check(
        &list,
        &[
            "\r\n--qwert\r\n",
            "Content-ID: <abcde@192.0.2.10>\r\n",
            "Content-Type: application/rlmi+xml\r\n",
            "Content-Length:   459\r\n",
            "\r\n",
            &rlmi,
            "\r\n--qwert\r\n",
            "Content-ID: <zxcvb@192.0.2.10>\r\n",
            "Content-Type: application/pidf+xml\r\n",
            "Content-Length:   117\r\n",
            "\r\n",
            &alice,
            "\r\n--qwert\r\n",
            "Content-ID: <mnbvc@192.0.2.10>\r\n",
            "Content-Type: application/pidf+xml\r\n",
            "Content-Length:   122\r\n",
            "\r\n",
            &bob,
            "\r\n--qwert--\r\n",
        ],
    );
}

/// A partial NOTIFY lists only the changed child, here a terminated one, with
/// `fullState="false"` and the list's current version.
#[test]
fn partial_state_with_terminated_instance() {
    let bob = pidf("sip:bob@192.0.2.10:5060", "On the phone");
    let rlmi = doc(&[
        PROLOG,
        "<list xmlns=\"urn:ietf:params:xml:ns:rlmi\" uri=\"sip:pres_list@192.0.2.10:5060\" version=\"7\" fullState=\"false\">",
        " <name>pres_list</name>",
        " <resource uri=\"sip:bob@192.0.2.10:5060\">",
        "  <name>bob</name>",
        "  <instance id=\"poiuy\" state=\"terminated\" cid=\"mnbvc@192.0.2.10\" />",
        " </resource>",
        "</list>",
    ]);
    assert_eq!(rlmi.len(), 322);
    let list = ListBody {
        uri: "sip:pres_list@192.0.2.10:5060",
        name: "pres_list",
        host: HOST,
        version: 7,
        full_state: false,
        boundary: "qwert",
        rlmi_cid: "abcde",
        children: vec![Child::Resource {
            uri: "sip:bob@192.0.2.10:5060",
            name: "bob",
            instance: "poiuy",
            cid: "mnbvc",
            state: InstanceState::Terminated,
            content_type: "application/pidf+xml",
            body: bob.as_bytes(),
        }],
    };
    check(
        &list,
        &[
            "\r\n--qwert\r\n",
            "Content-ID: <abcde@192.0.2.10>\r\n",
            "Content-Type: application/rlmi+xml\r\n",
            "Content-Length:   322\r\n",
            "\r\n",
            &rlmi,
            "\r\n--qwert\r\n",
            "Content-ID: <mnbvc@192.0.2.10>\r\n",
            "Content-Type: application/pidf+xml\r\n",
            "Content-Length:   122\r\n",
            "\r\n",
            &bob,
            "\r\n--qwert--\r\n",
        ],
    );
}

/// A nested list is one multipart/related part with its own boundary, RLMI and version; the
/// parent's RLMI names it as a resource whose cid is the nested part's Content-ID (not the
/// nested RLMI's), and its Content-Length counts the whole nested multipart.
#[test]
fn nested_list_is_one_multipart_part() {
    let alice = pidf("sip:alice@192.0.2.10:5060", "Ready");
    let bob = pidf("sip:bob@192.0.2.10:5060", "On the phone");
    let nested_rlmi = doc(&[
        PROLOG,
        "<list xmlns=\"urn:ietf:params:xml:ns:rlmi\" uri=\"sip:friends@192.0.2.10:5060\" version=\"3\" fullState=\"true\">",
        " <name>friends</name>",
        " <resource uri=\"sip:bob@192.0.2.10:5060\">",
        "  <name>bob</name>",
        "  <instance id=\"hhhhh\" state=\"active\" cid=\"ggggg@192.0.2.10\" />",
        " </resource>",
        "</list>",
    ]);
    let rlmi = doc(&[
        PROLOG,
        "<list xmlns=\"urn:ietf:params:xml:ns:rlmi\" uri=\"sip:buddies@192.0.2.10:5060\" version=\"12\" fullState=\"true\">",
        " <name>buddies</name>",
        " <resource uri=\"sip:alice@192.0.2.10:5060\">",
        "  <name>alice</name>",
        "  <instance id=\"ddddd\" state=\"active\" cid=\"ccccc@192.0.2.10\" />",
        " </resource>",
        " <resource uri=\"sip:friends@192.0.2.10:5060\">",
        "  <name>friends</name>",
        "  <instance id=\"iiiii\" state=\"active\" cid=\"jjjjj@192.0.2.10\" />",
        " </resource>",
        "</list>",
    ]);
    let nested_body = [
        "\r\n--eeeee\r\n",
        "Content-ID: <fffff@192.0.2.10>\r\n",
        "Content-Type: application/rlmi+xml\r\n",
        "Content-Length:   313\r\n",
        "\r\n",
        &nested_rlmi,
        "\r\n--eeeee\r\n",
        "Content-ID: <ggggg@192.0.2.10>\r\n",
        "Content-Type: application/pidf+xml\r\n",
        "Content-Length:   122\r\n",
        "\r\n",
        &bob,
        "\r\n--eeeee--\r\n",
    ]
    .concat();
    assert_eq!(
        (nested_rlmi.len(), nested_body.len(), rlmi.len()),
        (313, 656, 464)
    );
    let list = ListBody {
        uri: "sip:buddies@192.0.2.10:5060",
        name: "buddies",
        host: HOST,
        version: 12,
        full_state: true,
        boundary: "aaaaa",
        rlmi_cid: "bbbbb",
        children: vec![
            resource(
                "alice",
                "sip:alice@192.0.2.10:5060",
                "ddddd",
                "ccccc",
                &alice,
            ),
            Child::List {
                list: ListBody {
                    uri: "sip:friends@192.0.2.10:5060",
                    name: "friends",
                    host: HOST,
                    version: 3,
                    full_state: true,
                    boundary: "eeeee",
                    rlmi_cid: "fffff",
                    children: vec![resource(
                        "bob",
                        "sip:bob@192.0.2.10:5060",
                        "hhhhh",
                        "ggggg",
                        &bob,
                    )],
                },
                instance: "iiiii",
                cid: "jjjjj",
                state: InstanceState::Active,
            },
        ],
    };
    check(
        &list,
        &[
            "\r\n--aaaaa\r\n",
            "Content-ID: <bbbbb@192.0.2.10>\r\n",
            "Content-Type: application/rlmi+xml\r\n",
            "Content-Length:   464\r\n",
            "\r\n",
            &rlmi,
            "\r\n--aaaaa\r\n",
            "Content-ID: <ccccc@192.0.2.10>\r\n",
            "Content-Type: application/pidf+xml\r\n",
            "Content-Length:   117\r\n",
            "\r\n",
            &alice,
            "\r\n--aaaaa\r\n",
            "Content-ID: <jjjjj@192.0.2.10>\r\n",
            "Content-Type: multipart/related;type=\"application/rlmi+xml\";boundary=eeeee\r\n",
            "Content-Length:   656\r\n",
            "\r\n",
            &nested_body,
            "\r\n--aaaaa--\r\n",
        ],
    );
}

/// Names (the list's and a resource's) are escaped with the mapping of spec §7.2.
#[test]
fn names_are_escaped() {
    let body = pidf("sip:ab@192.0.2.10:5060", "Ready");
    let list = ListBody {
        uri: "sip:l@192.0.2.10:5060",
        name: "<l>",
        host: HOST,
        version: 1,
        full_state: true,
        boundary: "qwert",
        rlmi_cid: "abcde",
        children: vec![resource(
            "A&B <\"x\"> 'y'\r\n",
            "sip:ab@192.0.2.10:5060",
            "kjhgf",
            "zxcvb",
            &body,
        )],
    };
    let got = render_string(&list);
    assert!(got.contains("\n <name>&lt;l&gt;</name>\n"), "{got}");
    assert!(
        got.contains("\n  <name>A&amp;B &lt;&quot;x&quot;&gt; &apos;y&apos;&#13;&#10;</name>\n"),
        "{got}"
    );
    check_lengths(got.as_bytes(), "qwert");
}

/// An empty name prints as an empty element, the pjlib way, and an empty body has length 0.
#[test]
fn empty_name_and_empty_body() {
    let list = ListBody {
        uri: "sip:l@192.0.2.10:5060",
        name: "l",
        host: HOST,
        version: 0,
        full_state: true,
        boundary: "qwert",
        rlmi_cid: "abcde",
        children: vec![resource("", "sip:x@192.0.2.10:5060", "kjhgf", "zxcvb", "")],
    };
    let got = render_string(&list);
    assert!(got.contains("\n  <name />\n"), "{got}");
    assert!(
        got.ends_with(concat!(
            "\r\n--qwert\r\n",
            "Content-ID: <zxcvb@192.0.2.10>\r\n",
            "Content-Type: application/pidf+xml\r\n",
            "Content-Length:     0\r\n",
            "\r\n",
            "\r\n--qwert--\r\n",
        )),
        "{got}"
    );
}

/// 100 resources give 101 parts whose Content-Lengths match their bodies.
#[test]
fn hundred_resources() {
    let names: Vec<String> = (0..100).map(|idx| format!("{:04}", 1000 + idx)).collect();
    let uris: Vec<String> = names
        .iter()
        .map(|name| format!("sip:{name}@192.0.2.10:5060"))
        .collect();
    let bodies: Vec<String> = uris
        .iter()
        .enumerate()
        .map(|(idx, uri)| pidf(uri, &"x".repeat(idx * 7)))
        .collect();
    let list = ListBody {
        uri: "sip:big@192.0.2.10:5060",
        name: "big",
        host: HOST,
        version: 99,
        full_state: true,
        boundary: "zzzzz",
        rlmi_cid: "abcde",
        children: (0..100)
            .map(|idx| resource(&names[idx], &uris[idx], "kjhgf", "zxcvb", &bodies[idx]))
            .collect(),
    };
    let mut out = Vec::new();
    render(&list, &mut out);
    assert_eq!(check_lengths(&out, "zzzzz"), 101);
    let parts = parse(&out, "zzzzz");
    let rlmi = std::str::from_utf8(parts[0].body).expect("RLMI is UTF-8");
    assert_eq!(rlmi.matches("<resource ").count(), 100);
    assert!(rlmi.len() > 9999, "RLMI of {} bytes", rlmi.len());
    for (part, body) in parts[1..].iter().zip(&bodies) {
        assert_eq!(part.body, body.as_bytes());
    }
}

/// A part longer than 5 digits gets its whole length, pushing the field out.
#[test]
fn long_part_length_is_not_truncated() {
    let body = "y".repeat(123_456);
    let list = ListBody {
        uri: "sip:l@192.0.2.10:5060",
        name: "l",
        host: HOST,
        version: 0,
        full_state: true,
        boundary: "qwert",
        rlmi_cid: "abcde",
        children: vec![resource(
            "x",
            "sip:x@192.0.2.10:5060",
            "kjhgf",
            "zxcvb",
            &body,
        )],
    };
    let got = render_string(&list);
    assert!(got.contains("\r\nContent-Length: 123456\r\n\r\nyyy"));
    check_lengths(got.as_bytes(), "qwert");
}

/// `render` appends to what `out` already holds.
#[test]
fn render_appends() {
    let alice = pidf("sip:alice@192.0.2.10:5060", "Ready");
    let list = ListBody {
        uri: "sip:pres_list@192.0.2.10:5060",
        name: "pres_list",
        host: HOST,
        version: 0,
        full_state: true,
        boundary: "qwert",
        rlmi_cid: "abcde",
        children: vec![resource(
            "alice",
            "sip:alice@192.0.2.10:5060",
            "kjhgf",
            "zxcvb",
            &alice,
        )],
    };
    let mut out = b"NOTIFY head".to_vec();
    render(&list, &mut out);
    let body = out
        .strip_prefix(b"NOTIFY head".as_slice())
        .expect("prefix kept");
    assert_eq!(body, render_string(&list).as_bytes());
    assert_eq!(check_lengths(body, "qwert"), 2);
}

/// A nested list's part and its own RLMI part take the nested list's host; leaf parts take
/// their parent list's host (Asterisk uses each subscription's own URI host, and a leaf's URI
/// is its list's Request-URI with another user).
#[test]
fn content_id_hosts() {
    let bob = pidf("sip:bob@nested.invalid", "Ready");
    let list = ListBody {
        uri: "sip:outer@outer.invalid:5070",
        name: "outer",
        host: "outer.invalid",
        version: 0,
        full_state: true,
        boundary: "aaaaa",
        rlmi_cid: "bbbbb",
        children: vec![Child::List {
            list: ListBody {
                uri: "sip:inner@nested.invalid",
                name: "inner",
                host: "nested.invalid",
                version: 0,
                full_state: true,
                boundary: "eeeee",
                rlmi_cid: "fffff",
                children: vec![resource(
                    "bob",
                    "sip:bob@nested.invalid",
                    "hhhhh",
                    "ggggg",
                    &bob,
                )],
            },
            instance: "iiiii",
            cid: "jjjjj",
            state: InstanceState::Terminated,
        }],
    };
    let got = render_string(&list);
    let ids: Vec<&str> = got
        .split("\r\n")
        .filter_map(|line| line.strip_prefix("Content-ID: "))
        .collect();
    assert_eq!(
        ids,
        [
            "<bbbbb@outer.invalid>",
            "<jjjjj@nested.invalid>",
            "<fffff@nested.invalid>",
            "<ggggg@nested.invalid>",
        ]
    );
    assert!(got.contains(concat!(
        " <resource uri=\"sip:inner@nested.invalid\">\n",
        "  <name>inner</name>\n",
        "  <instance id=\"iiiii\" state=\"terminated\" cid=\"jjjjj@nested.invalid\" />\n",
    )));
    assert!(got.contains("cid=\"ggggg@nested.invalid\""));
    assert_eq!(check_lengths(got.as_bytes(), "aaaaa"), 2);
}
