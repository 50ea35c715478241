//! Share links: `/s/{token}` opens one photo to whoever holds the token, until the link expires
//! or its owner revokes it. The token is 256 random bits and the database keeps only its SHA-256
//! (like session tokens). A link may have a password (argon2id, like account passwords); a
//! browser that gave it gets a grant cookie for that link, whose hash is stored likewise.
//!
//! Whether a link shows its photo at all is still decided by `access`: a link to a photo made
//! private again, or deleted, opens nothing.

use bson::{doc, oid::ObjectId, DateTime};
use cookie::{time::Duration as CookieDuration, Cookie, SameSite};
use futures::TryStreamExt;
use mongodb::{options::IndexOptions, Database, IndexModel};
use serde::{Deserialize, Serialize};

use super::{
    accounts,
    sessions::{hash_token, new_token},
};
use crate::photo_view::{LinkExpiry, ShareLinkInfo};

pub const SHARE_LINKS: &str = "share_links";
pub const SHARE_GRANTS: &str = "share_grants";
/// How long a browser that gave a link's password may view it without giving it again.
const GRANT_HOURS: i64 = 24;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ShareLink {
    #[serde(rename = "_id")]
    pub id: ObjectId,
    /// SHA-256 of the token, hex; unique.
    pub token_hash: String,
    pub photo_id: ObjectId,
    pub owner_id: ObjectId,
    pub created_at: DateTime,
    /// `None`: never expires. The TTL index removes the link after this instant; reads check it
    /// too, because the TTL monitor runs only every minute or so.
    pub expires_at: Option<DateTime>,
    pub password_hash: Option<String>,
    #[serde(default)]
    pub views: i64,
    /// The token's first characters, so that the owner can tell links apart.
    pub hint: String,
}

impl ShareLink {
    pub fn info(&self, photo_caption: Option<String>) -> ShareLinkInfo {
        ShareLinkInfo {
            id: self.id.to_hex(),
            photo_id: self.photo_id.to_hex(),
            photo_caption,
            hint: self.hint.clone(),
            created_at: self.created_at.timestamp_millis(),
            expires_at: self.expires_at.map(|at| at.timestamp_millis()),
            has_password: self.password_hash.is_some(),
            views: self.views.max(0) as u64,
        }
    }
}

/// A link that is active and, if it has a password, unlocked: what `access` accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenedLink {
    pub id: ObjectId,
    pub photo_id: ObjectId,
    /// The token it was opened with: the images are fetched under it.
    pub token: String,
}

impl OpenedLink {
    /// Where the photo's copies are served to the link's holders.
    pub fn image_base(&self) -> String {
        link_path(&self.token)
    }
}

/// The page of a share link.
pub fn link_path(token: &str) -> String {
    format!("/s/{token}")
}

