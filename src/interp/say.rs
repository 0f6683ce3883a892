//! The sound files Asterisk's `main/say.c` picks to say digits, numbers, ordinals, characters,
//! phonetic letters and money, in English (`en`). The `Say*` applications play them;
//! `SAYFILES()` returns them.

/// `ast_get_digit_str`.
pub fn digit_files(text: &str) -> Vec<String> {
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
pub fn number_files(num: i64) -> Vec<String> {
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
pub fn ordinal_files(num: i64) -> Vec<String> {
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
pub fn character_files(text: &str, announce: Option<bool>) -> Vec<String> {
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
                    Some(true) if c.is_ascii_uppercase() => {
                        out.push("letters/uppercase".to_string())
                    }
                    Some(false) if c.is_ascii_lowercase() => {
                        out.push("letters/lowercase".to_string())
                    }
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

/// `ast_get_phonetic_str`.
pub fn phonetic_files(text: &str) -> Vec<String> {
    text.chars()
        .filter_map(|c| match c {
            'a'..='z' | 'A'..='Z' => Some(format!("phonetic/{}_p", c.to_ascii_lowercase())),
            '0'..='9' => Some(format!("digits/{c}")),
            '*' => Some("digits/star".to_string()),
            '#' => Some("digits/pound".to_string()),
            '-' => Some("letters/dash".to_string()),
            _ => None,
        })
        .collect()
}

/// `ast_get_money_en_dollars_str`.
pub fn money_files(text: &str) -> Vec<String> {
    let (dollars_text, cents_text) = text.split_once('.').unwrap_or((text, ""));
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
            if cents > 0 {
                "letters/dollar_"
            } else {
                "letters/dollar"
            }
            .to_string()
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
    files
}
