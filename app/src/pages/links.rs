//! "Shared links": every active share link of the user, each revocable on its own.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::{auth::RequireUser, error::AppError, i18n::use_texts, layout::Alert, photo_view::ShareLinkInfo};

/// The caller's active share links, newest first, with their photos' captions.
#[server(prefix = "/api", endpoint = "list_share_links")]
pub async fn list_share_links() -> Result<Vec<ShareLinkInfo>, AppError> {
    use crate::ssr::{photos, request, share_links};
    use bson::doc;
    use futures::TryStreamExt;
    let (state, user) = request::signed_in().await?;
    let language = request::reader_language(Some(&user));
    let links = share_links::list_active(&state.db, user.id, None).await.map_err(AppError::database)?;
    let ids: Vec<_> = links.iter().map(|l| l.photo_id).collect();
    let shown: Vec<photos::Photo> = photos::collection(&state.db)
        .find(doc! { "_id": { "$in": ids }, "owner_id": user.id })
        .await
        .map_err(AppError::database)?
        .try_collect()
        .await
        .map_err(AppError::database)?;
    Ok(links
        .iter()
        .filter_map(|link| {
            let photo = shown.iter().find(|p| p.id == link.photo_id)?;
            Some(link.info(photo.caption_for(language).text))
        })
        .collect())
}

/// Revokes one of the caller's links: it answers 404 from now on.
#[server(prefix = "/api", endpoint = "revoke_share_link")]
pub async fn revoke_share_link(id: String) -> Result<(), AppError> {
    use crate::ssr::{request, share_links};
    let (state, user) = request::signed_in().await?;
    if !share_links::revoke(&state.db, user.id, &id).await.map_err(AppError::database)? {
        return Err(AppError::NotFound);
    }
    Ok(())
}

#[component]
pub fn LinksPage() -> impl IntoView {
    let t = use_texts();
    let revoke = ServerAction::<RevokeShareLink>::new();
    let links = crate::page_data::page_resource(move || revoke.version().get(), |_| list_share_links());
    let revoke_error = move || revoke.value().get().and_then(Result::err).map(|e| e.message(t));
    view! {
        <Title text=t.common.shared_links/>
        <RequireUser let:_user>
            <section class="links-page">
                <h1>{t.common.shared_links}</h1>
                <p class="muted">{t.photo.links_intro}</p>
                {move || revoke_error().map(|msg| view! { <Alert message=msg/> })}
                <Transition fallback=move || view! { <p class="muted">{t.common.loading}</p> }>
                    {move || Suspend::new(async move {
                        match links.await {
                            Err(err) => view! { <Alert message=err.message(t)/> }.into_any(),
                            Ok(links) if links.is_empty() => view! {
                                <p class="empty-state" data-testid="no-links">{t.photo.no_links}</p>
                            }.into_any(),
                            Ok(links) => view! {
                                <table class="links-table">
                                    <thead><tr>
                                        <th>{t.photo.column_photo}</th><th>{t.photo.column_link}</th><th>{t.photo.column_made}</th>
                                        <th>{t.photo.column_ends}</th><th>{t.photo.column_views}</th><th></th>
                                    </tr></thead>
                                    <tbody>
                                        {links.into_iter().map(|link| view! { <LinkRow link revoke/> }).collect_view()}
                                    </tbody>
                                </table>
                            }.into_any(),
                        }
                    })}
                </Transition>
            </section>
        </RequireUser>
    }
}

#[component]
fn LinkRow(link: ShareLinkInfo, revoke: ServerAction<RevokeShareLink>) -> impl IntoView {
    let t = use_texts();
    let caption = link.photo_caption.clone().unwrap_or_else(|| t.common.captioning.to_owned());
    view! {
        <tr data-testid="share-link">
            <td>
                <a href=format!("/photos/{}", link.photo_id) class="link-photo">
                    <img src=format!("/media/{}/thumb", link.photo_id) alt=caption.clone() width="64" height="64"/>
                    <span>{caption}</span>
                </a>
            </td>
            <td><code>{format!("/s/{}…", link.hint)}</code>{link.has_password.then_some(t.photo.row_with_password)}</td>
            <td>{t.date_time(link.created_at)}</td>
            <td>{link.expires_at.map_or_else(|| t.common.expiry_never.to_owned(), |at| t.date_time(at))}</td>
            <td data-testid="link-views">{t.number(link.views)}</td>
            <td>
                <ActionForm action=revoke attr:class="inline-form">
                    <input type="hidden" name="id" value=link.id/>
                    <button type="submit" class="button danger small">{t.photo.revoke}</button>
                </ActionForm>
            </td>
        </tr>
    }
}