/// What a token opens.
#[derive(Debug, Clone)]
pub enum LinkState {
    /// No such link, or it expired or was revoked.
    Unknown,
    /// A link with a password that this browser has not given.
    Locked(ShareLink),
    Open(OpenedLink),
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Grant {
    /// SHA-256 of the grant cookie's value.
    #[serde(rename = "_id")]
    token_hash: String,
    link_id: ObjectId,
    expires_at: DateTime,
}

fn links(db: &Database) -> mongodb::Collection<ShareLink> {
    db.collection(SHARE_LINKS)
}

fn grants(db: &Database) -> mongodb::Collection<Grant> {
    db.collection(SHARE_GRANTS)
}

pub async fn ensure_indexes(db: &Database) -> mongodb::error::Result<()> {
    let named = |name: &str| IndexOptions::builder().name(name.to_owned()).build();
    let expiry =
        |name: &str| IndexOptions::builder().expire_after(std::time::Duration::ZERO).name(name.to_owned()).build();
    links(db)
        .create_index(
            IndexModel::builder()
                .keys(doc! { "token_hash": 1 })
                .options(IndexOptions::builder().unique(true).name("unique_token".to_owned()).build())
                .build(),
        )
        .await?;
    links(db)
        .create_index(
            IndexModel::builder().keys(doc! { "owner_id": 1, "_id": -1 }).options(named("owner_newest_first")).build(),
        )
        .await?;
    links(db)
        .create_index(IndexModel::builder().keys(doc! { "photo_id": 1 }).options(named("by_photo")).build())
        .await?;
    links(db)
        .create_index(IndexModel::builder().keys(doc! { "expires_at": 1 }).options(expiry("link_expiry")).build())
        .await?;
    grants(db)
        .create_index(IndexModel::builder().keys(doc! { "expires_at": 1 }).options(expiry("grant_expiry")).build())
        .await?;
    Ok(())
}

fn not_expired() -> bson::Document {
    doc! { "$or": [ { "expires_at": null }, { "expires_at": { "$gt": DateTime::now() } } ] }
}

/// Makes a link to the owner's photo (the caller checked that it is theirs). Returns the link
/// and its token, which is never stored.
pub async fn create(
    db: &Database,
    owner_id: ObjectId,
    photo_id: ObjectId,
    expiry: LinkExpiry,
    password: Option<&str>,
) -> Result<(ShareLink, String), String> {
    let token = new_token();
    let password_hash = match password {
        Some(password) => Some(accounts::hash_secret(password).await?),
        None => None,
    };
    let now = DateTime::now();
    let link = ShareLink {
        id: ObjectId::new(),
        token_hash: hash_token(&token),
        photo_id,
        owner_id,
        created_at: now,
        expires_at: expiry.days().map(|days| DateTime::from_millis(now.timestamp_millis() + days * 24 * 3600 * 1000)),
        password_hash,
        views: 0,
        hint: token.chars().take(6).collect(),
    };
    links(db).insert_one(&link).await.map_err(|e| e.to_string())?;
    Ok((link, token))
}

/// The active link of a token: not expired, not revoked.
pub async fn find_active(db: &Database, token: &str) -> mongodb::error::Result<Option<ShareLink>> {
    let mut filter = not_expired();
    filter.insert("token_hash", hash_token(token));
    links(db).find_one(filter).await
}

fn grant_cookie_name(link_id: ObjectId) -> String {
    format!("captioned_link_{}", link_id.to_hex())
}

/// What `token` opens for a browser that sent `cookie_header`.
pub async fn open(db: &Database, token: &str, cookie_header: Option<&str>) -> mongodb::error::Result<LinkState> {
    let Some(link) = find_active(db, token).await? else { return Ok(LinkState::Unknown) };
    if link.password_hash.is_some() {
        let name = grant_cookie_name(link.id);
        let grant = cookie_header.and_then(|header| {
            Cookie::split_parse(header).filter_map(Result::ok).find(|c| c.name() == name).map(|c| c.value().to_owned())
        });
        let granted = match grant {
            Some(grant) => grants(db)
                .find_one(
                    doc! { "_id": hash_token(&grant), "link_id": link.id, "expires_at": { "$gt": DateTime::now() } },
                )
                .await?
                .is_some(),
            None => false,
        };
        if !granted {
            return Ok(LinkState::Locked(link));
        }
    }
    Ok(LinkState::Open(OpenedLink { id: link.id, photo_id: link.photo_id, token: token.to_owned() }))
}

/// Checks a locked link's password; when right, stores a grant and returns its `Set-Cookie`.
pub async fn unlock(
    db: &Database,
    link: &ShareLink,
    password: &str,
    cookie_secure: bool,
) -> mongodb::error::Result<Option<String>> {
    let Some(hash) = &link.password_hash else { return Ok(None) };
    if !accounts::verify_password(password, hash).await {
        return Ok(None);
    }
    let token = new_token();
    let until_ms = DateTime::now().timestamp_millis() + GRANT_HOURS * 3600 * 1000;
    let until_ms = link.expires_at.map_or(until_ms, |e| e.timestamp_millis().min(until_ms));
    grants(db)
        .insert_one(Grant {
            token_hash: hash_token(&token),
            link_id: link.id,
            expires_at: DateTime::from_millis(until_ms),
        })
        .await?;
    let max_age = (until_ms - DateTime::now().timestamp_millis()).max(0) / 1000;
    let cookie = Cookie::build((grant_cookie_name(link.id), token))
        .http_only(true)
        .same_site(SameSite::Lax)
        .path("/")
        .secure(cookie_secure)
        .max_age(CookieDuration::seconds(max_age))
        .build();
    Ok(Some(cookie.to_string()))
}

/// Counts one view of the link's page.
pub async fn record_view(db: &Database, link_id: ObjectId) -> mongodb::error::Result<()> {
    links(db).update_one(doc! { "_id": link_id }, doc! { "$inc": { "views": 1 } }).await?;
    Ok(())
}

/// The owner's active links, newest first; of one photo when `photo_id` is given.
pub async fn list_active(
    db: &Database,
    owner_id: ObjectId,
    photo_id: Option<ObjectId>,
) -> mongodb::error::Result<Vec<ShareLink>> {
    let mut filter = not_expired();
    filter.insert("owner_id", owner_id);
    if let Some(photo_id) = photo_id {
        filter.insert("photo_id", photo_id);
    }
    links(db).find(filter).sort(doc! { "_id": -1 }).limit(500).await?.try_collect().await
}

/// Revokes one of the owner's links, and every grant its password gave. `false` when the owner
/// has no such link.
pub async fn revoke(db: &Database, owner_id: ObjectId, id: &str) -> mongodb::error::Result<bool> {
    let Ok(id) = ObjectId::parse_str(id) else { return Ok(false) };
    let deleted = links(db).delete_one(doc! { "_id": id, "owner_id": owner_id }).await?.deleted_count == 1;
    if deleted {
        grants(db).delete_many(doc! { "link_id": id }).await?;
    }
    Ok(deleted)
}

/// Removes the links of a deleted photo.
pub async fn delete_for_photo(db: &Database, photo_id: ObjectId) -> mongodb::error::Result<()> {
    let ids: Vec<ObjectId> = links(db)
        .find(doc! { "photo_id": photo_id })
        .await?
        .try_collect::<Vec<_>>()
        .await?
        .iter()
        .map(|l| l.id)
        .collect();
    links(db).delete_many(doc! { "photo_id": photo_id }).await?;
    grants(db).delete_many(doc! { "link_id": { "$in": ids } }).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_info_shows_what_the_owner_needs() {
        let link = ShareLink {
            id: ObjectId::new(),
            token_hash: hash_token("tok"),
            photo_id: ObjectId::new(),
            owner_id: ObjectId::new(),
            created_at: DateTime::from_millis(0),
            expires_at: None,
            password_hash: Some("x".into()),
            views: 3,
            hint: "abcdef".into(),
        };
        let info = link.info(Some("a dog".into()));
        assert_eq!((info.expires_at, info.has_password, info.views), (None, true, 3));
        assert_eq!(info.created_at, 0);
        assert_eq!(link_path("tok"), "/s/tok");
        assert_eq!(grant_cookie_name(link.id).len(), "captioned_link_".len() + 24);
    }
}
