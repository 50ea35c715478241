//! The gallery on the dashboard: the user's photos (or those matching a caption search) as
//! thumbnails, newest first, paged by cursor. Captions still being written are asked for again
//! every 1.5 s (polling), so each one replaces "Captioning…" as soon as it is stored.

use std::collections::{HashMap, HashSet};

use leptos::{prelude::*, task::spawn_local};

use crate::{
    error::AppError,
    i18n::use_texts,
    layout::{options, Alert},
    photo_view::{CaptionState, GalleryPage, PhotoSummary, Visibility},
    polling::{every, CAPTION_POLL_INTERVAL},
    search::{highlight, query_words},
};

/// One page of the caller's photos, newest first, after the cursor `before`; with `q`, only
/// those whose captions have all of its words.
#[server(prefix = "/api", endpoint = "list_photos")]
pub async fn list_photos(q: Option<String>, before: Option<String>) -> Result<GalleryPage, AppError> {
    use crate::{
        search::search_box_words,
        ssr::{photos, request},
    };
    let (state, user) = request::signed_in().await?;
    let language = request::reader_language(Some(&user));
    let words = search_box_words(q.as_deref());
    let result = if words.is_empty() {
        photos::list(&state.db, &user, before.as_deref(), language).await
    } else {
        photos::search(&state.db, &user, &words, before.as_deref(), language).await
    };
    result.map_err(AppError::internal)
}

/// Sets who may see the caller's photos `ids` (one from the photo page, several from the
/// gallery). Returns how many were changed; none of the caller's: not found.
#[server(prefix = "/api", endpoint = "set_visibility")]
pub async fn set_visibility(ids: Vec<String>, visibility: String) -> Result<u64, AppError> {
    use crate::{
        error::Problem,
        ssr::{photos, request},
    };
    let (state, user) = request::signed_in().await?;
    let visibility = Visibility::parse(&visibility).ok_or(AppError::Invalid(Problem::ChooseVisibility))?;
    if ids.len() > photos::PAGE_SIZE as usize * 20 {
        return Err(AppError::Invalid(Problem::TooManyPhotosAtOnce));
    }
    match photos::set_visibility(&state.db, user.id, &ids, visibility).await.map_err(AppError::database)? {
        0 => Err(AppError::NotFound),
        changed => Ok(changed),
    }
}

/// The current captions of the caller's photos `ids` (those the page is waiting for).
#[server(prefix = "/api", endpoint = "caption_updates")]
pub async fn caption_updates(ids: Vec<String>) -> Result<Vec<PhotoSummary>, AppError> {
    use crate::ssr::{photos, request};
    let (state, user) = request::signed_in().await?;
    let language = request::reader_language(Some(&user));
    photos::summaries(&state.db, user.id, &ids, language).await.map_err(AppError::internal)
}

/// "Try again" on a failed caption: the photo goes back to the caption queue.
#[server(prefix = "/api", endpoint = "retry_caption")]
pub async fn retry_caption(id: String) -> Result<(), AppError> {
    use crate::ssr::{photos, request};
    let (state, user) = request::signed_in().await?;
    if !photos::retry_caption(&state.db, user.id, &id).await.map_err(AppError::internal)? {
        // Not the caller's photo, or its caption has not failed: nothing to retry.
        return Err(AppError::NotFound);
    }
    state.caption_queued.notify_waiters();
    Ok(())
}

/// Captions that arrived after the page was rendered, and the photos still waiting for one.
#[derive(Clone, Copy)]
pub struct LiveCaptions {
    latest: RwSignal<HashMap<String, PhotoSummary>>,
    waiting: RwSignal<HashSet<String>>,
}

impl LiveCaptions {
    pub fn new() -> Self {
        Self { latest: RwSignal::new(HashMap::new()), waiting: RwSignal::new(HashSet::new()) }
    }

    fn watch(&self, photo: &PhotoSummary) {
        if photo.caption_state.in_progress() && !self.waiting.with_untracked(|w| w.contains(&photo.id)) {
            self.waiting.update(|w| {
                w.insert(photo.id.clone());
            });
        }
    }

    fn record(&self, photo: PhotoSummary) {
        if !photo.caption_state.in_progress() {
            self.waiting.update(|w| {
                w.remove(&photo.id);
            });
        }
        self.latest.update(|m| {
            m.insert(photo.id.clone(), photo);
        });
    }

    /// The newest known state of `photo`.
    fn current(&self, photo: &PhotoSummary) -> PhotoSummary {
        self.latest.with(|m| m.get(&photo.id).cloned()).unwrap_or_else(|| photo.clone())
    }

