//! The upload box on the dashboard: pick files or drop several at once; each file is sent on
//! its own request, with its own progress bar and its own result.

use leptos::prelude::*;

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
    /// 0.0 to 1.0
    pub progress: f64,
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

/// The message of an error answer from the upload endpoint (`{"error": "…"}`).
pub fn error_message(status: u16, body: &str) -> String {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("error")?.as_str().map(str::to_owned))
        .unwrap_or_else(|| match status {
            0 => "The upload did not reach the server. Check your connection and try again.".to_owned(),
            401 => "Your session has ended. Please log in again.".to_owned(),
            413 => "The file is larger than 20 MB.".to_owned(),
            _ => format!("The upload failed (HTTP {status})."),
        })
}

#[cfg(feature = "hydrate")]
mod browser {
    use leptos::prelude::*;
    use wasm_bindgen::{closure::Closure, JsCast, JsValue};
    use web_sys::{File, FormData, ProgressEvent, XmlHttpRequest};

    use super::{error_message, update_item, UploadItem, UploadStatus};

    /// Sends one file with XMLHttpRequest, the one browser API that reports upload progress.
    pub fn upload(file: File, key: usize, items: RwSignal<Vec<UploadItem>>, uploaded: RwSignal<u32>) {
        let start = || -> Result<(), JsValue> {
            let xhr = XmlHttpRequest::new()?;
            xhr.open("POST", "/api/photos")?;
            xhr.set_request_header("Accept", "application/json")?;
            let form = FormData::new()?;
            form.append_with_blob_and_filename("file", &file, &file.name())?;

            let on_progress = Closure::<dyn FnMut(ProgressEvent)>::new(move |event: ProgressEvent| {
                if event.length_computable() && event.total() > 0.0 {
                    update_item(items, key, |item| item.progress = event.loaded() / event.total());
                }
            });
            xhr.upload()?.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
            on_progress.forget();

            let request = xhr.clone();
            let on_done = Closure::<dyn FnMut()>::new(move || {
                let status = request.status().unwrap_or(0);
                if (200..300).contains(&status) {
                    update_item(items, key, |item| {
                        item.progress = 1.0;
                        item.status = UploadStatus::Done;
                    });
                    uploaded.update(|n| *n += 1);
                } else {
                    let body = request.response_text().ok().flatten().unwrap_or_default();
                    update_item(items, key, |item| item.status = UploadStatus::Failed(error_message(status, &body)));
                }
            });
            xhr.set_onloadend(Some(on_done.as_ref().unchecked_ref()));
            on_done.forget();

            xhr.send_with_opt_form_data(Some(&form))
        };
        if start().is_err() {
            update_item(items, key, |item| {
                item.status = UploadStatus::Failed("The browser could not start the upload.".to_owned())
            });
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
    let items = RwSignal::new(Vec::<UploadItem>::new());
    let dragging = RwSignal::new(false);
    let next_key = StoredValue::new(0usize);

    #[cfg(feature = "hydrate")]
    let start = move |files: Vec<web_sys::File>| {
        for file in files {
            let key = next_key.get_value();
            next_key.set_value(key + 1);
            items.update(|all| {
                all.push(UploadItem { key, name: file.name(), progress: 0.0, status: UploadStatus::Uploading })
            });
            browser::upload(file, key, items, uploaded);
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
                <span class="dropzone-title">"Drop photos here, or " <u>"choose files"</u></span>
                <span class="hint">"JPEG, PNG, WebP or GIF, up to 20 MB and 50 megapixels each"</span>
            </label>
            <ul class="uploads" aria-live="polite">
                {move || items.get().into_iter().rev().map(|item| {
                    let (class, message) = match &item.status {
                        UploadStatus::Uploading => ("upload uploading", format!("{:.0} %", item.progress * 100.0)),
                        UploadStatus::Done => ("upload done", "Uploaded".to_owned()),
                        UploadStatus::Failed(why) => ("upload failed", why.clone()),
                    };
                    view! {
                        <li class=class data-testid="upload">
                            <span class="upload-name">{item.name.clone()}</span>
                            <progress max="1" value=item.progress></progress>
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

    #[test]
    fn server_messages_are_shown_as_they_are() {
        assert_eq!(error_message(415, r#"{"error":"notes.jpg: not a photo"}"#), "notes.jpg: not a photo");
        assert!(error_message(413, "<html>").contains("20 MB"));
        assert!(error_message(0, "").contains("did not reach"));
    }
}
