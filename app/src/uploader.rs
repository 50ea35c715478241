//! The upload box on the dashboard: pick files or drop several at once; each file is sent on
//! its own request, with its own progress bar and its own result.

use leptos::prelude::*;
use serde::Deserialize;

use crate::{
    error::AppError,
    i18n::{use_texts, Texts},
};

#[derive(Debug, Clone, PartialEq)]
pub enum UploadStatus {
    Uploading,
    Done,
    Failed(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct UploadItem {
    pub key: usize,
    pub name: String,
    /// 0 to 100: whole percent, as the bar and the text show it.
    pub percent: u32,
    pub status: UploadStatus,
}

#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
fn update_item(items: RwSignal<Vec<UploadItem>>, key: usize, change: impl FnOnce(&mut UploadItem)) {
    items.update(|all| {
        if let Some(item) = all.iter_mut().find(|i| i.key == key) {
            change(item)
        }
    });
}

/// The upload endpoint's error answer: `{"error": "<English>", "app_error": <AppError>}`.
#[derive(Deserialize)]
struct ErrorAnswer {
    app_error: AppError,
}

/// The message of an error answer from the upload endpoint, in the reader's language; by its
/// status when the answer is not the endpoint's own (no answer at all, a proxy's page).
pub fn error_message(t: &Texts, status: u16, body: &str) -> String {
    match crate::page_data::read_json::<ErrorAnswer>(body) {
        Ok(answer) => answer.app_error.message(t),
        Err(_) => match status {
            0 => t.gallery.upload_unreachable.to_owned(),
            401 => t.gallery.upload_session_ended.to_owned(),
            413 => t.gallery.upload_too_large.to_owned(),
            _ => (t.gallery.upload_failed_status)(status),
        },
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use leptos::prelude::*;
    use wasm_bindgen::{closure::Closure, JsCast, JsValue};
    use web_sys::{File, FormData, ProgressEvent, XmlHttpRequest};

    use super::{error_message, update_item, UploadItem, UploadStatus};
    use crate::i18n::Texts;

    /// Sends one file with XMLHttpRequest, the one browser API that reports upload progress.
    pub fn upload(
        t: &'static Texts,
        file: File,
        key: usize,
        items: RwSignal<Vec<UploadItem>>,
        uploaded: RwSignal<u32>,
    ) {
        let start = || -> Result<(), JsValue> {
            let xhr = XmlHttpRequest::new()?;
            xhr.open("POST", "/api/photos")?;
            xhr.set_request_header("Accept", "application/json")?;
            let form = FormData::new()?;
            form.append_with_blob_and_filename("file", &file, &file.name())?;

            let on_progress = Closure::<dyn FnMut(ProgressEvent)>::new(move |event: ProgressEvent| {
                if event.length_computable() && event.total() > 0.0 {
                    update_item(items, key, |item| {
                        item.percent = (event.loaded() / event.total() * 100.0).round().clamp(0.0, 100.0) as u32
                    });
                }
            });
            xhr.upload()?.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
            on_progress.forget();

            let request = xhr.clone();
            let on_done = Closure::<dyn FnMut()>::new(move || {
                let status = request.status().unwrap_or(0);
                if (200..300).contains(&status) {
                    update_item(items, key, |item| {
                        item.percent = 100;
                        item.status = UploadStatus::Done;
                    });
                    uploaded.update(|n| *n += 1);
                } else {
                    let body = request.response_text().ok().flatten().unwrap_or_default();
                    update_item(items, key, |item| item.status = UploadStatus::Failed(error_message(t, status, &body)));
                }
            });
            xhr.set_onloadend(Some(on_done.as_ref().unchecked_ref()));
            on_done.forget();

            xhr.send_with_opt_form_data(Some(&form))
        };
        if start().is_err() {
            update_item(items, key, |item| item.status = UploadStatus::Failed(t.gallery.upload_not_started.to_owned()));
        }
    }

    pub fn files_of(list: Option<web_sys::FileList>) -> Vec<File> {
        let Some(list) = list else { return Vec::new() };
        (0..list.length()).filter_map(|i| list.get(i)).collect()
    }
}

/// `uploaded` counts finished uploads, so that the gallery can show them.
#[component]
pub fn Uploader(uploaded: RwSignal<u32>) -> impl IntoView {
    let t = use_texts();
    let items = RwSignal::new(Vec::<UploadItem>::new());
    let dragging = RwSignal::new(false);
    let next_key = StoredValue::new(0usize);

    #[cfg(feature = "hydrate")]
    let start = move |files: Vec<web_sys::File>| {
        for file in files {
            let key = next_key.get_value();
            next_key.set_value(key + 1);
            items.update(|all| {
                all.push(UploadItem { key, name: file.name(), percent: 0, status: UploadStatus::Uploading })
            });
            browser::upload(t, file, key, items, uploaded);
        }
    };
    #[cfg(not(feature = "hydrate"))]
    let start = move |_files: Vec<()>| {
        let _ = (next_key, uploaded);
    };

    let on_change = move |event: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            let input = event_target::<web_sys::HtmlInputElement>(&event);
            start(browser::files_of(input.files()));
            // the same file may be chosen again later
            input.set_value("");
        }
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = event;
            start(Vec::new());
        }
    };
    let on_drop = move |event: leptos::ev::DragEvent| {
        event.prevent_default();
        dragging.set(false);
        #[cfg(feature = "hydrate")]
        start(browser::files_of(event.data_transfer().and_then(|d| d.files())));
    };