    /// Asks for the waiting captions every `CAPTION_POLL_INTERVAL` (in the browser only).
    fn poll(self) {
        every(CAPTION_POLL_INTERVAL, move || {
            let ids: Vec<String> = self.waiting.get_untracked().into_iter().collect();
            if ids.is_empty() {
                return;
            }
            spawn_local(async move {
                if let Ok(found) = caption_updates(ids.clone()).await {
                    // photos deleted meanwhile are no longer waited for
                    let gone: Vec<&String> = ids.iter().filter(|id| !found.iter().any(|p| &p.id == *id)).collect();
                    self.waiting.update(|w| {
                        gone.iter().for_each(|id| {
                            w.remove(*id);
                        })
                    });
                    found.into_iter().for_each(|photo| self.record(photo));
                }
            });
        });
    }
}

impl Default for LiveCaptions {
    fn default() -> Self {
        Self::new()
    }
}

/// A caption with the searched words marked.
#[component]
fn MarkedCaption(text: String, query: Vec<String>) -> impl IntoView {
    highlight(&text, &query)
        .into_iter()
        .map(|(piece, hit)| if hit { view! { <mark>{piece}</mark> }.into_any() } else { piece.into_any() })
        .collect_view()
}

/// The photos ticked in the gallery, for setting their visibility at once.
#[derive(Clone, Copy)]
struct Selection(RwSignal<HashSet<String>>);

#[component]
fn PhotoTile(photo: PhotoSummary, query: Vec<String>) -> impl IntoView {
    let t = use_texts();
    let live = expect_context::<LiveCaptions>();
    let Selection(selected) = expect_context::<Selection>();
    live.watch(&photo);
    let current = {
        let photo = photo.clone();
        Memo::new(move |_| live.current(&photo))
    };
    let retrying = RwSignal::new(false);
    let retry_error = RwSignal::new(None::<String>);
    let retry = {
        let id = photo.id.clone();
        move |_| {
            let id = id.clone();
            let mut waiting = current.get_untracked();
            retrying.set(true);
            spawn_local(async move {
                match retry_caption(id).await {
                    Ok(()) => {
                        waiting.caption_state = CaptionState::Pending;
                        live.record(waiting.clone());
                        live.watch(&waiting);
                        retry_error.set(None);
                    }
                    Err(err) => retry_error.set(Some(err.message(t))),
                }
                retrying.set(false);
            });
        }
    };
    let caption = move || {
        let photo = current.get();
        match photo.shown_caption {
            Some(text) => {
                let unsure = photo.caption_unsure.then_some(t.common.unsure_prefix);
                view! { {unsure}<MarkedCaption text query=query.clone()/> }.into_any()
            }
            None => photo.caption_text(t).into_any(),
        }
    };
    let alt = move || current.with(|p| p.caption_text(t));
    let pending = move || current.with(|p| p.shown_caption.is_none());
    let state = move || current.with(|p| p.caption_state.as_str());
    let failed = move || current.with(|p| p.caption_state == CaptionState::Failed);
    let ticked = {
        let id = photo.id.clone();
        move || selected.with(|s| s.contains(&id))
    };
    let tick = {
        let id = photo.id.clone();
        move |ev: leptos::ev::Event| {
            let on = event_target_checked(&ev);
            selected.update(|s| {
                if on {
                    s.insert(id.clone());
                } else {
                    s.remove(&id);
                }
            });
        }
    };
    let visibility = photo.visibility;
    view! {
        <li class="tile" data-testid="photo-tile" data-caption-state=state data-visibility=visibility.as_str()>
            <label class="tile-select">
                <input type="checkbox" prop:checked=ticked on:change=tick data-testid="select-photo"/>
                <span class="visually-hidden">{t.gallery.select_photo}</span>
            </label>
            <span class=format!("badge visibility {}", visibility.as_str()) data-testid="visibility-badge">{visibility.label(t)}</span>
            // The caption's language, for the alt text and the caption alike.
            <a href=format!("/photos/{}", photo.id) lang=move || current.with(|p| p.caption_language.code())
                dir=move || current.with(|p| p.caption_language.direction())>
                <img src=format!("/media/{}/thumb", photo.id) alt=alt loading="lazy" decoding="async"/>
                <p class="caption" class:pending=pending class:unsure=move || current.with(|p| p.caption_unsure) data-testid="tile-caption">{caption}</p>
            </a>
            <Show when=failed>
                <div class="tile-actions">
                    <button type="button" class="button secondary small" disabled=move || retrying.get() on:click=retry.clone()>
                        {t.gallery.try_again}
                    </button>
                    {move || retry_error.get().map(|msg| view! { <Alert message=msg/> })}
                </div>
            </Show>
        </li>
    }
}

