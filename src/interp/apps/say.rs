//! The `Say*` applications (`main/pbx_builtins.c`, `main/say.c`, `apps/app_sayunixtime.c`,
//! `apps/app_saycounted.c`), simulated as playback: each sound file Asterisk would stream is a
//! `Playing` line in the trace, in English (`en`) file names.

use crate::interp::apps::AppDef;
use crate::interp::exec::{Exec, Flow};
use crate::interp::trace::Level;

pub(super) const APPS: &[AppDef] = &[
    AppDef::run("SayDigits", "Say Digits.", say_digits),
    AppDef::run("SayNumber", "Say Number.", say_number),
    AppDef::run("SayOrdinal", "Say Ordinal Number.", say_ordinal),
    AppDef::run("SayAlpha", "Say Alpha.", say_alpha),
    AppDef::run("SayAlphaCase", "Say Alpha.", say_alpha_case),
    AppDef::run("SayPhonetic", "Say Phonetic.", say_phonetic),
    AppDef::run("SayMoney", "Say Money.", say_money),
    AppDef::run("SayUnixTime", "Says a specified time in a custom format.", say_unix_time),
    AppDef::run("DateTime", "Says a specified time in a custom format.", say_unix_time),
    AppDef::run("SayCountedNoun", "Say a noun in declined form in order to count things", say_counted_noun),
    AppDef::run("SayCountedAdj", "Say a adjective in declined form in order to count things", say_counted_adj),
];

/// `ast_get_digit_str`.
fn digit_files(text: &str) -> Vec<String> {
    text.chars()
        .filter_map(|c| match c {
            '*' => Some("digits/star".to_string()),
            '#' => Some("digits/pound".to_string()),
            '-' => Some("digits/minus".to_string()),
            '0'..='9' => Some(format!("digits/{c}")),
            _ => None,
        })
        .collect()
}

/// `get_number_str_en`.
fn number_files(num: i64) -> Vec<String> {
    if num == 0 {
        return digit_files("0");
    }
    let mut out = Vec::new();
    let mut num = num;
    if num < 0 {
        out.push("digits/minus".to_string());
        num = -num;
    }
    if num >= 1_000_000_000 {
        out.extend(number_files(num / 1_000_000_000));
        out.push("digits/billion".to_string());
        num %= 1_000_000_000;
    }
    if num >= 1_000_000 {
        out.extend(number_files(num / 1_000_000));
        out.push("digits/million".to_string());
        num %= 1_000_000;
    }
    if num >= 1000 {
        out.extend(number_files(num / 1000));
        out.push("digits/thousand".to_string());
        num %= 1000;
    }
    if num >= 100 {
        out.push(format!("digits/{}", num / 100));
        out.push("digits/hundred".to_string());
        num %= 100;
    }
    if num >= 20 {
        out.push(format!("digits/{}", num / 10 * 10));
        num %= 10;
    }
    if num > 0 {
        out.push(format!("digits/{num}"));
    }
    out
}

/// `ast_say_enumeration_full_en`.
fn ordinal_files(num: i64) -> Vec<String> {
    let mut out = Vec::new();
    let mut num = num;
    if num < 0 {
        out.push("digits/minus".to_string());
        num = -num;
    }
    let scaled = |out: &mut Vec<String>, num: &mut i64, unit: i64, word: &str| {
        let count = *num / unit;
        *num %= unit;
        if count > 1 {
            out.extend(number_files(count));
        }
        out.push(if *num > 0 {
            format!("digits/{word}")
        } else {
            format!("digits/h-{word}")
        });
    };
    if num >= 1_000_000 {
        scaled(&mut out, &mut num, 1_000_000, "million");
    }
    if num >= 1000 {
        scaled(&mut out, &mut num, 1000, "thousand");
    }
    if num >= 100 {
        scaled(&mut out, &mut num, 100, "hundred");
    }
    if num >= 20 {
        let tens = num / 10 * 10;
        num %= 10;
        out.push(if num == 0 {
            format!("digits/h-{tens}")
        } else {
            format!("digits/{tens}")
        });
    }
    if num > 0 {
        out.push(format!("digits/h-{num}"));
    }
    out
}

