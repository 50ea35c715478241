use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::{auth::use_auth, pages::explore::ExploreFeed};

#[component]
pub fn HomePage() -> impl IntoView {
    let auth = use_auth();
    view! {
        <Title text=""/>
        <section class="hero">
            <h1>"Every photo, described."</h1>
            <p class="lead">
                "Captioned is a photo-sharing platform you host yourself. Upload your photos and a neural network "
                "running on your own server writes a caption for each one: no cloud service ever sees them."
            </p>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match auth.user.await {
                        Ok(Some(_)) => view! { <div class="actions"><A href="/dashboard" attr:class="button">"Go to your photos"</A></div> }.into_any(),
                        _ => view! {
                            <div class="actions">
                                <A href="/signup" attr:class="button">"Sign up"</A>
                                <A href="/login" attr:class="button secondary">"Log in"</A>
                            </div>
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
        <section class="features">
            <article><h2>"Captions by AI"</h2><p>"A VGG16 image encoder and an LSTM decoder, trained on Flickr8k, describe what is in each photo."</p></article>
            <article><h2>"Shared your way"</h2><p>"Photos are private until you share them: with a link that ends when you say, or with everyone. Their captions describe them to all who see them."</p></article>
            <article><h2>"Fast on a plain CPU"</h2><p>"No graphics card needed: the captioner runs on the server's processor."</p></article>
        </section>
        <section class="recent">
            <h2>"Recently shared"</h2>
            <ExploreFeed q=Signal::stored(String::new()) before=Signal::stored(None::<String>)/>
        </section>
    }
}
