//! Endpoint URLs with their secrets masked, for every Debug, Display, error and log line.
//!
//! Hosted bundlers and nodes put credentials in the URL: `user:password@`, `?apikey=…`, or a key as a path
//! segment (`/v2/<key>`). [`redact_url`] keeps what helps debugging (scheme, host, port, the short path
//! segments, query parameter names) and replaces the rest with `***`:
//!
//! - the userinfo (`user:password@`) as a whole;
//! - every query value (a parameter without `=` entirely) and the fragment;
//! - every path segment holding a run of 16 or more characters of `[A-Za-z0-9_-]` (API keys, hex, base58,
//!   base64url tokens).
//!
//! It works on any text, parsable as a URL or not, so even an invalid URL can be quoted in an error.

use core::fmt;

const MASK: &str = "***";
/// A path segment with this many consecutive key characters is treated as a secret.
const KEY_RUN: usize = 16;

/// `url` with its userinfo, query values, fragment and key-like path segments masked.
///
/// ```
/// use nexus_sessions_bundler::redact_url;
///
/// assert_eq!(
///     redact_url("https://user:pw@api.example.com/v2/84532/rpc?apikey=pim_1234&chain=base#frag"),
///     "https://***@api.example.com/v2/84532/rpc?apikey=***&chain=***#***"
/// );
/// assert_eq!(
///     redact_url("https://base.g.example.com/v2/0123456789abcdefDEADBEEF"),
///     "https://base.g.example.com/v2/***"
/// );
/// ```
pub fn redact_url(url: &str) -> String {
    let (scheme, rest) = match url.find("://") {
        Some(i) => url.split_at(i + 3),
        None => ("", url),
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, rest) = rest.split_at(authority_end);
    let mut out = String::with_capacity(url.len());
    out.push_str(scheme);
    match authority.rfind('@') {
        Some(at) => {
            out.push_str(MASK);
            out.push_str(&authority[at..]);
        }
        // Without a scheme, the "host" may be a whole secret (a key pasted where a URL belongs).
        None if scheme.is_empty() => out.push_str(&mask_segment(authority)),
        None => out.push_str(authority),
    }
    let (before_fragment, fragment) = match rest.find('#') {
        Some(i) => (&rest[..i], Some(&rest[i + 1..])),
        None => (rest, None),
    };
    let (path, query) = match before_fragment.find('?') {
        Some(i) => (&before_fragment[..i], Some(&before_fragment[i + 1..])),
        None => (before_fragment, None),
    };
    for (i, segment) in path.split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        out.push_str(&mask_segment(segment));
    }
    if let Some(query) = query {
        out.push('?');
        for (i, pair) in query.split('&').enumerate() {
            if i > 0 {
                out.push('&');
            }
            match pair.split_once('=') {
                Some((name, _)) => {
                    out.push_str(&mask_segment(name));
                    out.push('=');
                    out.push_str(MASK);
                }
                None if pair.is_empty() => {}
                None => out.push_str(MASK),
            }
        }
    }
    if let Some(fragment) = fragment {
        out.push('#');
        if !fragment.is_empty() {
            out.push_str(MASK);
        }
    }
    out
}

fn mask_segment(segment: &str) -> std::borrow::Cow<'_, str> {
    let mut run = 0;
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || b == b'_' || b == b'-' {
            run += 1;
            if run >= KEY_RUN {
                return MASK.into();
            }
        } else {
            run = 0;
        }
    }
    segment.into()
}

/// `text` with every `http://`, `https://`, `ws://` or `wss://` URL in it redacted by [`redact_url`]
/// (for transport error messages, which quote the URL they failed on).
pub fn redact_urls_in(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = find_url_start(rest) {
        out.push_str(&rest[..start]);
        let tail = &rest[start..];
        let end = tail
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | '`' | ')'))
            .unwrap_or(tail.len());
        out.push_str(&redact_url(&tail[..end]));
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

fn find_url_start(text: &str) -> Option<usize> {
    ["http://", "https://", "ws://", "wss://"]
        .iter()
        .filter_map(|scheme| {
            // Case-insensitive scheme match without allocating.
            text.as_bytes()
                .windows(scheme.len())
                .position(|w| w.eq_ignore_ascii_case(scheme.as_bytes()))
        })
        .min()
}

/// Displays and debugs a URL redacted by [`redact_url`]; for hand-written `Debug` impls.
#[derive(Clone, Copy)]
pub struct RedactedUrl<'a>(pub &'a str);

impl fmt::Display for RedactedUrl<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&redact_url(self.0))
    }
}

impl fmt::Debug for RedactedUrl<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&redact_url(self.0), f)
    }
}

/// An error and its sources on one line, each source once (reqwest hides "connection refused" in
/// the source chain). Not redacted: pass the result through [`redact_urls_in`] before showing it.
pub fn error_chain_text(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(s) = source {
        let s_text = s.to_string();
        if !text.contains(&s_text) {
            text.push_str(": ");
            text.push_str(&s_text);
        }
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_every_secret_part() {
        for (url, want) in [
            ("http://127.0.0.1:4337", "http://127.0.0.1:4337"),
            ("http://127.0.0.1:4337/", "http://127.0.0.1:4337/"),
            ("http://a:b@host:1/rpc", "http://***@host:1/rpc"),
            ("http://a@b:pw@host/x", "http://***@host/x"),
            ("https://h/v3/0123456789abcdef", "https://h/v3/***"),
            ("https://h/v3/short-key", "https://h/v3/short-key"),
            ("https://h/rpc?key", "https://h/rpc?***"),
            ("https://h/rpc?a=1&&b=", "https://h/rpc?a=***&&b=***"),
            ("https://h/#", "https://h/#"),
            ("user:secret@host/x", "***@host/x"),
            (
                "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
                "***",
            ),
            ("", ""),
        ] {
            assert_eq!(redact_url(url), want, "{url}");
        }
    }

    #[test]
    fn masks_urls_inside_text() {
        let text =
            "error sending request for url (https://u:p@h/v2/AAAAAAAAAAAAAAAAAAAA?k=v): refused";
        assert_eq!(
            redact_urls_in(text),
            "error sending request for url (https://***@h/v2/***?k=***): refused"
        );
        assert_eq!(redact_urls_in("no url here"), "no url here");
        assert_eq!(
            redact_urls_in("HTTPS://u:p@h and ws://x/?a=b"),
            "HTTPS://***@h and ws://x/?a=***"
        );
    }
}
