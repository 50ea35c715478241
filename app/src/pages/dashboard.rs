use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::Form, hooks::use_query_map};

use crate::{auth::RequireUser, gallery::Gallery, uploader::Uploader};

#[component]
pub fn DashboardPage() -> impl IntoView {
    let uploaded = RwSignal::new(0u32);
    let query = use_query_map();
    let search = Signal::derive(move || query.read().get("q").unwrap_or_default().trim().to_owned());
    view! {
        <Title text="Your photos"/>
        <RequireUser let:user>
            <section class="dashboard">
                <h1>"Hello, " {user.username} "!"</h1>
                <Uploader uploaded/>
                // A plain GET form: the search is in the URL, works without JavaScript, and the
                // router turns it into a client-side navigation once the page is hydrated.
                <Form method="GET" action="/dashboard" attr:class="search" attr:role="search">
                    <label for="search-query" class="visually-hidden">"Search your photos by caption"</label>
                    <input id="search-query" type="search" name="q" placeholder="Search captions, e.g. dog beach"
                        maxlength="200" value=move || search.get()/>
                    <button type="submit" class="button secondary">"Search"</button>
                    {move || (!search.get().is_empty()).then(|| view! { <a href="/dashboard" class="clear-search">"Show all photos"</a> })}
                </Form>
                <Gallery uploaded search/>
            </section>
        </RequireUser>
    }
}
