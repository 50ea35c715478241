//! Explore: everyone's public photos, newest first, paged by cursor, with a search by caption
//! words (the same word rules as the private search). Also the home page's feed.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::Form, hooks::use_query_map};

use crate::{
    auth::encode_query_value, error::AppError, i18n::use_texts, layout::Alert, photo_view::FeedPage, sharing::FeedGrid,
};

/// A page of public photos, newest first, after the cursor `before`; with `q`, only those whose
/// captions have all of its words.
#[server(prefix = "/api", endpoint = "explore")]
pub async fn explore(q: Option<String>, before: Option<String>) -> Result<FeedPage, AppError> {
    use crate::{
        search::search_box_words,
        ssr::{request, sharing},
    };
    let (state, viewer, _) = request::viewer(None).await?;
    let words = search_box_words(q.as_deref());
    sharing::explore(&state.db, &viewer, &words, before.as_deref()).await.map_err(AppError::database)
}

/// The feed of public photos for a search `q` (empty: all), starting after `before`.
#[component]
pub fn ExploreFeed(#[prop(into)] q: Signal<String>, #[prop(into)] before: Signal<Option<String>>) -> impl IntoView {
    let t = use_texts();
    let page = crate::page_data::page_resource(
        move || (q.get(), before.get()),
        |(q, before)| explore((!q.is_empty()).then_some(q), before),
    );
    view! {
        <Transition fallback=move || view! { <p class="muted">{t.gallery.loading_photos}</p> }>
            {move || Suspend::new(async move {
                let q = q.get_untracked();
                let path = if q.is_empty() { "/explore".to_owned() } else { format!("/explore?q={}", encode_query_value(&q)) };
                let empty = if q.is_empty() {
                    t.gallery.nobody_shared.to_owned()
                } else {
                    (t.gallery.no_public_photos_match)(&q)
                };
                match page.await {
                    Ok(page) => view! { <FeedGrid page path empty/> }.into_any(),
                    Err(err) => view! { <Alert message=err.message(t)/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
pub fn ExplorePage() -> impl IntoView {
    let t = use_texts();
    let query = use_query_map();
    let q = Signal::derive(move || query.read().get("q").unwrap_or_default().trim().to_owned());
    let before = Signal::derive(move || query.read().get("before"));
    view! {
        <Title text=t.common.explore/>
        <section class="explore">
            <h1>{t.common.explore}</h1>
            <p class="muted">{t.gallery.explore_intro}</p>
            <Form method="GET" action="/explore" attr:class="search" attr:role="search">
                <label for="explore-query" class="visually-hidden">{t.gallery.search_public_label}</label>
                <input id="explore-query" type="search" name="q" placeholder=t.gallery.search_placeholder
                    maxlength="200" value=move || q.get()/>
                <button type="submit" class="button secondary">{t.gallery.search_button}</button>
            </Form>
            <ExploreFeed q before/>
        </section>
    }
}
