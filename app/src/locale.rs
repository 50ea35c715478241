//! Which language a reader gets captions in: the one saved on their account, else the one they
//! picked in the header (the `lang` cookie), else the first of their browser's languages
//! (`Accept-Language`) that Captioned has, else English. One rule, decided once per request.

use languages::Language;

/// The cookie the header's language switcher sets (for visitors, and before logging in).
pub const LANGUAGE_COOKIE: &str = "lang";

/// The reader's language from what the request carries.
pub fn resolve(account: Option<Language>, cookie_header: Option<&str>, accept_language: Option<&str>) -> Language {
    account
        .or_else(|| cookie_header.and_then(from_cookie_header))
        .or_else(|| accept_language.and_then(from_accept_language))
        .unwrap_or_default()
}

/// The language the `lang` cookie names, if it names one of ours.
pub fn from_cookie_header(header: &str) -> Option<Language> {
    header.split(';').find_map(|pair| {
        let (name, value) = pair.trim().split_once('=')?;
        (name == LANGUAGE_COOKIE).then(|| Language::from_code(value.trim()))?
    })
}

/// The most preferred language of an `Accept-Language` header that Captioned has: by quality,
/// then by order; "zh-CN" counts as "zh", "q=0" as refused.
pub fn from_accept_language(header: &str) -> Option<Language> {
    let mut offered: Vec<(f32, usize, Language)> = header
        .split(',')
        .enumerate()
        .filter_map(|(at, item)| {
            let mut parts = item.split(';');
            let tag = parts.next()?.trim();
            let quality = match parts.find_map(|p| p.trim().strip_prefix("q=")) {
                Some(q) => q.trim().parse::<f32>().ok()?,
                None => 1.0,
            };
            let primary = tag.split('-').next()?.to_ascii_lowercase();
            let language = Language::from_code(&primary)?;
            (quality > 0.0).then_some((quality, at, language))
        })
        .collect();
    offered.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    offered.first().map(|(_, _, language)| *language)
}

/// Where the switcher sends the reader back to: a path of this site, never another site's
/// address ("//evil.example" or "https://…" become "/").
pub fn local_path(return_to: &str) -> &str {
    let local = return_to.starts_with('/') && !return_to.starts_with("//") && !return_to.contains('\\');
    if local {
        return_to
    } else {
        "/"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_browsers_most_preferred_language_that_we_have_wins() {
        assert_eq!(from_accept_language("zh-CN,zh;q=0.9,en;q=0.8"), Some(Language::Zh));
        assert_eq!(from_accept_language("fr-FR, de;q=0.7, en;q=0.9"), Some(Language::En));
        assert_eq!(from_accept_language("fr, ar-EG;q=0.5"), Some(Language::Ar));
        assert_eq!(from_accept_language("de;q=0, en;q=0.1"), Some(Language::En), "q=0 refuses German");
        assert_eq!(from_accept_language("fr, es"), None);
        assert_eq!(from_accept_language(""), None);
        assert_eq!(from_accept_language("de;q=nonsense, zh"), Some(Language::Zh));
    }

    #[test]
    fn the_account_beats_the_cookie_which_beats_the_browser() {
        let cookies = Some("session=abc; lang=de");
        assert_eq!(resolve(Some(Language::Ar), cookies, Some("zh")), Language::Ar);
        assert_eq!(resolve(None, cookies, Some("zh")), Language::De);
        assert_eq!(resolve(None, Some("session=abc; lang=xx"), Some("zh")), Language::Zh, "an unknown code is ignored");
        assert_eq!(resolve(None, None, Some("fr")), Language::En);
        assert_eq!(resolve(None, None, None), Language::En);
    }

    #[test]
    fn the_switcher_only_returns_to_this_site() {
        assert_eq!(local_path("/photos/abc?x=1"), "/photos/abc?x=1");
        for away in ["//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:alert(1)", ""] {
            assert_eq!(local_path(away), "/", "{away}");
        }
    }
}
