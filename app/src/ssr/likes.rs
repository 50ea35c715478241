//! Likes: one per user and public photo. A document per like (unique on user and photo) is the
//! truth; the photo's `likes` count follows it with `$inc`, so that feeds need no join.

use std::collections::HashSet;

use bson::{doc, oid::ObjectId, DateTime};
use futures::TryStreamExt;
use mongodb::{options::IndexOptions, Database, IndexModel};
use serde::{Deserialize, Serialize};

use super::photos;

pub const LIKES: &str = "likes";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Like {
    #[serde(rename = "_id")]
    pub id: ObjectId,
    pub user_id: ObjectId,
    pub photo_id: ObjectId,
    pub liked_at: DateTime,
}

fn likes(db: &Database) -> mongodb::Collection<Like> {
    db.collection(LIKES)
}

pub async fn ensure_indexes(db: &Database) -> mongodb::error::Result<()> {
    likes(db)
        .create_index(
            IndexModel::builder()
                .keys(doc! { "user_id": 1, "photo_id": 1 })
                .options(IndexOptions::builder().unique(true).name("one_like_per_user".to_owned()).build())
                .build(),
        )
        .await?;
    likes(db)
        .create_index(
            IndexModel::builder()
                .keys(doc! { "user_id": 1, "_id": -1 })
                .options(IndexOptions::builder().name("user_newest_first".to_owned()).build())
                .build(),
        )
        .await?;
    likes(db)
        .create_index(
            IndexModel::builder()
                .keys(doc! { "photo_id": 1 })
                .options(IndexOptions::builder().name("by_photo".to_owned()).build())
                .build(),
        )
        .await?;
    Ok(())
}

/// Likes the photo (the caller checked that the user may like it); liking twice changes nothing.
pub async fn like(db: &Database, user_id: ObjectId, photo_id: ObjectId) -> mongodb::error::Result<()> {
    let like = Like { id: ObjectId::new(), user_id, photo_id, liked_at: DateTime::now() };
    match likes(db).insert_one(&like).await {
        Ok(_) => {
            photos::collection(db).update_one(doc! { "_id": photo_id }, doc! { "$inc": { "likes": 1 } }).await?;
            Ok(())
        }
        Err(err) if super::accounts::is_duplicate_key(&err) => Ok(()),
        Err(err) => Err(err),
    }
}

/// Takes the user's like back; unliking what was not liked changes nothing.
pub async fn unlike(db: &Database, user_id: ObjectId, photo_id: ObjectId) -> mongodb::error::Result<()> {
    let removed = likes(db).delete_one(doc! { "user_id": user_id, "photo_id": photo_id }).await?.deleted_count;
    if removed == 1 {
        photos::collection(db)
            .update_one(doc! { "_id": photo_id, "likes": { "$gt": 0 } }, doc! { "$inc": { "likes": -1 } })
            .await?;
    }
    Ok(())
}

/// Which of `photo_ids` the user likes.
pub async fn liked_among(
    db: &Database,
    user_id: ObjectId,
    photo_ids: &[ObjectId],
) -> mongodb::error::Result<HashSet<ObjectId>> {
    let found: Vec<Like> =
        likes(db).find(doc! { "user_id": user_id, "photo_id": { "$in": photo_ids } }).await?.try_collect().await?;
    Ok(found.into_iter().map(|l| l.photo_id).collect())
}

/// The user's likes, newest first, `limit` after the cursor `before` (a like's id).
pub async fn newest(
    db: &Database,
    user_id: ObjectId,
    before: Option<ObjectId>,
    limit: i64,
) -> mongodb::error::Result<Vec<Like>> {
    let mut filter = doc! { "user_id": user_id };
    if let Some(before) = before {
        filter.insert("_id", doc! { "$lt": before });
    }
    likes(db).find(filter).sort(doc! { "_id": -1 }).limit(limit).await?.try_collect().await
}

/// Removes the likes of a deleted photo.
pub async fn delete_for_photo(db: &Database, photo_id: ObjectId) -> mongodb::error::Result<()> {
    likes(db).delete_many(doc! { "photo_id": photo_id }).await?;
    Ok(())
}
