use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::{auth::use_auth, i18n::use_texts, pages::explore::ExploreFeed};

#[component]
pub fn HomePage() -> impl IntoView {
    let auth = use_auth();
    let t = use_texts();
    view! {
        <Title text=""/>
        <section class="hero">
            <h1>{t.account.hero_title}</h1>
            <p class="lead">{t.account.hero_lead}</p>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match auth.user.await {
                        Ok(Some(_)) => view! { <div class="actions"><A href="/dashboard" attr:class="button">{t.account.go_to_photos}</A></div> }.into_any(),
                        _ => view! {
                            <div class="actions">
                                <A href="/signup" attr:class="button">{t.account.sign_up}</A>
                                <A href="/login" attr:class="button secondary">{t.account.log_in}</A>
                            </div>
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
        <section class="features">
            <article><h2>{t.account.feature_captions_title}</h2><p>{t.account.feature_captions_text}</p></article>
            <article><h2>{t.account.feature_sharing_title}</h2><p>{t.account.feature_sharing_text}</p></article>
            <article><h2>{t.account.feature_cpu_title}</h2><p>{t.account.feature_cpu_text}</p></article>
        </section>
        <section class="recent">
            <h2>{t.account.recently_shared}</h2>
            <ExploreFeed q=Signal::stored(String::new()) before=Signal::stored(None::<String>)/>
        </section>
    }
}
