//! The interface's words in each of Captioned's languages. One `Texts` value per language, each a
//! constant that sets every field: a text missing in any language is a compile error, so the
//! keys are checked at compile time without a code generator. Texts with values in them are
//! functions (`fn(usize) -> String`), one per language, so each language orders its own words.
//!
//! The page's language is decided once per request on the server (`crate::locale::resolve`,
//! in the server's `page_language` middleware), written to `<html lang dir>`, and read back
//! from there when the page hydrates, so both sides render the same words.

pub mod account;
pub mod common;
pub mod errors;
pub mod formats;
pub mod gallery;
pub mod photo;

use languages::Language;
use leptos::prelude::*;

/// Every text of the interface, in one language.
pub struct Texts {
    pub language: Language,
    pub common: common::CommonTexts,
    pub account: account::AccountTexts,
    pub errors: errors::ErrorTexts,
    pub gallery: gallery::GalleryTexts,
    pub photo: photo::PhotoTexts,
    pub formats: formats::Formats,
}

pub const EN: Texts = Texts {
    language: Language::En,
    common: common::EN,
    account: account::EN,
    errors: errors::EN,
    gallery: gallery::EN,
    photo: photo::EN,
    formats: formats::EN,
};

pub const ZH: Texts = Texts {
    language: Language::Zh,
    common: common::ZH,
    account: account::ZH,
    errors: errors::ZH,
    gallery: gallery::ZH,
    photo: photo::ZH,
    formats: formats::ZH,
};

pub const DE: Texts = Texts {
    language: Language::De,
    common: common::DE,
    account: account::DE,
    errors: errors::DE,
    gallery: gallery::DE,
    photo: photo::DE,
    formats: formats::DE,
};

pub const AR: Texts = Texts {
    language: Language::Ar,
    common: common::AR,
    account: account::AR,
    errors: errors::AR,
    gallery: gallery::AR,
    photo: photo::AR,
    formats: formats::AR,
};

/// The texts of a language.
pub fn texts(language: Language) -> &'static Texts {
    match language {
        Language::En => &EN,
        Language::Zh => &ZH,
        Language::De => &DE,
        Language::Ar => &AR,
    }
}

/// The page's language, as the server decided it for this request: from the request (server)
/// or from `<html lang>` (browser, when hydrating and after).
pub fn page_language() -> Language {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<Language>().copied())
            .unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    {
        #[cfg(feature = "hydrate")]
        {
            document()
                .document_element()
                .and_then(|html| html.get_attribute("lang"))
                .and_then(|code| Language::from_code(&code))
                .unwrap_or_default()
        }
        #[cfg(not(feature = "hydrate"))]
        {
            Language::default()
        }
    }
}

/// Puts the page's texts in the context, for `use_texts`.
pub fn provide_texts() {
    provide_context(texts(page_language()));
}

/// The texts of the page being rendered, in its language (English outside a page).
pub fn use_texts() -> &'static Texts {
    use_context::<&'static Texts>().unwrap_or(&EN)
}
