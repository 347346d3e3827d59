//! YAML that every parser reads the same: export's emitter.
//!
//! acgw reads YAML 1.2, where `2012-10-17`, `yes` and `0755` are strings; PyYAML, Ruby's Psych
//! and go-yaml read YAML 1.1, where they are a date, `true` and 493. A string written plain is
//! read back as that string by every parser only when neither schema resolves it to anything
//! else, so (as Kubernetes' `sigs.k8s.io/yaml` does) every string that either YAML 1.1's or YAML
//! 1.2 core schema's resolver would match, and every string that is not a safe plain scalar at
//! all, is double-quoted. Multi-line strings become literal blocks when that is exact.

use serde_json::Value;

/// `value` as a YAML document (block style, two-space indentation), ending in a newline.
pub fn to_string(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Object(map) if !map.is_empty() => mapping(map, 0, &mut out),
        Value::Array(items) if !items.is_empty() => sequence(items, 0, &mut out),
        other => {
            out.push_str(&inline(other));
            out.push('\n');
        }
    }
    out
}

fn mapping(map: &serde_json::Map<String, Value>, indent: usize, out: &mut String) {
    for (key, v) in map {
        out.push_str(&" ".repeat(indent));
        out.push_str(&scalar_string(key));
        out.push(':');
        node(v, indent + 2, true, out);
    }
}

fn sequence(items: &[Value], indent: usize, out: &mut String) {
    for v in items {
        out.push_str(&" ".repeat(indent));
        out.push('-');
        node(v, indent + 2, false, out);
    }
}

/// A value after `key:` or `-`: nested collections on the next lines, scalars on this one.
fn node(v: &Value, indent: usize, in_map: bool, out: &mut String) {
    match v {
        Value::Object(m) if !m.is_empty() => {
            if in_map {
                out.push('\n');
                mapping(m, indent, out);
            } else {
                // A mapping in a sequence starts on the dash's line.
                let mut inner = String::new();
                mapping(m, indent, &mut inner);
                out.push(' ');
                out.push_str(&inner[indent..]);
            }
        }
        Value::Array(items) if !items.is_empty() => {
            out.push('\n');
            sequence(items, indent, out);
        }
        Value::String(s) if block_ok(s) => {
            out.push_str(&block(s, indent));
        }
        other => {
            out.push(' ');
            out.push_str(&inline(other));
            out.push('\n');
        }
    }
}

/// A scalar or empty collection on one line.
fn inline(v: &Value) -> String {
    match v {
        Value::Null => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => scalar_string(s),
        Value::Array(_) => "[]".to_string(),
        Value::Object(_) => "{}".to_string(),
    }
}

/// `s` plain when every parser reads it back as this string, double-quoted otherwise.
pub fn scalar_string(s: &str) -> String {
    if plain_ok(s) {
        s.to_string()
    } else {
        quoted(s)
    }
}