/// `say_character_str_full`: case `None` ignores case, `Some(true)` announces upper case.
fn character_files(text: &str, announce: Option<bool>) -> Vec<String> {
    let mut out = Vec::new();
    for c in text.chars() {
        let file = match c {
            '*' => "digits/star".to_string(),
            '#' => "digits/pound".to_string(),
            '!' => "letters/exclaimation-point".to_string(),
            '@' => "letters/at".to_string(),
            '$' => "letters/dollar".to_string(),
            '-' => "letters/dash".to_string(),
            '.' => "letters/dot".to_string(),
            '=' => "letters/equals".to_string(),
            '+' => "letters/plus".to_string(),
            '/' => "letters/slash".to_string(),
            ' ' => "letters/space".to_string(),
            '0'..='9' => format!("digits/{c}"),
            c if c.is_ascii_alphabetic() => {
                match announce {
                    Some(true) if c.is_ascii_uppercase() => out.push("letters/uppercase".to_string()),
                    Some(false) if c.is_ascii_lowercase() => out.push("letters/lowercase".to_string()),
                    _ => {}
                }
                format!("letters/{}", c.to_ascii_lowercase())
            }
            _ => continue,
        };
        out.push(file);
    }
    out
}

fn play_all(exec: &mut Exec<'_>, files: &[String]) -> Flow {
    for file in files {
        exec.play(file);
    }
    Flow::Next
}

fn say_digits(exec: &mut Exec<'_>, data: &str) -> Flow {
    let digits = data.split(',').next().unwrap_or("");
    play_all(exec, &digit_files(digits))
}

/// The number argument of `SayNumber`/`SayOrdinal` (`ast_str_to_int`: the whole text).
fn number_arg(exec: &mut Exec<'_>, app: &str, data: &str) -> Option<(i64, Option<String>)> {
    if data.is_empty() {
        exec.log(
            Level::Warning,
            format!("{app} requires an argument (number)"),
        );
        return None;
    }
    let (text, options) = match data.split_once(',') {
        Some((text, options)) => (text, Some(options.split(',').next().unwrap_or("").to_string())),
        None => (data, None),
    };
    match text.trim().parse::<i32>() {
        Ok(n) => Some((i64::from(n), options)),
        Err(_) => {
            exec.log(
                Level::Warning,
                format!("argument '{text}' to {app} could not be parsed as a number."),
            );
            Some((i64::MIN, None))
        }
    }
}

fn say_number(exec: &mut Exec<'_>, data: &str) -> Flow {
    let Some((number, options)) = number_arg(exec, "SayNumber", data) else {
        return Flow::Stop;
    };
    if number == i64::MIN {
        return Flow::Next;
    }
    if let Some(options) = options {
        if !["f", "m", "c", "n"].iter().any(|it| it.eq_ignore_ascii_case(&options)) {
            exec.log(
                Level::Warning,
                "SayNumber gender option is either 'f', 'm', 'c' or 'n'".to_string(),
            );
            return Flow::Stop;
        }
    }
    play_all(exec, &number_files(number))
}

fn say_ordinal(exec: &mut Exec<'_>, data: &str) -> Flow {
    let Some((number, _)) = number_arg(exec, "SayOrdinal", data) else {
        return Flow::Stop;
    };
    if number == i64::MIN {
        return Flow::Next;
    }
    play_all(exec, &ordinal_files(number))
}

fn say_alpha(exec: &mut Exec<'_>, data: &str) -> Flow {
    play_all(exec, &character_files(data, None))
}

fn say_alpha_case(exec: &mut Exec<'_>, data: &str) -> Flow {
    let Some((case, text)) = data.split_once(',') else {
        exec.log(
            Level::Warning,
            "SayAlphaCase requires two arguments (options, characters)".to_string(),
        );
        return Flow::Next;
    };
    let announce = match case.chars().next() {
        Some('u') => Some(true),
        Some('l') => Some(false),
        Some('a') => Some(true),
        _ => None,
    };
    play_all(exec, &character_files(text, announce))
}

fn say_phonetic(exec: &mut Exec<'_>, data: &str) -> Flow {
    let files: Vec<String> = data
        .chars()
        .filter_map(|c| match c {
            'a'..='z' | 'A'..='Z' => Some(format!("phonetic/{}_p", c.to_ascii_lowercase())),
            '0'..='9' => Some(format!("digits/{c}")),
            '*' => Some("digits/star".to_string()),
            '#' => Some("digits/pound".to_string()),
            '-' => Some("letters/dash".to_string()),
            _ => None,
        })
        .collect();
    play_all(exec, &files)
}

/// `ast_get_money_en_dollars_str`.
fn say_money(exec: &mut Exec<'_>, data: &str) -> Flow {
    let (dollars_text, cents_text) = data.split_once('.').unwrap_or((data, ""));
    let dollars = dollars_text.trim().parse::<i64>().unwrap_or(0);
    let cents = if cents_text.starts_with(|c: char| c.is_ascii_digit()) {
        cents_text
            .chars()
            .take(2)
            .collect::<String>()
            .parse::<i64>()
            .unwrap_or(0)
    } else {
        0
    };
    let amount = dollars * 100 + cents;
    let mut files = Vec::new();
    if amount >= 100 {
        files.extend(number_files(amount / 100));
        files.push(if amount < 200 {
            if cents > 0 { "letters/dollar_" } else { "letters/dollar" }.to_string()
        } else {
            "dollars".to_string()
        });
        if cents > 0 {
            files.push("and".to_string());
        }
    }
    if cents > 0 {
        files.extend(number_files(cents));
        files.push(if cents == 1 { "cent" } else { "cents" }.to_string());
    } else if amount == 0 {
        files.extend(digit_files("0"));
        files.push("cents".to_string());
    }
    play_all(exec, &files)
}

