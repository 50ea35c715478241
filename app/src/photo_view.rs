//! What the pages know of a photo. Shared by both sides; the server fills it in.

use std::collections::BTreeMap;

use languages::Language;
use serde::{Deserialize, Serialize};

use crate::i18n::Texts;

/// Why a photo's caption job failed, stored as this code and said in the reader's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaptionFailure {
    /// The captioner returned an error on every attempt (the log has it).
    CaptionerFailed,
    /// The worker stopped (crash, restart) while on this photo, on every attempt.
    WorkerStopped,
}

impl CaptionFailure {
    /// The code a failed job stores in `job.last_error`.
    pub fn code(self) -> &'static str {
        match self {
            CaptionFailure::CaptionerFailed => "captioner_failed",
            CaptionFailure::WorkerStopped => "worker_stopped",
        }
    }

    /// A stored code (errors stored as English text before codes count as the captioner's).
    pub fn from_stored(stored: &str) -> Self {
        if stored == CaptionFailure::WorkerStopped.code() || stored.starts_with("The captioner stopped") {
            CaptionFailure::WorkerStopped
        } else {
            CaptionFailure::CaptionerFailed
        }
    }
}

/// Where a photo's caption job stands: a new photo starts `Pending`, a caption worker makes it
/// `Running`, then `Done`, or `Failed` after its last attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CaptionState {
    Pending,
    Running,
    Done,
    Failed,
}

impl CaptionState {
    /// The name stored in the database and shown in the page's markup.
    pub fn as_str(self) -> &'static str {
        match self {
            CaptionState::Pending => "pending",
            CaptionState::Running => "running",
            CaptionState::Done => "done",
            CaptionState::Failed => "failed",
        }
    }

    /// Still waiting for a caption: the page keeps asking.
    pub fn in_progress(self) -> bool {
        matches!(self, CaptionState::Pending | CaptionState::Running)
    }
}

/// Who may see a photo besides its owner (see `ssr::access` for the rule).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    /// The owner alone.
    #[default]
    Private,
    /// Whoever holds one of its share links.
    Link,
    /// Everyone: the owner's profile, Explore and public search.
    Public,
}

impl Visibility {
    pub const ALL: [Visibility; 3] = [Visibility::Private, Visibility::Link, Visibility::Public];

    /// The name stored in the database and sent by forms.
    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Private => "private",
            Visibility::Link => "link",
            Visibility::Public => "public",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == name)
    }

    pub fn label(self, texts: &'static Texts) -> &'static str {
        let t = &texts.common;
        match self {
            Visibility::Private => t.visibility_private,
            Visibility::Link => t.visibility_link,
            Visibility::Public => t.visibility_public,
        }
    }

    pub fn explained(self, texts: &'static Texts) -> &'static str {
        let t = &texts.common;
        match self {
            Visibility::Private => t.visibility_private_explained,
            Visibility::Link => t.visibility_link_explained,
            Visibility::Public => t.visibility_public_explained,
        }
    }
}

/// A photo in the owner's gallery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhotoSummary {
    pub id: String,
    pub file_name: String,
    /// The caption shown to this reader (see `Photo::caption_for`).
    pub shown_caption: Option<String>,
    /// The shown caption is the model's and the model is unsure of it.
    pub caption_unsure: bool,
    /// The language the shown caption is in.
    pub caption_language: Language,
    pub caption_state: CaptionState,
    pub visibility: Visibility,
}

/// Who shared a photo, as others see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnerCard {
    pub username: String,
    /// The display name, else the username.
    pub name: String,
    /// Whether `/u/{username}` exists for others.
    pub has_profile: bool,
}

/// What someone other than the owner gets of a photo: never the original, its file name or
/// anything else that the upload carried.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicPhoto {
    pub id: String,
    /// The caption for this reader (see `Photo::caption_for`; `None` while it is being written).
    pub caption: Option<String>,
    /// The caption is the model's and the model is unsure of it.
    pub caption_unsure: bool,
    /// The language the caption is in.
    pub caption_language: Language,
    pub caption_state: CaptionState,
    pub owner: OwnerCard,
    /// Where its display copy and thumbnail are: `/media/{id}` for a public photo, the share
    /// link's own path for a photo opened through a link.
    pub image_base: String,
    pub width: u32,
    pub height: u32,
    /// Milliseconds since 1970, UTC (shown with `Texts::date_time`).
    pub uploaded_at: i64,
    pub likes: u64,
    /// Whether the viewer likes it; `None` for a visitor or where it cannot be liked.
    pub liked: Option<bool>,
}

impl PublicPhoto {
    pub fn caption_text(&self, texts: &Texts) -> String {
        caption_text(texts, self.caption.as_deref(), self.caption_state, self.caption_unsure)
    }
}