    view! {
        <section class="uploader">
            <label
                class="dropzone"
                class:dragging=move || dragging.get()
                on:dragover=move |event: leptos::ev::DragEvent| {
                    event.prevent_default();
                    dragging.set(true);
                }
                on:dragleave=move |_| dragging.set(false)
                on:drop=on_drop
            >
                <input id="photo-input" type="file" name="file" multiple
                    accept="image/jpeg,image/png,image/webp,image/gif" on:change=on_change/>
                <span class="dropzone-title">{t.gallery.drop_photos} <u>{t.gallery.choose_files}</u></span>
                <span class="hint">{t.gallery.upload_hint}</span>
            </label>
            <ul class="uploads" aria-live="polite">
                {move || items.get().into_iter().rev().map(|item| {
                    let (class, message) = match &item.status {
                        UploadStatus::Uploading => {
                            ("upload uploading", (t.gallery.upload_progress)(u64::from(item.percent)))
                        }
                        UploadStatus::Done => ("upload done", t.gallery.uploaded.to_owned()),
                        UploadStatus::Failed(why) => ("upload failed", why.clone()),
                    };
                    view! {
                        <li class=class data-testid="upload">
                            <span class="upload-name">{item.name.clone()}</span>
                            <progress max="100" value=item.percent></progress>
                            <span class="upload-status" role=matches!(item.status, UploadStatus::Failed(_)).then_some("alert")>{message}</span>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::error_message;
    use crate::{
        error::{AppError, ImageRejection, Problem},
        i18n::{DE, EN},
    };

    /// What the upload endpoint answers (`AppError`'s `IntoResponse`).
    fn answer(err: &AppError) -> String {
        serde_json::json!({ "error": err.to_string(), "app_error": err }).to_string()
    }

    #[test]
    fn server_errors_are_said_in_the_readers_language() {
        let file = "notes.jpg".to_owned();
        let err = AppError::UnsupportedMediaType(Problem::Image { file, rejection: ImageRejection::UnsupportedFormat });
        assert_eq!(
            error_message(&EN, 415, &answer(&err)),
            "notes.jpg: This is not a photo we can read: JPEG, PNG, WebP and GIF are accepted."
        );
        let german = error_message(&DE, 415, &answer(&err));
        assert!(german.starts_with("notes.jpg: Das ist kein Foto"), "{german}");
        let full = AppError::QuotaExceeded { used_mb: 990, quota_mb: 1000 };
        assert_eq!(error_message(&DE, 413, &answer(&full)), full.message(&DE));
    }

    #[test]
    fn other_answers_are_explained_by_their_status() {
        assert!(error_message(&EN, 413, "<html>").contains("20 MB"));
        assert!(error_message(&EN, 0, "").contains("did not reach"));
        assert_eq!(error_message(&EN, 502, r#"{"error":"bad gateway"}"#), "The upload failed (HTTP 502).");
        assert_eq!(error_message(&DE, 401, ""), "Deine Sitzung ist abgelaufen. Bitte melde dich erneut an.");
    }
}
