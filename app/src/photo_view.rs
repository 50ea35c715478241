//! What the pages know of a photo. Shared by both sides; the server fills it in.

use serde::{Deserialize, Serialize};

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

/// A photo in the gallery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhotoSummary {
    pub id: String,
    pub file_name: String,
    /// The caption shown: the owner's own when there is one, else the model's.
    pub shown_caption: Option<String>,
    pub caption_state: CaptionState,
}

impl PhotoSummary {
    /// The caption, or what the page says while there is none yet. Also the image's alt text.
    pub fn caption_text(&self) -> String {
        caption_text(self.shown_caption.as_deref(), self.caption_state)
    }
}

/// One of the model's captions for a photo: its beam-search score (what ranked it, higher is
/// better) and its mean log-probability per word (closer to 0 is more confident).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suggestion {
    pub text: String,
    pub score: f32,
    pub per_word: f32,
}

impl Suggestion {
    /// How sure the model is, as people read it: its average confidence per word, in percent.
    pub fn confidence_percent(&self) -> u32 {
        (f64::from(self.per_word).exp() * 100.0).round().clamp(0.0, 100.0) as u32
    }
}

pub fn caption_text(caption: Option<&str>, state: CaptionState) -> String {
    match (caption, state) {
        (Some(caption), _) => caption.to_owned(),
        (None, CaptionState::Failed) => "No caption could be written for this photo.".to_owned(),
        (None, _) => "Captioning…".to_owned(),
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
    /// The model's best caption, kept even when the owner wrote their own.
    pub model_caption: Option<String>,
    pub own_caption: Option<String>,
    /// The best beam-search captions, best first.
    pub suggestions: Vec<Suggestion>,
    /// Why the last caption attempt failed, shown while the job is `Failed`.
    pub caption_error: Option<String>,
    pub width: u32,
    pub height: u32,
    pub byte_size: u64,
    /// Already formatted on the server, so that both sides render the same text.
    pub uploaded_at: String,
}

/// "2.4 MB", "310 KB".
pub fn human_size(bytes: u64) -> String {
    match bytes {
        b if b >= 1_000_000 => format!("{:.1} MB", b as f64 / 1e6),
        b if b >= 1_000 => format!("{} KB", (b as f64 / 1e3).round()),
        b => format!("{b} bytes"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caption_text_falls_back_while_captioning() {
        assert_eq!(caption_text(None, CaptionState::Pending), "Captioning…");
        assert_eq!(caption_text(Some("a dog"), CaptionState::Done), "a dog");
        assert!(caption_text(None, CaptionState::Failed).contains("No caption"));
    }

    #[test]
    fn states_are_named_as_stored() {
        for state in [CaptionState::Pending, CaptionState::Running, CaptionState::Done, CaptionState::Failed] {
            assert_eq!(serde_json::to_value(state).unwrap(), state.as_str());
        }
    }

    #[test]
    fn scores_read_as_confidence() {
        let suggestion = |per_word| Suggestion { text: "a dog".into(), score: per_word, per_word };
        assert_eq!(suggestion(0.0).confidence_percent(), 100);
        assert_eq!(suggestion(-std::f32::consts::LN_2).confidence_percent(), 50);
        assert_eq!(suggestion(-20.0).confidence_percent(), 0);
    }

    #[test]
    fn sizes_read_like_people_write_them() {
        assert_eq!(human_size(999), "999 bytes");
        assert_eq!(human_size(310_400), "310 KB");
        assert_eq!(human_size(2_400_000), "2.4 MB");
    }
}