/// A page of public photos, newest first; `next` is the cursor of the page after it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedPage {
    pub photos: Vec<PublicPhoto>,
    pub next: Option<String>,
}

/// A public profile and a page of its public photos.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub owner: OwnerCard,
    pub bio: Option<String>,
    pub photos: FeedPage,
}

/// How long a new share link works.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum LinkExpiry {
    #[serde(rename = "1d")]
    Day,
    #[serde(rename = "7d")]
    Week,
    #[default]
    #[serde(rename = "30d")]
    Month,
    #[serde(rename = "never")]
    Never,
}

impl LinkExpiry {
    pub const ALL: [LinkExpiry; 4] = [LinkExpiry::Day, LinkExpiry::Week, LinkExpiry::Month, LinkExpiry::Never];

    pub fn as_str(self) -> &'static str {
        match self {
            LinkExpiry::Day => "1d",
            LinkExpiry::Week => "7d",
            LinkExpiry::Month => "30d",
            LinkExpiry::Never => "never",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.as_str() == name)
    }

    pub fn label(self, texts: &'static Texts) -> &'static str {
        let t = &texts.common;
        match self {
            LinkExpiry::Day => t.expiry_day,
            LinkExpiry::Week => t.expiry_week,
            LinkExpiry::Month => t.expiry_month,
            LinkExpiry::Never => t.expiry_never,
        }
    }

    pub fn days(self) -> Option<i64> {
        match self {
            LinkExpiry::Day => Some(1),
            LinkExpiry::Week => Some(7),
            LinkExpiry::Month => Some(30),
            LinkExpiry::Never => None,
        }
    }
}

/// One of the owner's active share links, as the "Shared links" page lists it. The token itself
/// is shown once, when the link is made: only its hash is stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShareLinkInfo {
    pub id: String,
    pub photo_id: String,
    pub photo_caption: Option<String>,
    /// The first characters of the token, so that the owner can tell links apart.
    pub hint: String,
    /// Milliseconds since 1970, UTC (shown with `Texts::date_time`).
    pub created_at: i64,
    /// `None`: never expires.
    pub expires_at: Option<i64>,
    pub has_password: bool,
    pub views: u64,
}

/// A link just made: the only time its full address is known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewShareLink {
    pub path: String,
}

/// What a share link opens to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SharedPhoto {
    /// The link has a password and this browser has not given it yet.
    NeedsPassword,
    Photo(PublicPhoto),
}

/// The account settings page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountSettings {
    pub display_name: String,
    pub bio: String,
    pub default_visibility: Visibility,
    pub profile_public: bool,
}

impl PhotoSummary {
    /// The caption, or what the page says while there is none yet. Also the image's alt text.
    pub fn caption_text(&self, texts: &Texts) -> String {
        caption_text(texts, self.shown_caption.as_deref(), self.caption_state, self.caption_unsure)
    }
}

/// One of the model's captions for a photo: its beam-search score (what ranked it, higher is
/// better), its mean log-probability per word (closer to 0 is more confident) and that of its
/// weakest words, which decides `unsure` (kept, so that a new threshold can be applied to stored
/// captions; none for captions stored before 2026-11-30).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suggestion {
    pub text: String,
    pub score: f32,
    pub per_word: f32,
    #[serde(default)]
    pub weakest_words: Option<f32>,
    /// Below the model's unsure threshold (chosen on the dev split; see the model card).
    #[serde(default)]
    pub unsure: bool,
}

impl Suggestion {
    /// How sure the model is, as people read it: its average confidence per word, in percent.
    pub fn confidence_percent(&self) -> u32 {
        (f64::from(self.per_word).exp() * 100.0).round().clamp(0.0, 100.0) as u32
    }
}

/// The caption as shown and read out (alt text, titles, previews), in the reader's language
/// where it is ours: a caption the model is unsure of gets `unsure_prefix` ("Maybe: ") wherever
/// it is shown or read out, so the model's guess is not stated as fact.
pub fn caption_text(texts: &Texts, caption: Option<&str>, state: CaptionState, unsure: bool) -> String {
    match (caption, state) {
        (Some(caption), _) if unsure => format!("{}{caption}", texts.common.unsure_prefix),
        (Some(caption), _) => caption.to_owned(),
        (None, CaptionState::Failed) => texts.common.caption_failed.to_owned(),
        (None, _) => texts.common.captioning.to_owned(),
    }
}

/// One page of the gallery, newest first; `next` is the cursor of the page after it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GalleryPage {
    pub photos: Vec<PhotoSummary>,
    pub next: Option<String>,
}