/// `SayUnixTime([unixtime[,timezone[,format[,options]]]])`, English format codes of
/// `ast_say_date_with_format_en` (UTC).
fn say_unix_time(exec: &mut Exec<'_>, data: &str) -> Flow {
    let parts: Vec<&str> = data.splitn(4, ',').collect();
    let when = parts
        .first()
        .filter(|it| !it.is_empty())
        .and_then(|it| it.trim().parse::<i64>().ok())
        .unwrap_or(exec.now);
    let format = parts
        .get(2)
        .filter(|it| !it.is_empty())
        .copied()
        .unwrap_or("ABdY 'digits/at' IMp");
    let (year, month, day, weekday, secs) = crate::interp::clock::civil(when);
    let (hour, minute) = (secs / 3600, (secs / 60) % 60);
    let mut files = Vec::new();
    let mut chars = format.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                let name: String = chars.by_ref().take_while(|&c| c != '\'').collect();
                files.push(name);
            }
            'A' | 'a' => files.push(format!("digits/day-{weekday}")),
            'B' | 'b' | 'h' => files.push(format!("digits/mon-{}", month - 1)),
            'm' => files.extend(ordinal_files(i64::from(month))),
            'd' | 'e' => files.extend(ordinal_files(i64::from(day))),
            'Y' => files.extend(number_files(year)),
            'I' | 'l' => files.push(format!(
                "digits/{}",
                match hour {
                    0 => 12,
                    h if h > 12 => h - 12,
                    h => h,
                }
            )),
            'H' | 'k' => {
                if (c == 'H' && hour < 10) || (c == 'k' && hour == 0) {
                    files.push("digits/oh".to_string());
                }
                if hour != 0 {
                    let mut remaining = hour;
                    if hour > 20 {
                        files.push("digits/20".to_string());
                        remaining -= 20;
                    }
                    files.push(format!("digits/{remaining}"));
                }
            }
            'M' | 'N' => {
                if minute == 0 {
                    files.push(if c == 'M' { "digits/oclock" } else { "digits/hundred" }.to_string());
                } else if minute < 10 {
                    files.push("digits/oh".to_string());
                    files.push(format!("digits/{minute}"));
                } else {
                    files.extend(number_files(minute));
                }
            }
            'P' | 'p' => files.push(if hour > 11 { "digits/p-m" } else { "digits/a-m" }.to_string()),
            'S' => {
                if secs % 60 == 0 {
                    files.push("digits/oclock".to_string());
                } else {
                    files.extend(number_files(secs % 60));
                }
            }
            'R' => {
                files.extend(number_files(hour));
                files.extend(number_files(minute));
            }
            'T' => {
                files.extend(number_files(hour));
                files.extend(number_files(minute));
                files.extend(number_files(secs % 60));
            }
            ' ' => {}
            other => exec.log(
                Level::Warning,
                format!("Unknown character in datetime format {format}: {other} at pos {}", 0),
            ),
        }
    }
    play_all(exec, &files)
}

fn counted(exec: &mut Exec<'_>, app: &str, data: &str, adjective: bool) -> Flow {
    let Some((number, word)) = data.split_once(',').filter(|it| !it.1.is_empty()) else {
        exec.log(
            Level::Warning,
            format!("{app} requires two arguments (<number>,<noun>)"),
        );
        return Flow::Stop;
    };
    let Ok(number) = number.trim().parse::<i64>() else {
        exec.log(
            Level::Warning,
            format!("First argument must be a number between 0 and 2147483647."),
        );
        return Flow::Stop;
    };
    let word = word.split(',').next().unwrap_or(word);
    // English: the plural form ends in `s` unless the count is one; adjectives do not change.
    let file = if adjective || number == 1 {
        word.to_string()
    } else {
        format!("{word}s")
    };
    exec.play(&file);
    Flow::Next
}

fn say_counted_noun(exec: &mut Exec<'_>, data: &str) -> Flow {
    counted(exec, "SayCountedNoun", data, false)
}

fn say_counted_adj(exec: &mut Exec<'_>, data: &str) -> Flow {
    counted(exec, "SayCountedAdj", data, true)
}
