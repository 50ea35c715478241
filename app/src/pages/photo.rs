use languages::Language;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_params_map};

use crate::{
    error::AppError,
    gallery::{RetryCaption, SetVisibility},
    i18n::use_texts,
    layout::{options, Alert, NotFound},
    photo_view::{CaptionState, LinkExpiry, NewShareLink, PhotoDetails, PhotoPageData, Visibility},
    polling::{every, CAPTION_POLL_INTERVAL},
    sharing::{PublicPhotoView, SharePreview},
};

/// A photo as the caller may see it: all of it for its owner, the public view of a public photo
/// for anyone else; "not found" otherwise, exactly like a missing one.
#[server(prefix = "/api", endpoint = "get_photo")]
pub async fn get_photo(id: String) -> Result<PhotoPageData, AppError> {
    use crate::ssr::{
        access::{self, Access},
        photos::Photo,
        request, share_links, sharing,
    };
    let (state, viewer, _) = request::viewer(None).await?;
    let (photo, access) =
        access::find_viewable(&state.db, &viewer, &id).await.map_err(AppError::database)?.ok_or(AppError::NotFound)?;
    if access == Access::Owner {
        let links =
            share_links::list_active(&state.db, photo.owner_id, Some(photo.id)).await.map_err(AppError::database)?;
        let caption = photo.caption_for(viewer.language).text;
        let links = links.iter().map(|link| link.info(caption.clone())).collect();
        return Ok(PhotoPageData::Owned(photo.details(links, viewer.language)));
    }
    let seen =
        sharing::public_views(&state.db, &viewer, &[photo], Photo::media_base).await.map_err(AppError::database)?;
    seen.into_iter().next().map(PhotoPageData::Viewed).ok_or(AppError::NotFound)
}

/// Makes a share link to the caller's photo; a private photo becomes link-only, so that the
/// link works. The link's address is returned this once: only a hash of its token is stored.
#[server(prefix = "/api", endpoint = "create_share_link")]
pub async fn create_share_link(id: String, expiry: String, password: String) -> Result<NewShareLink, AppError> {
    use crate::{
        domain::parse_link_password,
        ssr::{photos, request, share_links},
    };
    let (state, user) = request::signed_in().await?;
    let expiry = LinkExpiry::parse(&expiry).ok_or(AppError::Invalid(crate::error::Problem::ChooseLinkExpiry))?;
    let password = parse_link_password(&password).map_err(AppError::Invalid)?;
    let photo =
        photos::find_owned(&state.db, user.id, &id).await.map_err(AppError::database)?.ok_or(AppError::NotFound)?;
    if photo.visibility == Visibility::Private {
        photos::set_visibility(&state.db, user.id, &[id], Visibility::Link).await.map_err(AppError::database)?;
    }
    let (_, token) = share_links::create(&state.db, user.id, photo.id, expiry, password.as_deref())
        .await
        .map_err(AppError::internal)?;
    Ok(NewShareLink { path: share_links::link_path(&token) })
}

/// Deletes the caller's photo with every file that belongs to it.
#[server(prefix = "/api", endpoint = "delete_photo")]
pub async fn delete_photo(id: String) -> Result<(), AppError> {
    use crate::ssr::{photos, request};
    let (state, user) = request::signed_in().await?;
    if !photos::delete(&state.db, user.id, &id).await.map_err(AppError::internal)? {
        return Err(AppError::NotFound);
    }
    tracing::info!(photo = %id, "photo deleted");
    leptos_axum::redirect("/dashboard");
    Ok(())
}

/// The language a caption form names (a code; none: English, the language of the model's
/// suggestions).
#[cfg(feature = "ssr")]
fn caption_language(code: Option<&str>) -> Result<Language, AppError> {
    match code {
        None | Some("") => Ok(Language::En),
        Some(code) => Language::from_code(code).ok_or(AppError::Invalid(crate::error::Problem::ChooseCaptionLanguage)),
    }
}

