//! `${VAR}` and `${VAR:-default}` in spec string values; `$${` is a literal `${`.

/// Expands variables in `text` using `env`; the error says which variable and why.
pub fn interpolate(text: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<String, String> {
    expand(text, env).map_err(|fault| match fault {
        Fault::Unterminated => format!("unterminated `${{` in {}", crate::model::quote_short(text)),
        Fault::NotAVariable(inner) => format!(
            "`${{{inner}}}` is not a variable reference: names are letters, digits and `_`, not starting with a digit"
        ),
        Fault::Unset(name) => unset(&name),
    })
}

/// Like [`interpolate`] for a sensitive value: the error never quotes any part of `text` (only
/// the name of a variable that is not set).
pub fn interpolate_secret(text: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<String, String> {
    expand(text, env).map_err(|fault| match fault {
        Fault::Unterminated | Fault::NotAVariable(_) => {
            "this sensitive value (not shown) has an unterminated `${` or a \
             `${...}` that is not a variable reference; write `$${` for a literal `${`"
                .to_string()
        }
        Fault::Unset(name) => unset(&name),
    })
}

fn unset(name: &str) -> String {
    format!("environment variable `{name}` is not set (use `${{{name}:-default}}` for a default)")
}

/// Why a `${` could not be expanded.
enum Fault {
    Unterminated,
    /// What was between the braces.
    NotAVariable(String),
    /// The variable's name.
    Unset(String),
}

fn expand(text: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<String, Fault> {
    if !text.contains('$') {
        return Ok(text.to_string());
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(pos) = rest.find('$') {
        out.push_str(&rest[..pos]);
        let after = &rest[pos..];
        if let Some(tail) = after.strip_prefix("$${") {
            out.push_str("${");
            rest = tail;
        } else if let Some(tail) = after.strip_prefix("${") {
            let end = tail.find('}').ok_or(Fault::Unterminated)?;
            let inner = &tail[..end];
            let (name, default) = match inner.split_once(":-") {
                Some((n, d)) => (n, Some(d)),
                None => (inner, None),
            };
            if !is_var_name(name) {
                return Err(Fault::NotAVariable(inner.to_string()));
            }
            match (env(name), default) {
                (Some(v), Some(d)) if v.is_empty() => out.push_str(d),
                (Some(v), _) => out.push_str(&v),
                (None, Some(d)) => out.push_str(d),
                (None, None) => return Err(Fault::Unset(name.to_string())),
            }
            rest = &tail[end + 1..];
        } else {
            out.push('$');
            rest = &after[1..];
        }
    }
    out.push_str(rest);
    Ok(out)
}

fn is_var_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "ACCOUNT" => Some("123456789012".into()),
            "EMPTY" => Some(String::new()),
            _ => None,
        }
    }

    #[test]
    fn expands_set_variables() {
        assert_eq!(interpolate("arn:${ACCOUNT}:x", &env).unwrap(), "arn:123456789012:x");
    }

    #[test]
    fn default_applies_when_unset_or_empty() {
        assert_eq!(interpolate("${NOPE:-d}", &env).unwrap(), "d");
        assert_eq!(interpolate("${EMPTY:-d}", &env).unwrap(), "d");
        assert_eq!(interpolate("${EMPTY}", &env).unwrap(), "");
    }

    #[test]
    fn unset_without_default_is_an_error_naming_it() {
        let e = interpolate("x${NOPE}", &env).unwrap_err();
        assert!(e.contains("`NOPE` is not set"), "{e}");
    }

    #[test]
    fn double_dollar_is_a_literal() {
        assert_eq!(interpolate("$${ACCOUNT} costs $5", &env).unwrap(), "${ACCOUNT} costs $5");
    }

    #[test]
    fn malformed_references_are_errors() {
        assert!(interpolate("${ACCOUNT", &env).is_err());
        assert!(interpolate("${1X}", &env).is_err());
    }
}
