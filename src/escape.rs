//! Escaping text for a terminal: what the service or a spec sends is data, never a control
//! sequence. Every medium's renderer (text, Markdown, the apply report, progress lines) builds
//! on these.

/// `s` with control characters (other than tab) and bidirectional overrides escaped as
/// `\u{1b}`, so text from the API or a spec cannot move the cursor, recolor the terminal, break
/// a line where none was, or display in an order other than the one it has.
pub fn clean(s: &str) -> String {
    escape_where(s, |c| c != '\t')
}

/// Like [`clean`], but keeps line feeds: for messages made of several lines of their own (the
/// lines of a live string in them are [`clean`]ed where they are built).
pub fn clean_lines(s: &str) -> String {
    escape_where(s, |c| c != '\t' && c != '\n')
}

/// `s` with the characters that [`clean`] escapes escaped, except those `escape` refuses.
fn escape_where(s: &str, escape: impl Fn(char) -> bool) -> String {
    // The bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) are
    // format characters, not controls, but reorder what a reader sees ("Trojan Source").
    let hostile = |c: char| c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if hostile(c) && escape(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

/// Wraps `text` in an ANSI SGR `code` when `on`.
pub fn paint(on: bool, code: &str, text: &str) -> String {
    if on {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}