/// A double-quoted scalar: JSON's escapes are YAML's, except that YAML needs no `\/` and JSON
/// leaves some characters (DEL, C1 controls, line and paragraph separators) raw that a YAML
/// parser folds or refuses.
fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20
                || ('\u{7f}'..='\u{9f}').contains(&c)
                || c == '\u{2028}'
                || c == '\u{2029}'
                || c == '\u{feff}' =>
            {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// True when `s` may be written plain: made only of characters that need no quoting anywhere,
/// not starting with an indicator, and resolved by neither YAML 1.1 nor YAML 1.2 core to
/// anything but a string.
fn plain_ok(s: &str) -> bool {
    let Some(first) = s.chars().next() else { return false };
    let last = s.chars().last().unwrap_or(first);
    let safe_char =
        |c: char| c.is_ascii_alphanumeric() || " _-./@+()=$:".contains(c) || (c as u32 >= 0xa0 && c.is_alphanumeric());
    // `: ` makes a key; a leading indicator starts a different node kind.
    s.chars().all(safe_char)
        && !" -.+=$(@:".contains(first)
        && last != ' '
        && last != ':'
        && !s.contains(": ")
        && !s.contains("  ")
        && !resolves_to_non_string(s)
}

/// Whether a YAML 1.1 or 1.2 (core or JSON schema) resolver reads the plain scalar `s` as a
/// null, boolean, integer, float, timestamp, merge key or value key.
pub fn resolves_to_non_string(s: &str) -> bool {
    const WORDS: &[&str] = &[
        // null
        "", "~", "null", "Null", "NULL", // YAML 1.1 booleans (1.2 keeps only true/false)
        "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE",
        "on", "On", "ON", "off", "Off", "OFF", // floats
        ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", ".nan", ".NaN", ".NAN",
        // merge and value keys (YAML 1.1)
        "<<", "=",
    ];
    if WORDS.contains(&s) {
        return true;
    }
    // Anything number-like, timestamp-like or sexagesimal: quoting a string that only looks like
    // one costs nothing, missing one breaks a reader.
    let first = s.chars().next().unwrap_or(' ');
    let numeric_start = first.is_ascii_digit() || ((first == '-' || first == '+' || first == '.') && s.len() > 1);
    if numeric_start {
        let body = s.trim_start_matches(['-', '+']);
        let number_chars = |c: char| c.is_ascii_hexdigit() || "._:xXoObB+-eE".contains(c);
        if body.chars().all(number_chars) {
            return true;
        }
        // Timestamps: 2001-12-14t21:59:43.10-05:00, 2001-12-14 21:59:43.10 -5
        let date = regex_date(s);
        if date {
            return true;
        }
    }
    false
}

/// YAML 1.1's timestamp: a date, optionally followed by a time.
fn regex_date(s: &str) -> bool {
    static RE: std::sync::OnceLock<Option<regex::Regex>> = std::sync::OnceLock::new();
    RE.get_or_init(|| regex::Regex::new(r"^[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?([Tt]|[ \t]+|$)").ok())
        .as_ref()
        .is_some_and(|re| re.is_match(s))
}

/// True when a multi-line `s` can be a literal block scalar and read back exactly: printable,
/// no line starting with a space or tab before the first non-blank one (that would need an
/// indentation indicator), no trailing spaces (editors strip them).
fn block_ok(s: &str) -> bool {
    s.contains('\n')
        && !s.starts_with([' ', '\t', '\n'])
        && s.chars().all(|c| {
            c == '\n'
                || c == '\t'
                || (!c.is_control() && c != '\u{feff}' && c != '\u{2028}' && c != '\u{2029}' && c != '\u{85}')
        })
        && s.lines().all(|l| !l.ends_with([' ', '\t']))
        && !s.contains('\r')
}

/// A literal block scalar for `s`, with the chomping indicator that keeps its final newlines.
fn block(s: &str, indent: usize) -> String {
    let body = s.trim_end_matches('\n');
    let trailing = s.len() - body.len();
    let chomp = match trailing {
        0 => "-",
        1 => "",
        _ => "+",
    };
    let mut out = format!(" |{chomp}\n");
    let pad = " ".repeat(indent);
    for line in body.split('\n') {
        if !line.is_empty() {
            out.push_str(&pad);
            out.push_str(line);
        }
        out.push('\n');
    }
    // With `+`, the extra final newlines are kept as empty lines.
    for _ in 1..trailing {
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Strings that some YAML parser reads as something else when written plain.
    const TRAPS: &[&str] = &[
        "2012-10-17",
        "2025-06-18",
        "2001-12-14t21:59:43.10-05:00",
        "2001-12-14 21:59:43.10 -5",
        "yes",
        "no",
        "on",
        "off",
        "y",
        "n",
        "Y",
        "N",
        "True",
        "NO",
        "0755",
        "0o755",
        "0x1F",
        "1e3",
        "1.5",
        "-1",
        "+1",
        ".5",
        ".inf",
        "-.inf",
        ".nan",
        "~",
        "null",
        "",
        "=",
        "<<",
        "1:20",
        "190:20:30",
        "1_000",
        "0b101",
        "12e03",
        "-.5e-3",
    ];

    #[test]
    fn traps_are_quoted() {
        for s in TRAPS {
            let out = scalar_string(s);
            assert!(out.starts_with('"'), "{s:?} was written {out}");
            let back: String = serde_json::from_str(&out).expect("a double-quoted scalar is a JSON string here");
            assert_eq!(back, *s);
        }
    }

    #[test]
    fn plain_strings_stay_plain() {
        for s in ["MCP", "AWS_IAM", "arn:aws:iam::123:role/x", "billing tools", "a.b", "SEMANTIC", "x-1", "v1.2.3"] {
            assert_eq!(scalar_string(s), s);
        }
    }

    #[test]
    fn indicators_and_structure_are_quoted() {
        for s in [
            "- a", "a: b", "a #b", "#x", "&a", "*a", "!t", "|", ">", "%x", "@x", "`x", "{a}", "[a]", "a,b", "'a'",
            "\"a\"", " a", "a ", "?", "a\u{7f}",
        ] {
            assert!(scalar_string(s).starts_with('"'), "{s:?}");
        }
    }

    #[test]
    fn documents_read_back_as_written_by_serde_yaml() {
        let value = json!({
            "gateways": [{
                "name": "billing",
                "Version": "2012-10-17",
                "versions": ["2025-06-18", "2025-03-26"],
                "flags": {"yes": "no", "on": "off", "<<": "=", "0755": 1e3},
                "policy": "line one\n  indented\nlast\n",
                "kept": "a\n\n",
                "stripped": "a\nb",
                "empty": [], "none": {}, "nothing": null, "n": 3, "t": true,
                "nested": [[1, "2"], [{"a": ["b"]}]],
                "odd": " lead\ttab\r\n\u{1}"
            }]
        });
        let text = to_string(&value);
        let back: serde_json::Value = serde_yaml::from_str(&text).expect(&text);
        assert_eq!(back, value, "{text}");
    }

    proptest::proptest! {
        /// Any string, as a value and as a key, in a mapping and a list, reads back as itself.
        #[test]
        fn any_string_reads_back(s in "[ -~\t\n\r\u{85}\u{a0}-\u{ff}\u{2028}\u{feff}]{0,40}") {
            let value = json!({ "k": s.clone(), s.clone(): [s.clone(), { "n": s.clone() }] });
            let text = to_string(&value);
            let back: serde_json::Value = serde_yaml::from_str(&text).map_err(|e| proptest::test_runner::TestCaseError::fail(format!("{e}: {text}")))?;
            proptest::prop_assert_eq!(back, value, "{}", text);
        }
    }
}