/// The photos as thumbnails; "Load more" fetches the next page by cursor. With a search, only
/// the photos whose captions match, the matching words marked.
#[component]
pub fn Gallery(uploaded: RwSignal<u32>, search: Signal<String>) -> impl IntoView {
    let t = use_texts();
    let live = LiveCaptions::new();
    provide_context(live);
    live.poll();
    let selected = RwSignal::new(HashSet::<String>::new());
    provide_context(Selection(selected));
    let set_visibility = ServerAction::<SetVisibility>::new();
    // Older pages appended by "Load more", and the cursor after them.
    let older = RwSignal::new(Vec::<PhotoSummary>::new());
    let older_next = RwSignal::new(None::<Option<String>>);
    let loading = RwSignal::new(false);
    let first = crate::page_data::page_resource(
        move || (uploaded.get(), search.get(), set_visibility.version().get()),
        move |(_, q, _)| {
            // a new upload or a new search starts again from the newest page
            older.set(Vec::new());
            older_next.set(None);
            list_photos((!q.is_empty()).then_some(q), None)
        },
    );
    let load_more = move |cursor: String| {
        loading.set(true);
        spawn_local(async move {
            let q = search.get_untracked();
            if let Ok(page) = list_photos((!q.is_empty()).then_some(q), Some(cursor)).await {
                older.update(|all| all.extend(page.photos));
                older_next.set(Some(page.next));
            }
            loading.set(false);
        });
    };
    view! {
        <VisibilityBar selected action=set_visibility/>
        <Transition fallback=move || view! { <p class="muted">{t.gallery.loading_your_photos}</p> }>
            {move || Suspend::new(async move {
                let q = search.get_untracked();
                let words = query_words(&q);
                match first.await {
                    Err(err) => view! { <Alert message=err.message(t)/> }.into_any(),
                    Ok(page) if page.photos.is_empty() && !q.is_empty() => view! {
                        <div class="empty-state" data-testid="no-results">
                            <h2>{(t.gallery.no_photos_match)(&q)}</h2>
                            <p class="muted">{t.gallery.search_explained}</p>
                        </div>
                    }.into_any(),
                    Ok(page) if page.photos.is_empty() => view! {
                        <div class="empty-state" data-testid="empty-state">
                            <h2>{t.gallery.no_photos_yet}</h2>
                            <p class="muted">{t.gallery.no_photos_explained}</p>
                        </div>
                    }.into_any(),
                    Ok(page) => {
                        let first_next = page.next.clone();
                        let next = move || older_next.get().unwrap_or_else(|| first_next.clone());
                        let heading = (!q.is_empty()).then(|| view! { <h2 class="results-heading">{(t.gallery.photos_matching)(&q)}</h2> });
                        let older_words = words.clone();
                        view! {
                            {heading}
                            <ul class="gallery">
                                {page.photos.into_iter().map(|photo| view! { <PhotoTile photo query=words.clone()/> }).collect_view()}
                                {move || older.get().into_iter().map(|photo| view! { <PhotoTile photo query=older_words.clone()/> }).collect_view()}
                            </ul>
                            {move || next().map(|cursor| view! {
                                <div class="load-more">
                                    <button type="button" class="button secondary" disabled=move || loading.get()
                                        on:click=move |_| load_more(cursor.clone())>{t.gallery.load_more}</button>
                                </div>
                            })}
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

/// Shown while photos are ticked: sets the visibility of all of them at once.
#[component]
fn VisibilityBar(selected: RwSignal<HashSet<String>>, action: ServerAction<SetVisibility>) -> impl IntoView {
    let t = use_texts();
    let choice = RwSignal::new(Visibility::Public.as_str().to_owned());
    let apply = move |_| {
        let ids: Vec<String> = selected.get_untracked().into_iter().collect();
        action.dispatch(SetVisibility { ids, visibility: choice.get_untracked() });
    };
    // A change that went through clears the selection.
    Effect::new(move |_| {
        if matches!(action.value().get(), Some(Ok(_))) {
            selected.set(HashSet::new());
        }
    });
    let error = move || action.value().get().and_then(Result::err).map(|e| e.message(t));
    view! {
        <Show when=move || !selected.with(HashSet::is_empty)>
            <div class="selection-bar" data-testid="selection-bar">
                <span>{move || (t.gallery.photos_selected)(selected.with(HashSet::len))}</span>
                <label for="bulk-visibility" class="visually-hidden">{t.gallery.bulk_visibility_label}</label>
                <select id="bulk-visibility" data-testid="bulk-visibility" on:change=move |ev| choice.set(event_target_value(&ev))>
                    {options(Visibility::ALL, Visibility::Public, Visibility::as_str, move |v| v.label(t))}
                </select>
                <button type="button" class="button" disabled=move || action.pending().get() on:click=apply>{t.gallery.set_visibility}</button>
                <button type="button" class="button link" on:click=move |_| selected.set(HashSet::new())>{t.gallery.clear_selection}</button>
            </div>
        </Show>
        {move || error().map(|msg| view! { <Alert message=msg/> })}
    }
}