/// Sets the caller's own caption for a photo in the language it is written in: written, or one
/// of the model's suggestions picked. The model's captions stay stored beside it, and the
/// owner's captions in other languages stay as they are.
#[server(prefix = "/api", endpoint = "set_caption")]
pub async fn set_caption(id: String, caption: String, language: Option<String>) -> Result<(), AppError> {
    use crate::{
        domain::Caption,
        ssr::{photos, request},
    };
    let (state, user) = request::signed_in().await?;
    let caption = Caption::parse(&caption).map_err(AppError::Invalid)?;
    let language = caption_language(language.as_deref())?;
    if !photos::set_own_caption(&state.db, user.id, &id, language, Some(caption)).await.map_err(AppError::internal)? {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// Drops the caller's own caption in a language: the model's in it is shown again.
#[server(prefix = "/api", endpoint = "use_model_caption")]
pub async fn use_model_caption(id: String, language: Option<String>) -> Result<(), AppError> {
    use crate::ssr::{photos, request};
    let (state, user) = request::signed_in().await?;
    let language = caption_language(language.as_deref())?;
    if !photos::set_own_caption(&state.db, user.id, &id, language, None).await.map_err(AppError::internal)? {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// The caption actions of the photo page; each one reloads the photo when it is done.
#[derive(Clone, Copy)]
struct CaptionActions {
    set: ServerAction<SetCaption>,
    reset: ServerAction<UseModelCaption>,
    retry: ServerAction<RetryCaption>,
}

/// The sharing actions of the photo page; each one reloads the photo too.
#[derive(Clone, Copy)]
struct SharingActions {
    visibility: ServerAction<SetVisibility>,
    create_link: ServerAction<CreateShareLink>,
    revoke: ServerAction<crate::pages::links::RevokeShareLink>,
}

#[component]
pub fn PhotoPage() -> impl IntoView {
    let t = use_texts();
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let actions = CaptionActions { set: ServerAction::new(), reset: ServerAction::new(), retry: ServerAction::new() };
    let sharing = SharingActions {
        visibility: ServerAction::new(),
        create_link: ServerAction::new(),
        revoke: ServerAction::new(),
    };
    // Bumped while the caption is being written, so that the page asks again (polling).
    let poll = RwSignal::new(0u32);
    let photo = crate::page_data::page_resource(
        move || {
            (
                id(),
                actions.set.version().get(),
                actions.reset.version().get(),
                actions.retry.version().get(),
                sharing.visibility.version().get(),
                sharing.create_link.version().get(),
                sharing.revoke.version().get(),
                poll.get(),
            )
        },
        |(id, ..)| get_photo(id),
    );
    let delete = ServerAction::<DeletePhoto>::new();
    every(CAPTION_POLL_INTERVAL, move || {
        let waiting = photo.get_untracked().and_then(Result::ok).is_some_and(|p| match p {
            PhotoPageData::Owned(details) => details.summary.caption_state.in_progress(),
            PhotoPageData::Viewed(seen) => seen.caption_state.in_progress(),
        });
        if waiting {
            poll.update(|n| *n += 1);
        }
    });
    view! {
        <Transition fallback=move || view! { <p class="muted">{t.common.loading}</p> }>
            {move || Suspend::new(async move {
                match photo.await {
                    Ok(PhotoPageData::Owned(details)) => view! { <PhotoView details delete actions sharing/> }.into_any(),
                    Ok(PhotoPageData::Viewed(seen)) => view! {
                        <Title text=seen.caption_text(t)/>
                        <SharePreview photo=Some(seen.clone()) page_path=format!("/photos/{}", seen.id)/>
                        <PublicPhotoView photo=seen/>
                    }.into_any(),
                    Err(AppError::NotFound) => view! { <NotFound/> }.into_any(),
                    Err(err) => view! { <Alert message=err.message(t)/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn PhotoView(
    details: PhotoDetails,
    delete: ServerAction<DeletePhoto>,
    actions: CaptionActions,
    sharing: SharingActions,
) -> impl IntoView {
    let t = use_texts();
    let id = details.summary.id.clone();
    let caption = details.summary.caption_text(t);
    let delete_error = move || delete.value().get().and_then(Result::err).map(|e| e.message(t));
    let failed = details.summary.caption_state == CaptionState::Failed;
    let retry_error = move || actions.retry.value().get().and_then(Result::err).map(|e| e.message(t));
    view! {
        <Title text=details.summary.file_name.clone()/>
        <article class="photo-page">
            <p><A href="/dashboard">{t.photo.back_to_photos}</A></p>
            <figure class="photo-figure" lang=details.summary.caption_language.code() dir=details.summary.caption_language.direction()>
                <img src=format!("/media/{id}/display") alt=caption.clone()/>
                <figcaption class="caption" class:pending=details.summary.shown_caption.is_none() class:unsure=details.summary.caption_unsure data-testid="caption">{caption}</figcaption>
            </figure>
            {failed.then({
                let id = id.clone();
                let why = details.caption_error;
                move || view! {
                <div class="caption-failed" data-testid="caption-failed">
                    {why.map(|why| view! { <p class="muted">{t.photo.caption_reason} {(t.photo.caption_failure)(why)}</p> })}
                    <ActionForm action=actions.retry>
                        <input type="hidden" name="id" value=id/>
                        <button type="submit" class="button secondary" disabled=move || actions.retry.pending().get()>{t.photo.try_again}</button>
                    </ActionForm>
                    {move || retry_error().map(|msg| view! { <Alert message=msg/> })}
                </div>
            }})}
            <CaptionEditor details=details.clone() actions/>
            <SharingPanel details=details.clone() actions=sharing/>
            <dl class="facts">
                <dt>{t.photo.fact_file}</dt><dd data-testid="file-name">{details.summary.file_name.clone()}</dd>
                <dt>{t.photo.fact_size}</dt><dd>{(t.photo.pixels_and_size)(details.width, details.height, &t.size(details.byte_size))}</dd>
                <dt>{t.photo.fact_uploaded}</dt><dd>{t.date_time(details.uploaded_at)}</dd>
            </dl>
            <p><a href=format!("/media/{id}/original") download=details.summary.file_name.clone()>{t.photo.download_original}</a></p>
            // <details> asks for confirmation with or without JavaScript.
            <details class="danger-zone">
                <summary>{t.photo.delete_photo}</summary>
                <p>{t.photo.delete_warning}</p>
                <ActionForm action=delete>
                    <input type="hidden" name="id" value=id.clone()/>
                    <button type="submit" class="button danger" disabled=move || delete.pending().get()>{t.photo.delete_permanently}</button>
                </ActionForm>
                {move || delete_error().map(|msg| view! { <Alert message=msg/> })}
            </details>
        </article>
    }
}

/// The model's best captions to pick from, and the owner's own caption to write.
#[component]
fn CaptionEditor(details: PhotoDetails, actions: CaptionActions) -> impl IntoView {
    let t = use_texts();
    let id = details.summary.id.clone();
    // The suggestions are the English model's: the owner's English caption is the one in use.
    let own = details.own_captions.get(&Language::En).cloned();
    let set_error = move || actions.set.value().get().and_then(Result::err).map(|e| e.message(t));
    let mut items = Vec::new();
    for (rank, suggestion) in details.suggestions.into_iter().enumerate() {
        let in_use = own.as_deref() == Some(suggestion.text.as_str()) || (own.is_none() && rank == 0);
        let (id, text) = (id.clone(), suggestion.text.clone());
        // The model's unsure caption in use: the owner can vouch for it, which ends the "Maybe".
        let confirm = own.is_none() && rank == 0 && suggestion.unsure;
        let pick = if in_use && !confirm {
            view! { <span class="badge">{t.photo.in_use}</span> }.into_any()
        } else {
            let label = if confirm { t.photo.confirm_caption } else { t.photo.use_caption };
            view! {
                {confirm.then(|| view! { <span class="badge">{t.photo.in_use_unsure}</span> })}
                <ActionForm action=actions.set>
                    <input type="hidden" name="id" value=id/>
                    <input type="hidden" name="caption" value=text/>
                    <button type="submit" class="button secondary small">{label}</button>
                </ActionForm>
            }
            .into_any()
        };
        items.push(view! {
            <li class="suggestion" class:in-use=in_use class:unsure=suggestion.unsure data-testid="suggestion">
                <span class="suggestion-text">{suggestion.text.clone()}</span>
                <span class="score" title=(t.photo.score_explained)(
                    f64::from(suggestion.per_word),
                    suggestion.weakest_words.map(f64::from),
                    f64::from(suggestion.score),
                )>
                    {(t.photo.confident)(suggestion.confidence_percent())}
                </span>
                // Said in words: a model may judge a caption by its weakest words, not by the mean
                // that the percentage shows, so a number alone could seem to contradict the mark.
                {(suggestion.unsure && !in_use).then(|| view! { <span class="badge unsure">{t.photo.unsure}</span> })}
                {pick}
            </li>
        });
    }
    let suggestions = (!items.is_empty()).then(|| {
        view! {
            <h2>{t.photo.model_captions}</h2>
            <ol class="suggestions" data-testid="suggestions">{items}</ol>
        }
    });
    let more_languages = (!details.more_languages.is_empty()).then(|| {
        view! {
            <h2>{t.photo.other_languages}</h2>
            <ul class="more-languages" data-testid="more-languages">
                {details.more_languages.iter().map(|caption| view! {
                    <li data-testid=format!("caption-{}", caption.language)>
                        <span class="language">{caption.language.native_name()}</span>
                        <span class="caption" class:unsure=caption.unsure lang=caption.language.code()
                            dir=caption.language.direction()>{caption.text(t)}</span>
                    </li>
                }).collect_view()}
            </ul>
        }
    });
    // The owner's captions, one per language, each with a way back to the model's.
    let own_captions = (!details.own_captions.is_empty()).then(|| {
        let rows: Vec<_> = details
            .own_captions
            .clone()
            .into_iter()
            .map(|(language, text)| {
                let id = id.clone();
                view! {
                    <li data-testid=format!("own-caption-{language}")>
                        <span class="language">{language.native_name()}</span>
                        <span class="caption" lang=language.code() dir=language.direction()>{text}</span>
                        <ActionForm action=actions.reset>
                            <input type="hidden" name="id" value=id/>
                            <input type="hidden" name="language" value=language.code()/>
                            <button type="submit" class="button link">{t.photo.use_model_caption}</button>
                        </ActionForm>
                    </li>
                }
            })
            .collect();
        view! { <ul class="own-captions" data-testid="own-captions">{rows}</ul> }
    });
    // The form edits one language's caption: the page's at first; choosing another language
    // shows the owner's caption in it, if there is one.
    let editing = RwSignal::new(t.language);
    let owns = details.own_captions.clone();
    let editing_text = move || owns.get(&editing.get()).cloned().unwrap_or_default();
    let choose_language = move |ev| {
        if let Some(language) = Language::from_code(&event_target_value(&ev)) {
            editing.set(language);
        }
    };
    view! {
        <section class="caption-editor">
            {suggestions}
            {more_languages}
            <h2>{t.photo.your_caption}</h2>
            {own_captions}
            <ActionForm action=actions.set attr:class="own-caption">
                <input type="hidden" name="id" value=id/>
                <label for="own-caption">{t.photo.write_own_caption}</label>
                // prop:value, never a text child: Leptos 0.8 does not escape a textarea's text
                // during server rendering (a stored caption could close the element).
                <textarea id="own-caption" name="caption" rows="2" maxlength="300" required
                    placeholder=t.photo.caption_placeholder prop:value=editing_text></textarea>
                <label for="own-caption-language">{t.photo.written_in}</label>
                <select id="own-caption-language" name="language" data-testid="own-caption-language"
                    on:change=choose_language>
                    {options(Language::ALL, t.language, Language::code, Language::native_name)}
                </select>
                <button type="submit" class="button" disabled=move || actions.set.pending().get()>{t.photo.save_caption}</button>
                {move || set_error().map(|msg| view! { <Alert message=msg/> })}
            </ActionForm>
        </section>
    }
}

/// Who may see the photo, its share links, and a form for a new one.
#[component]
fn SharingPanel(details: PhotoDetails, actions: SharingActions) -> impl IntoView {
    let t = use_texts();
    let id = details.summary.id.clone();
    let current = details.summary.visibility;
    let visibility_error = move || actions.visibility.value().get().and_then(Result::err).map(|e| e.message(t));
    let link_result = move || actions.create_link.value().get();
    let revoke_error = move || actions.revoke.value().get().and_then(Result::err).map(|e| e.message(t));
    let links = details.links.clone();
    let visibility_id = id.clone();
    view! {
        <section class="sharing" data-testid="sharing">
            <h2>{t.photo.sharing}</h2>
            <ActionForm action=actions.visibility attr:class="visibility-form">
                <input type="hidden" name="ids[0]" value=visibility_id/>
                <label for="photo-visibility">{t.photo.who_can_see}</label>
                <select id="photo-visibility" name="visibility" data-testid="visibility-select">
                    {options(Visibility::ALL, current, Visibility::as_str, move |v| v.label(t))}
                </select>
                <button type="submit" class="button secondary" disabled=move || actions.visibility.pending().get()>{t.photo.save}</button>
                <p class="muted" data-testid="visibility">{(t.photo.visibility_now)(current.label(t), current.explained(t))}</p>
                {move || visibility_error().map(|msg| view! { <Alert message=msg/> })}
            </ActionForm>
            <p class="muted">{(t.photo.likes)(details.likes)}</p>
            <h3>{t.photo.share_links}</h3>
            {(links.is_empty()).then(|| view! { <p class="muted">{t.photo.no_active_links}</p> })}
            <ul class="links" data-testid="photo-links">
                {links.into_iter().map(|link| view! {
                    <li data-testid="photo-link">
                        <code>{format!("/s/{}…", link.hint)}</code>
                        " · " {link.expires_at.map_or_else(|| t.photo.never_ends.to_owned(), |at| (t.photo.ends_at)(&t.date_time(at)))}
                        {link.has_password.then_some(t.photo.link_with_password)}
                        " · " {(t.photo.views)(link.views)}
                        <ActionForm action=actions.revoke attr:class="inline-form">
                            <input type="hidden" name="id" value=link.id.clone()/>
                            <button type="submit" class="button link">{t.photo.revoke}</button>
                        </ActionForm>
                    </li>
                }).collect_view()}
            </ul>
            {move || revoke_error().map(|msg| view! { <Alert message=msg/> })}
            <ActionForm action=actions.create_link attr:class="new-link">
                <input type="hidden" name="id" value=id.clone()/>
                <label for="link-expiry">{t.photo.link_ends_after}</label>
                <select id="link-expiry" name="expiry">
                    {options(LinkExpiry::ALL, LinkExpiry::default(), LinkExpiry::as_str, move |e| e.label(t))}
                </select>
                <label for="link-password">{t.photo.link_password}</label>
                <input id="link-password" type="password" name="password" autocomplete="new-password" maxlength="128"/>
                <button type="submit" class="button" disabled=move || actions.create_link.pending().get()>{t.photo.create_link}</button>
                {(current == Visibility::Private).then(|| view! {
                    <p class="muted">{t.photo.link_makes_link_only}</p>
                })}
            </ActionForm>
            {move || link_result().map(|result| match result {
                Ok(link) => view! { <NewLinkBox link/> }.into_any(),
                Err(err) => view! { <Alert message=err.message(t)/> }.into_any(),
            })}
        </section>
    }
}

/// The address of a link just made, shown once to copy.
#[component]
fn NewLinkBox(link: NewShareLink) -> impl IntoView {
    let t = use_texts();
    let address = crate::sharing::site_origin() + &link.path;
    view! {
        <div class="new-link-box">
            <label for="new-link">{t.photo.new_link_label}</label>
            <input id="new-link" type="text" readonly prop:value=address data-testid="new-link"/>
        </div>
    }
}