/// Everything the photo page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhotoDetails {
    pub summary: PhotoSummary,
    /// Its share links that still work.
    pub links: Vec<ShareLinkInfo>,
    pub likes: u64,
    /// The model's best caption, kept even when the owner wrote their own.
    pub model_caption: Option<String>,
    /// The owner's own captions, one per language at most.
    pub own_captions: BTreeMap<Language, String>,
    /// The best beam-search captions, best first.
    pub suggestions: Vec<Suggestion>,
    /// The model's best caption in each other caption language the photo has.
    pub more_languages: Vec<LanguageCaption>,
    /// Why the last caption attempt failed, shown while the job is `Failed`.
    pub caption_error: Option<CaptionFailure>,
    pub width: u32,
    pub height: u32,
    pub byte_size: u64,
    /// Milliseconds since 1970, UTC (shown with `Texts::date_time`).
    pub uploaded_at: i64,
}

/// The model's best caption of a photo in a language other than its main one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LanguageCaption {
    pub language: Language,
    pub caption: String,
    /// The model is unsure of it.
    pub unsure: bool,
}

impl LanguageCaption {
    /// As shown and read out: marked when the model is unsure (see `caption_text`).
    pub fn text(&self, texts: &Texts) -> String {
        caption_text(texts, Some(&self.caption), CaptionState::Done, self.unsure)
    }
}

/// The photo page: the owner's full view, or what anyone else may see.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum PhotoPageData {
    Owned(PhotoDetails),
    Viewed(PublicPhoto),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{AR, DE, EN, ZH};

    #[test]
    fn a_caption_in_another_language_is_marked_when_the_model_is_unsure() {
        let sure = LanguageCaption { language: Language::Zh, caption: "一只狗在草地上".into(), unsure: false };
        assert_eq!(sure.text(&ZH), "一只狗在草地上");
        let unsure = LanguageCaption { unsure: true, ..sure };
        assert_eq!(unsure.text(&ZH), "也许：一只狗在草地上");
        assert_eq!(unsure.text(&EN), "Maybe: 一只狗在草地上");
    }

    #[test]
    fn caption_text_falls_back_while_captioning() {
        assert_eq!(caption_text(&EN, None, CaptionState::Pending, false), "Captioning…");
        assert_eq!(caption_text(&EN, Some("a dog"), CaptionState::Done, false), "a dog");
        assert!(caption_text(&EN, None, CaptionState::Failed, false).contains("No caption"));
        assert_eq!(caption_text(&DE, None, CaptionState::Running, false), "Bildunterschrift wird geschrieben …");
    }

    #[test]
    fn an_unsure_caption_is_not_stated_as_fact() {
        assert_eq!(caption_text(&EN, Some("a dog"), CaptionState::Done, true), "Maybe: a dog");
        assert_eq!(caption_text(&AR, Some("كلب"), CaptionState::Done, true), "ربما: كلب");
    }

    #[test]
    fn states_are_named_as_stored() {
        for state in [CaptionState::Pending, CaptionState::Running, CaptionState::Done, CaptionState::Failed] {
            assert_eq!(serde_json::to_value(state).unwrap(), state.as_str());
        }
    }

    #[test]
    fn visibilities_and_expiries_round_trip() {
        for v in Visibility::ALL {
            assert_eq!(Visibility::parse(v.as_str()), Some(v));
            assert_eq!(serde_json::to_value(v).unwrap(), v.as_str());
        }
        assert_eq!(Visibility::default(), Visibility::Private);
        for e in LinkExpiry::ALL {
            assert_eq!(LinkExpiry::parse(e.as_str()), Some(e));
            assert_eq!(serde_json::to_value(e).unwrap(), e.as_str());
        }
        assert_eq!(LinkExpiry::default().days(), Some(30));
    }

    #[test]
    fn scores_read_as_confidence() {
        let suggestion = |per_word| Suggestion {
            text: "a dog".into(),
            score: per_word,
            per_word,
            weakest_words: None,
            unsure: false,
        };
        assert_eq!(suggestion(0.0).confidence_percent(), 100);
        assert_eq!(suggestion(-std::f32::consts::LN_2).confidence_percent(), 50);
        assert_eq!(suggestion(-20.0).confidence_percent(), 0);
    }

    #[test]
    fn failures_are_stored_as_codes() {
        for failure in [CaptionFailure::CaptionerFailed, CaptionFailure::WorkerStopped] {
            assert_eq!(CaptionFailure::from_stored(failure.code()), failure);
            assert_eq!(serde_json::to_value(failure).unwrap(), failure.code());
        }
        let before_codes = "The captioner stopped while working on this photo, 3 times.";
        assert_eq!(CaptionFailure::from_stored(before_codes), CaptionFailure::WorkerStopped);
    }
}
