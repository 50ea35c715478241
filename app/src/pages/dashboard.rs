use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{
    components::{Form, A},
    hooks::use_query_map,
};

use crate::{
    auth::RequireUser, error::AppError, gallery::Gallery, i18n::use_texts, layout::Alert, photo_view::FeedPage,
    sharing::FeedGrid, uploader::Uploader,
};

/// The photos the caller likes and may still see, newest like first, after the cursor `before`.
#[server(prefix = "/api", endpoint = "liked_photos")]
pub async fn liked_photos(before: Option<String>) -> Result<FeedPage, AppError> {
    use crate::ssr::{access::Viewer, request, sharing};
    let (state, user) = request::signed_in().await?;
    sharing::liked(&state.db, &Viewer::user(user), before.as_deref()).await.map_err(AppError::database)
}

#[component]
pub fn DashboardPage() -> impl IntoView {
    let t = use_texts();
    let query = use_query_map();
    let liked_tab = Signal::derive(move || query.read().get("tab").as_deref() == Some("liked"));
    view! {
        <Title text=t.gallery.dashboard_title/>
        <RequireUser let:user>
            <section class="dashboard">
                <h1>{(t.gallery.hello)(&user.username)}</h1>
                <nav class="tabs" aria-label=t.gallery.tabs_label>
                    <A href="/dashboard" attr:class="tab" attr:aria-current=move || (!liked_tab.get()).then_some("page")>{t.gallery.your_photos_tab}</A>
                    <A href="/dashboard?tab=liked" attr:class="tab" attr:aria-current=move || liked_tab.get().then_some("page")>{t.gallery.liked_tab}</A>
                </nav>
                <Show when=move || liked_tab.get() fallback=OwnPhotos>
                    <LikedPhotos/>
                </Show>
            </section>
        </RequireUser>
    }
}

#[component]
fn OwnPhotos() -> impl IntoView {
    let t = use_texts();
    let uploaded = RwSignal::new(0u32);
    let query = use_query_map();
    let search = Signal::derive(move || query.read().get("q").unwrap_or_default().trim().to_owned());
    view! {
        <Uploader uploaded/>
        // A plain GET form: the search is in the URL, works without JavaScript, and the
        // router turns it into a client-side navigation once the page is hydrated.
        <Form method="GET" action="/dashboard" attr:class="search" attr:role="search">
            <label for="search-query" class="visually-hidden">{t.gallery.search_own_label}</label>
            <input id="search-query" type="search" name="q" placeholder=t.gallery.search_placeholder
                maxlength="200" value=move || search.get()/>
            <button type="submit" class="button secondary">{t.gallery.search_button}</button>
            {move || (!search.get().is_empty()).then(|| view! { <a href="/dashboard" class="clear-search">{t.gallery.show_all_photos}</a> })}
        </Form>
        <Gallery uploaded search/>
    }
}

#[component]
fn LikedPhotos() -> impl IntoView {
    let t = use_texts();
    let query = use_query_map();
    let liked = crate::page_data::page_resource(move || query.read().get("before"), liked_photos);
    view! {
        <Transition fallback=move || view! { <p class="muted">{t.common.loading}</p> }>
            {move || Suspend::new(async move {
                match liked.await {
                    Ok(page) => view! {
                        <FeedGrid page path="/dashboard?tab=liked" empty=t.gallery.liked_empty/>
                    }.into_any(),
                    Err(err) => view! { <Alert message=err.message(t)/> }.into_any(),
                }
            })}
        </Transition>
    }
}
