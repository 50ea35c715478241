//! Photos in MongoDB: a document per photo in `photos`, and its three files (original, display
//! copy, thumbnail) in the GridFS bucket `photos`. Every write is scoped to the owner; reads by
//! anyone else go through `access`.

use std::{collections::BTreeMap, time::Duration};

use bson::{doc, oid::ObjectId, Bson, DateTime, Document};
use futures::{AsyncWriteExt, TryStreamExt};
use languages::Language;
use mongodb::{
    gridfs::{GridFsBucket, GridFsDownloadStream},
    options::{GridFsBucketOptions, IndexOptions, WriteConcern},
    Database, IndexModel,
};
use serde::{Deserialize, Serialize};

use super::{
    accounts::User,
    caption_jobs::{self, CaptionJob, ClaimedJob},
    imaging::ProcessedPhoto,
    likes, share_links,
};
use crate::{
    domain::Caption,
    photo_view::{
        CaptionFailure, CaptionState, GalleryPage, LanguageCaption, PhotoDetails, PhotoSummary, PublicPhoto,
        ShareLinkInfo, Suggestion, Visibility,
    },
    search::index_words,
};

pub const PHOTOS: &str = "photos";
pub const BUCKET: &str = "photos";
pub const PAGE_SIZE: i64 = 24;

/// The indexes that serve pages of photos, newest first (see `newest_page`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageIndex {
    /// `owner_id, _id`: a user's gallery and private search.
    Owner,
    /// `visibility, _id`: Explore and public search.
    Visibility,
    /// `owner_id, visibility, _id`: a profile.
    OwnerVisibility,
}

impl PageIndex {
    pub fn name(self) -> &'static str {
        match self {
            PageIndex::Owner => "owner_newest_first",
            PageIndex::Visibility => "visibility_newest_first",
            PageIndex::OwnerVisibility => "owner_visibility_newest_first",
        }
    }

    fn keys(self) -> Document {
        match self {
            PageIndex::Owner => doc! { "owner_id": 1, "_id": -1 },
            PageIndex::Visibility => doc! { "visibility": 1, "_id": -1 },
            PageIndex::OwnerVisibility => doc! { "owner_id": 1, "visibility": 1, "_id": -1 },
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PhotoFiles {
    pub original: ObjectId,
    pub display: ObjectId,
    pub thumb: ObjectId,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Photo {
    #[serde(rename = "_id")]
    pub id: ObjectId,
    pub owner_id: ObjectId,
    pub file_name: String,
    pub content_type: String,
    pub byte_size: i64,
    pub width: u32,
    pub height: u32,
    pub uploaded_at: DateTime,
    pub files: PhotoFiles,
    /// The model's best caption; kept when the owner writes their own. Stored as `caption`.
    #[serde(rename = "caption")]
    pub model_caption: Option<String>,
    /// The model's best captions with their scores, best first.
    #[serde(default)]
    pub suggestions: Vec<Suggestion>,
    /// Which caption model wrote `caption` and `suggestions` (its folder's name, e.g.
    /// `caption-attention`); `None` for captions from before this was recorded.
    #[serde(default)]
    pub caption_model: Option<String>,
    /// The model's captions in the other caption languages (`CAPTION_LANGUAGES`), each with
    /// its suggestions, search words and model. Photos from before a language was enabled lack
    /// it until `claim_missing_languages` hands them to a worker.
    #[serde(default)]
    pub more_languages: BTreeMap<Language, LanguageCaptions>,
    /// The owner's own captions (written, or picked from the suggestions), one per language at
    /// most: shown to readers of that language. See `own_captions()` for the older fields.
    #[serde(default)]
    pub own_captions: BTreeMap<Language, String>,
    /// Documents from before there could be several own captions hold their one here, with its
    /// language (`None`: from before that was asked, English). Rewritten as `own_captions` by the
    /// next change of an own caption.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub own_caption: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub own_caption_language: Option<Language>,
    /// Search words of `caption` and of every language's caption in `more_languages`; `own_words`
    /// of every own caption (see `crate::search`).
    #[serde(default)]
    pub caption_words: Vec<String>,
    #[serde(default)]
    pub own_words: Vec<String>,
    #[serde(default)]
    pub job: CaptionJob,
    /// Photos stored before sharing existed have none: private.
    #[serde(default)]
    pub visibility: Visibility,
    /// How many users like it (see `likes`).
    #[serde(default)]
    pub likes: i64,
}

/// The model's captions of a photo in one more language: best first, with their search words
/// and the model that wrote them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LanguageCaptions {
    pub suggestions: Vec<Suggestion>,
    pub model: String,
    pub words: Vec<String>,
}

impl LanguageCaptions {
    pub fn new(suggestions: Vec<Suggestion>, model: String) -> Self {
        let words = suggestions.first().map(|best| index_words(&best.text)).unwrap_or_default();
        Self { suggestions, model, words }
    }
}

/// The caption shown to a reader, the language it is in, and whether it is the model's and the
/// model is unsure of it.
#[derive(Debug, Clone, PartialEq)]
pub struct ShownCaption {
    /// `None` while the model has not written one yet.
    pub text: Option<String>,
    pub language: Language,
    pub unsure: bool,
}

/// Which stored copy of a photo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    Original,
    Display,
    Thumb,
}

impl Variant {
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "original" => Some(Self::Original),
            "display" => Some(Self::Display),
            "thumb" => Some(Self::Thumb),
            _ => None,
        }
    }
}

impl Photo {
    pub fn file_id(&self, variant: Variant) -> ObjectId {
        match variant {
            Variant::Original => self.files.original,
            Variant::Display => self.files.display,
            Variant::Thumb => self.files.thumb,
        }
    }

    pub fn content_type_of(&self, variant: Variant) -> &str {
        match variant {
            Variant::Original => &self.content_type,
            Variant::Display | Variant::Thumb => "image/jpeg",
        }
    }

    /// The owner's own captions by language, those of older documents included.
    pub fn own_captions(&self) -> BTreeMap<Language, String> {
        let mut all = BTreeMap::new();
        if let Some(text) = &self.own_caption {
            all.insert(self.own_caption_language.unwrap_or_default(), text.clone());
        }
        all.extend(self.own_captions.iter().map(|(language, text)| (*language, text.clone())));
        all
    }

    /// The caption a reader of `language` sees: the owner's own in that language, else the
    /// model's in it, else the main caption (the owner's own, English first, else the model's
    /// English). Own captions from before languages were recorded count as English.
    pub fn caption_for(&self, language: Language) -> ShownCaption {
        let owns = self.own_captions();
        let own = |(language, text): (&Language, &String)| ShownCaption {
            text: Some(text.clone()),
            language: *language,
            unsure: false,
        };
        if let Some(mine) = owns.get_key_value(&language) {
            return own(mine);
        }
        let english = || ShownCaption {
            text: self.model_caption.clone(),
            language: Language::En,
            unsure: self.suggestions.first().is_some_and(|best| best.unsure),
        };
        let in_language = if language == Language::En {
            self.model_caption.is_some().then(english)
        } else {
            let best = self.more_languages.get(&language).and_then(|captions| captions.suggestions.first());
            best.map(|best| ShownCaption { text: Some(best.text.clone()), language, unsure: best.unsure })
        };
        // The map is in `Language` order, English first.
        in_language.or_else(|| owns.iter().next().map(own)).unwrap_or_else(english)
    }

    /// The photo in a gallery, its caption for a reader of `language`.
    pub fn summary(&self, language: Language) -> PhotoSummary {
        let caption = self.caption_for(language);
        PhotoSummary {
            id: self.id.to_hex(),
            file_name: self.file_name.clone(),
            shown_caption: caption.text,
            caption_unsure: caption.unsure,
            caption_language: caption.language,
            caption_state: self.job.state,
            visibility: self.visibility,
        }
    }

    /// What the owner's photo page shows, with the photo's active share links, for a reader of
    /// `language`.
    pub fn details(&self, links: Vec<ShareLinkInfo>, language: Language) -> PhotoDetails {
        PhotoDetails {
            summary: self.summary(language),
            links,
            likes: self.likes.max(0) as u64,
            model_caption: self.model_caption.clone(),
            own_captions: self.own_captions(),
            suggestions: self.suggestions.clone(),
            more_languages: self
                .more_languages
                .iter()
                .filter_map(|(language, captions)| {
                    let best = captions.suggestions.first()?;
                    Some(LanguageCaption { language: *language, caption: best.text.clone(), unsure: best.unsure })
                })
                .collect(),
            caption_error: (self.job.state == CaptionState::Failed)
                .then(|| self.job.last_error.as_deref().map(CaptionFailure::from_stored))
                .flatten(),
            width: self.width,
            height: self.height,
            byte_size: self.byte_size.max(0) as u64,
            uploaded_at: self.uploaded_at.timestamp_millis(),
        }
    }

    /// What anyone but the owner gets (the caller checked `access`): no file name, no original;
    /// the caption for a reader of `language`.
    pub fn public_view(
        &self,
        owner: &User,
        image_base: String,
        liked: Option<bool>,
        language: Language,
    ) -> PublicPhoto {
        let caption = self.caption_for(language);
        PublicPhoto {
            id: self.id.to_hex(),
            caption: caption.text,
            caption_unsure: caption.unsure,
            caption_language: caption.language,
            caption_state: self.job.state,
            owner: owner.card(),
            image_base,
            width: self.width,
            height: self.height,
            uploaded_at: self.uploaded_at.timestamp_millis(),
            likes: self.likes.max(0) as u64,
            liked,
        }
    }

    /// Where a public photo's copies are served.
    pub fn media_base(&self) -> String {
        format!("/media/{}", self.id.to_hex())
    }
}

/// The photos, which are also the caption queue's documents (see `caption_jobs`).
pub fn collection(db: &Database) -> mongodb::Collection<Photo> {
    db.collection(PHOTOS)
}

pub fn bucket(db: &Database) -> GridFsBucket {
    // A file's chunks need not wait for the journal one by one: nothing refers to a file until its
    // photo's document is written after them, with the journaled default, and the journal is in
    // order, so that wait covers the chunks too.
    let unjournaled = WriteConcern::builder().journal(false).build();
    db.gridfs_bucket(GridFsBucketOptions::builder().bucket_name(BUCKET.to_owned()).write_concern(unjournaled).build())
}

pub async fn ensure_indexes(db: &Database) -> mongodb::error::Result<()> {
    for index in [PageIndex::Owner, PageIndex::Visibility, PageIndex::OwnerVisibility] {
        collection(db)
            .create_index(
                IndexModel::builder()
                    .keys(index.keys())
                    .options(IndexOptions::builder().name(index.name().to_owned()).build())
                    .build(),
            )
            .await?;
    }
    caption_jobs::ensure_indexes(&collection(db)).await
}

/// A photo id from a URL: anything malformed is simply not found.
pub fn parse_id(id: &str) -> Option<ObjectId> {
    ObjectId::parse_str(id).ok()
}

async fn put_file(bucket: &GridFsBucket, name: &str, bytes: &[u8]) -> mongodb::error::Result<ObjectId> {
    let id = ObjectId::new();
    let mut upload = bucket.open_upload_stream(name).id(Bson::ObjectId(id)).await?;
    if let Err(err) = upload.write_all(bytes).await {
        let _ = upload.abort().await;
        return Err(mongodb::error::Error::custom(err.to_string()));
    }
    upload.close().await.map_err(|e| mongodb::error::Error::custom(e.to_string()))?;
    Ok(id)
}

/// Deletes GridFS files, ignoring those already gone (so a retried delete completes).
async fn delete_files(bucket: &GridFsBucket, ids: &[ObjectId]) -> mongodb::error::Result<()> {
    for id in ids {
        if let Err(err) = bucket.delete(Bson::ObjectId(*id)).await {
            let missing = matches!(err.kind.as_ref(), mongodb::error::ErrorKind::GridFs(_));
            if !missing {
                return Err(err);
            }
        }
    }
    Ok(())
}

/// Stores a processed upload: the three files, then the document. If any step fails, what was
/// already written is removed again, so nothing half-stored remains.
pub async fn store(
    db: &Database,
    owner_id: ObjectId,
    file_name: &str,
    original: &[u8],
    processed: &ProcessedPhoto,
    visibility: Visibility,
) -> mongodb::error::Result<Photo> {
    let bucket = bucket(db);
    let mut written = Vec::new();
    let result = async {
        for bytes in [original, processed.display_jpeg.as_slice(), processed.thumb_jpeg.as_slice()] {
            written.push(put_file(&bucket, file_name, bytes).await?);
        }
        let photo = Photo {
            id: ObjectId::new(),
            owner_id,
            file_name: file_name.to_owned(),
            content_type: processed.content_type.to_owned(),
            byte_size: original.len() as i64,
            width: processed.width,
            height: processed.height,
            uploaded_at: DateTime::now(),
            files: PhotoFiles { original: written[0], display: written[1], thumb: written[2] },
            model_caption: None,
            caption_model: None,
            suggestions: Vec::new(),
            more_languages: BTreeMap::new(),
            own_captions: BTreeMap::new(),
            own_caption: None,
            own_caption_language: None,
            caption_words: Vec::new(),
            own_words: Vec::new(),
            job: CaptionJob::new(),
            visibility,
            likes: 0,
        };
        collection(db).insert_one(&photo).await?;
        Ok(photo)
    }
    .await;
    if result.is_err() {
        if let Err(cleanup) = delete_files(&bucket, &written).await {
            tracing::error!(%cleanup, "could not remove the files of a failed upload");
        }
    }
    result
}

/// The bytes of the originals the owner stores (what the storage quota counts).
pub async fn stored_bytes(db: &Database, owner_id: ObjectId) -> mongodb::error::Result<u64> {
    let mut totals = collection(db)
        .aggregate([
            doc! { "$match": { "owner_id": owner_id } },
            doc! { "$group": { "_id": null, "bytes": { "$sum": "$byte_size" } } },
        ])
        .await?;
    let total = totals.try_next().await?;
    let bytes = total.and_then(|t| t.get("bytes").and_then(|b| b.as_i64().or_else(|| b.as_i32().map(i64::from))));
    Ok(bytes.unwrap_or(0).max(0) as u64)
}

/// The owner's photo, or `None` when it does not exist or belongs to someone else.
pub async fn find_owned(db: &Database, owner_id: ObjectId, id: &str) -> mongodb::error::Result<Option<Photo>> {
    let Some(id) = parse_id(id) else { return Ok(None) };
    collection(db).find_one(doc! { "_id": id, "owner_id": owner_id }).await
}

/// The owner's photos, newest first, `PAGE_SIZE` at a time after the cursor `before`.
pub async fn list(
    db: &Database,
    owner: &User,
    before: Option<&str>,
    language: Language,
) -> mongodb::error::Result<GalleryPage> {
    gallery_page(db, &Listing::of_owner(owner, Document::new()), &[], before, language).await
}

/// The owner's photos whose captions (the model's or their own) have every word of `words`
/// (already normalised by `crate::search::query_words`), newest first, paged like `list`.
pub async fn search(
    db: &Database,
    owner: &User,
    words: &[String],
    before: Option<&str>,
    language: Language,
) -> mongodb::error::Result<GalleryPage> {
    if words.is_empty() {
        return Ok(GalleryPage::default());
    }
    gallery_page(db, &Listing::of_owner(owner, Document::new()), words, before, language).await
}

/// The current state of some of the owner's photos (the gallery asks while captions are coming),
/// their captions for a reader of `language`.
pub async fn summaries(
    db: &Database,
    owner_id: ObjectId,
    ids: &[String],
    language: Language,
) -> mongodb::error::Result<Vec<PhotoSummary>> {
    let ids: Vec<ObjectId> = ids.iter().filter_map(|id| parse_id(id)).take(PAGE_SIZE as usize * 4).collect();
    let found: Vec<Photo> =
        collection(db).find(doc! { "owner_id": owner_id, "_id": { "$in": ids } }).await?.try_collect().await?;
    Ok(found.iter().map(|photo| photo.summary(language)).collect())
}

/// Sets the owner's own caption in `language` (`None`: back to the model's in it), and the
/// search words of all their captions. `false` when there is no such photo.
pub async fn set_own_caption(
    db: &Database,
    owner_id: ObjectId,
    id: &str,
    language: Language,
    caption: Option<Caption>,
) -> mongodb::error::Result<bool> {
    let Some(photo) = find_owned(db, owner_id, id).await? else { return Ok(false) };
    let mut owns = photo.own_captions();
    match caption {
        Some(caption) => owns.insert(language, caption.into_string()),
        None => owns.remove(&language),
    };
    let mut words: Vec<String> = owns.values().flat_map(|caption| index_words(caption)).collect();
    words.sort();
    words.dedup();
    let result = collection(db)
        .update_one(
            doc! { "_id": photo.id, "owner_id": owner_id },
            doc! {
                "$set": { "own_captions": to_bson(&owns)?, "own_words": words },
                "$unset": { "own_caption": "", "own_caption_language": "" },
            },
        )
        .await?;
    Ok(result.matched_count == 1)
}

/// Stores the model's captions (best first) for the photo of a held caption job, and those in
/// its other languages, with their search words, and finishes the job. `false` when the claim
/// was lost meanwhile.
pub async fn store_model_captions(
    db: &Database,
    job: &ClaimedJob<Photo>,
    suggestions: &[Suggestion],
    model: &str,
    more_languages: &BTreeMap<Language, LanguageCaptions>,
) -> mongodb::error::Result<bool> {
    let best = suggestions.first().map(|s| s.text.clone());
    let mut words = best.as_deref().map(index_words).unwrap_or_default();
    for captions in more_languages.values() {
        words.extend(captions.words.iter().filter(|w| !words.contains(w)).cloned().collect::<Vec<_>>());
    }
    let fields = doc! {
        "caption": best,
        "suggestions": to_bson(suggestions)?,
        "caption_model": model,
        "more_languages": to_bson(more_languages)?,
        "caption_words": words,
    };
    caption_jobs::complete(&collection(db), job, fields).await
}

fn to_bson<T: Serialize + ?Sized>(value: &T) -> mongodb::error::Result<Bson> {
    bson::to_bson(value).map_err(|e| mongodb::error::Error::custom(e.to_string()))
}

/// A captioned photo that lacks some of `languages` (the languages after its main one, enabled
/// after it was captioned),
/// reserved for `lease` so that one worker adds them; the languages it lacks with it. Photos
/// whose own caption job is still to run are left to that job.
pub async fn claim_missing_languages(
    db: &Database,
    languages: &[Language],
    lease: Duration,
) -> mongodb::error::Result<Option<(Photo, Vec<Language>)>> {
    let missing: Vec<Document> =
        languages.iter().map(|l| doc! { format!("more_languages.{l}"): { "$exists": false } }).collect();
    if missing.is_empty() {
        return Ok(None);
    }
    let now = DateTime::now();
    let photo = collection(db)
        .find_one_and_update(
            doc! {
                "job.state": CaptionState::Done.as_str(),
                "$and": [
                    { "$or": missing },
                    { "$or": [{ "languages_lease": { "$exists": false } }, { "languages_lease": { "$lte": now } }] },
                ],
            },
            doc! { "$set": { "languages_lease": caption_jobs::after(lease) } },
        )
        .await?;
    Ok(photo.map(|photo| {
        let lacking = languages.iter().copied().filter(|l| !photo.more_languages.contains_key(l)).collect();
        (photo, lacking)
    }))
}

/// Leaves a photo whose missing languages could not be added alone for `delay` (its display copy
/// could not be read, say), rather than handing it out again at once.
pub async fn postpone_missing_languages(db: &Database, id: ObjectId, delay: Duration) -> mongodb::error::Result<()> {
    let until = caption_jobs::after(delay);
    collection(db).update_one(doc! { "_id": id }, doc! { "$set": { "languages_lease": until } }).await?;
    Ok(())
}

/// Adds captions in more languages to a photo that `claim_missing_languages` handed out, with
/// their search words; the English caption and any language it already has stay as they are.
pub async fn store_more_languages(
    db: &Database,
    id: ObjectId,
    more_languages: &BTreeMap<Language, LanguageCaptions>,
) -> mongodb::error::Result<()> {
    let mut set = doc! {};
    let mut words: Vec<String> = Vec::new();
    for (language, captions) in more_languages {
        set.insert(format!("more_languages.{language}"), to_bson(captions)?);
        words.extend(captions.words.iter().cloned());
    }
    collection(db)
        .update_one(
            doc! { "_id": id },
            doc! { "$set": set, "$unset": { "languages_lease": "" }, "$addToSet": { "caption_words": { "$each": words } } },
        )
        .await?;
    Ok(())
}

/// "Try again" on the owner's failed caption. `false` when the photo is not the owner's or its
/// caption has not failed.
pub async fn retry_caption(db: &Database, owner_id: ObjectId, id: &str) -> mongodb::error::Result<bool> {
    let Some(id) = parse_id(id) else { return Ok(false) };
    caption_jobs::retry(&collection(db), doc! { "_id": id, "owner_id": owner_id }).await
}

/// Sets the visibility of the owner's photos `ids`; returns how many of them are the owner's.
pub async fn set_visibility(
    db: &Database,
    owner_id: ObjectId,
    ids: &[String],
    visibility: Visibility,
) -> mongodb::error::Result<u64> {
    let ids: Vec<ObjectId> = ids.iter().filter_map(|id| parse_id(id)).collect();
    let result = collection(db)
        .update_many(
            doc! { "_id": { "$in": ids }, "owner_id": owner_id },
            doc! { "$set": { "visibility": visibility.as_str() } },
        )
        .await?;
    Ok(result.matched_count)
}

/// How far back from its cursor `newest_page` looks, try after try, before it looks at
/// everything: 1 hour, then four times as far each time, up to about two years.
const PAGE_WINDOWS_SECONDS: [u32; 8] =
    [3600, 4 * 3600, 16 * 3600, 64 * 3600, 256 * 3600, 1024 * 3600, 4096 * 3600, 16384 * 3600];

/// Which photos a page lists: those that match `filter`, none of them with an id below `floor`
/// when that is known, so that `newest_page` stops looking further back there.
pub struct Listing {
    filter: Document,
    floor: Option<ObjectId>,
}

/// How far the clocks of two app servers on one database may differ: a photo uploaded through
/// one may carry a time a little before its owner's sign-up on the other. Under the first slice
/// of time (an hour), so that an account younger than that pages its gallery in one query.
const CLOCK_SKEW_MILLIS: i64 = 10 * 60 * 1000;

impl Listing {
    /// Photos of any owner that match `filter`.
    pub fn of_everyone(filter: Document) -> Self {
        Self { filter, floor: None }
    }

    /// `owner`'s photos that match `filter`: none is older than the account (bar clock skew).
    pub fn of_owner(owner: &User, mut filter: Document) -> Self {
        filter.insert("owner_id", owner.id);
        let floor_millis = owner.created_at.timestamp_millis() - CLOCK_SKEW_MILLIS;
        Self { filter, floor: Some(first_id_of_second(floor_millis.div_euclid(1000))) }
    }
}

/// The smallest ObjectId made in second `seconds` of the Unix epoch (clamped to the seconds an id
/// can hold): every id made at that second or later is at least this.
fn first_id_of_second(seconds: i64) -> ObjectId {
    ObjectId::from_parts(seconds.clamp(0, i64::from(u32::MAX)) as u32, [0; 5], [0; 3])
}

/// The photos that match `filter` and whose captions (the model's or the owner's) have every
/// word of `words` (none: no search), newest first, `PAGE_SIZE` at a time after the cursor
/// `before` (a photo id: pages by index, never by skipping), and the cursor of the next page.
///
/// An `_id` holds its creation time, so a page is first looked for in a window of time just
/// before the cursor, then in the slice of time before that window, each slice wider than the
/// last, until the page is full: each query reads only the index entries of its own slice, and
/// no photo is read twice. A query without a lower bound makes a server whose planner sorts what
/// the index found (the embedded SecantusDB does) read every match, 10,000 public photos for one
/// page of Explore; MongoDB's planner needs no help, and the slices cost it little. The search
/// words are checked here, on the slice's caption words: with them in the query, SecantusDB
/// scans the whole collection instead of the index. A listing whose photos are no older than
/// some time (an owner's, no older than the account) ends its last slice there: a new account's
/// gallery is one query, not one per slice.
pub async fn newest_page(
    db: &Database,
    listing: &Listing,
    words: &[String],
    before: Option<&str>,
) -> mongodb::error::Result<(Vec<Photo>, Option<String>)> {
    let Listing { filter, floor } = listing;
    let cursor = before.and_then(parse_id);
    let until_seconds = cursor.map_or_else(DateTime::now, |id| id.timestamp()).timestamp_millis() / 1000;
    // One more than a page tells whether a next page exists.
    let wanted = PAGE_SIZE as usize + 1;
    let newest_first = doc! { "_id": -1 };
    let mut found: Vec<Photo> = Vec::new();
    let mut matching: Vec<ObjectId> = Vec::new();
    // The slice of time still to look at ends here (exclusive): the cursor, then each slice's start.
    let mut newer_than_this = cursor;
    for window in PAGE_WINDOWS_SECONDS.map(Some).into_iter().chain([None]) {
        let start = window.map(|seconds| first_id_of_second(until_seconds - i64::from(seconds)));
        // Past the listing's floor, this slice ends there and is the last.
        let (start, at_the_floor) = match (start, *floor) {
            (Some(start), Some(floor)) if start > floor => (Some(start), false),
            (_, Some(floor)) => (Some(floor), true),
            (start, None) => (start, false),
        };
        let mut range = Document::new();
        if let Some(end) = newer_than_this {
            range.insert("$lt", end);
        }
        if let Some(start) = start {
            range.insert("$gte", start);
        }
        let mut query = filter.clone();
        if !range.is_empty() {
            query.insert("_id", range);
        }
        if words.is_empty() {
            let limit = (wanted - found.len()) as i64;
            let slice: Vec<Photo> =
                collection(db).find(query).sort(newest_first.clone()).limit(limit).await?.try_collect().await?;
            found.extend(slice);
        } else {
            let mut candidates = collection(db)
                .clone_with_type::<Document>()
                .find(query)
                .projection(doc! { "caption_words": 1, "own_words": 1 })
                .sort(newest_first.clone())
                .await?;
            while matching.len() < wanted {
                let Some(candidate) = candidates.try_next().await? else { break };
                if has_every_word(&candidate, words) {
                    matching.push(
                        candidate.get_object_id("_id").map_err(|e| mongodb::error::Error::custom(e.to_string()))?,
                    );
                }
            }
        }
        let full = found.len().max(matching.len()) >= wanted;
        // A slice that starts at the epoch has left nothing older to look at.
        let at_the_epoch = start.is_some_and(|start| start.timestamp().timestamp_millis() == 0);
        if full || start.is_none() || at_the_epoch || at_the_floor {
            break;
        }
        newer_than_this = start;
    }
    if !words.is_empty() {
        found =
            collection(db).find(doc! { "_id": { "$in": matching } }).sort(newest_first).await?.try_collect().await?;
    }
    let next = (found.len() > PAGE_SIZE as usize).then(|| {
        found.truncate(PAGE_SIZE as usize);
        found.last().map(|p| p.id.to_hex()).unwrap_or_default()
    });
    Ok((found, next))
}

/// Whether the stored caption words (`caption_words`, `own_words`) of a photo have every word
/// of `words`: the search rule, on words already normalised by `crate::search`.
fn has_every_word(photo: &Document, words: &[String]) -> bool {
    let stored = |field: &str| {
        photo.get_array(field).map(|a| a.iter().filter_map(Bson::as_str).collect()).unwrap_or_else(|_| Vec::new())
    };
    let (model, own): (Vec<&str>, Vec<&str>) = (stored("caption_words"), stored("own_words"));
    words.iter().all(|w| model.contains(&w.as_str()) || own.contains(&w.as_str()))
}

async fn gallery_page(
    db: &Database,
    listing: &Listing,
    words: &[String],
    before: Option<&str>,
    language: Language,
) -> mongodb::error::Result<GalleryPage> {
    let (found, next) = newest_page(db, listing, words, before).await?;
    Ok(GalleryPage { photos: found.iter().map(|photo| photo.summary(language)).collect(), next })
}

/// Deletes the owner's photo with all its files and chunks. `false` when there is no such photo.
pub async fn delete(db: &Database, owner_id: ObjectId, id: &str) -> mongodb::error::Result<bool> {
    let Some(photo) = find_owned(db, owner_id, id).await? else { return Ok(false) };
    // Files first: if this fails, the document is still there and the delete can be retried.
    delete_files(&bucket(db), &[photo.files.original, photo.files.display, photo.files.thumb]).await?;
    collection(db).delete_one(doc! { "_id": photo.id, "owner_id": owner_id }).await?;
    // The photo is gone, so its links and likes show nothing any more; they are tidied up.
    share_links::delete_for_photo(db, photo.id).await?;
    likes::delete_for_photo(db, photo.id).await?;
    Ok(true)
}

/// What a sweep removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Swept {
    pub files: u64,
    pub chunks: u64,
}

/// Removes what no photo refers to, of what is older than `age`: GridFS files of uploads that
/// failed half-way (their cleanup could not reach the database), and chunks without a file (an
/// upload stream cut off before it was closed). `age` must exceed the longest an upload can take,
/// so that files of uploads still in progress, in this process or another, are left alone.
pub async fn sweep_orphans(db: &Database, age: std::time::Duration) -> mongodb::error::Result<Swept> {
    let cutoff = DateTime::from_millis(DateTime::now().timestamp_millis() - age.as_millis() as i64);
    let bucket = bucket(db);
    let files = db.collection::<Document>(&format!("{BUCKET}.files"));
    let chunks = db.collection::<Document>(&format!("{BUCKET}.chunks"));
    let mut swept = Swept::default();

    let old_files = ids_of(&files, doc! { "uploadDate": { "$lt": cutoff } }).await?;
    for batch in old_files.chunks(500) {
        let referenced: std::collections::HashSet<ObjectId> = collection(db)
            .find(doc! { "$or": [
                { "files.original": { "$in": batch } },
                { "files.display": { "$in": batch } },
                { "files.thumb": { "$in": batch } },
            ] })
            .await?
            .try_collect::<Vec<Photo>>()
            .await?
            .iter()
            .flat_map(|p| [p.files.original, p.files.display, p.files.thumb])
            .collect();
        let orphans: Vec<ObjectId> = batch.iter().filter(|id| !referenced.contains(id)).copied().collect();
        delete_files(&bucket, &orphans).await?;
        swept.files += orphans.len() as u64;
    }

    // A chunk's ObjectId says when it was written.
    let old_chunk = doc! { "_id": { "$lt": first_id_of_second(cutoff.timestamp_millis().div_euclid(1000)) } };
    let chunk_files: Vec<ObjectId> =
        chunks.distinct("files_id", old_chunk.clone()).await?.iter().filter_map(Bson::as_object_id).collect();
    for batch in chunk_files.chunks(500) {
        let existing: std::collections::HashSet<ObjectId> =
            ids_of(&files, doc! { "_id": { "$in": batch } }).await?.into_iter().collect();
        let missing: Vec<ObjectId> = batch.iter().filter(|id| !existing.contains(id)).copied().collect();
        if !missing.is_empty() {
            let mut filter = old_chunk.clone();
            filter.insert("files_id", doc! { "$in": missing });
            swept.chunks += chunks.delete_many(filter).await?.deleted_count;
        }
    }
    Ok(swept)
}

/// The ids of the documents that `filter` selects.
async fn ids_of(collection: &mongodb::Collection<Document>, filter: Document) -> mongodb::error::Result<Vec<ObjectId>> {
    let found: Vec<Document> = collection.find(filter).projection(doc! { "_id": 1 }).await?.try_collect().await?;
    Ok(found.iter().filter_map(|d| d.get_object_id("_id").ok()).collect())
}

/// A download stream of one stored copy.
pub async fn open(db: &Database, photo: &Photo, variant: Variant) -> mongodb::error::Result<GridFsDownloadStream> {
    bucket(db).open_download_stream(Bson::ObjectId(photo.file_id(variant))).await
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A stored photo of `owner`, as the database would hold it.
    pub(crate) fn photo_of(owner: &User, visibility: Visibility) -> Photo {
        Photo {
            id: ObjectId::new(),
            owner_id: owner.id,
            file_name: "IMG_0001.jpg".into(),
            content_type: "image/jpeg".into(),
            byte_size: 1000,
            width: 640,
            height: 480,
            uploaded_at: DateTime::from_millis(0),
            files: PhotoFiles { original: ObjectId::new(), display: ObjectId::new(), thumb: ObjectId::new() },
            model_caption: Some("a dog runs".into()),
            caption_model: Some("caption-merge".into()),
            suggestions: Vec::new(),
            more_languages: BTreeMap::new(),
            own_captions: BTreeMap::new(),
            own_caption: None,
            own_caption_language: None,
            caption_words: Vec::new(),
            own_words: Vec::new(),
            job: CaptionJob::new(),
            visibility,
            likes: 2,
        }
    }

    #[test]
    fn others_never_get_the_file_name_or_the_original() {
        let owner = crate::ssr::accounts::tests::user_named("ann");
        let photo = photo_of(&owner, Visibility::Public);
        let seen = photo.public_view(&owner, photo.media_base(), None, Language::En);
        let json = serde_json::to_string(&seen).unwrap();
        assert!(!json.contains("IMG_0001") && !json.contains("original"), "{json}");
        assert_eq!(seen.caption.as_deref(), Some("a dog runs"));
        assert_eq!((seen.likes, seen.owner.username.as_str()), (2, "ann"));
    }

    #[test]
    fn photos_stored_before_sharing_are_private() {
        let owner = crate::ssr::accounts::tests::user_named("ann");
        let mut stored = bson::to_document(&photo_of(&owner, Visibility::Public)).unwrap();
        stored.remove("visibility");
        stored.remove("likes");
        let photo: Photo = bson::from_document(stored).unwrap();
        assert_eq!((photo.visibility, photo.likes), (Visibility::Private, 0));
    }

    fn suggestion(text: &str, unsure: bool) -> Suggestion {
        Suggestion { text: text.into(), score: -3.0, per_word: -0.5, weakest_words: None, unsure }
    }

    #[test]
    fn each_reader_gets_the_caption_in_their_language_else_the_main_one() {
        let owner = crate::ssr::accounts::tests::user_named("ann");
        let mut photo = photo_of(&owner, Visibility::Public);
        photo.suggestions = vec![suggestion("a dog runs", false)];
        photo.more_languages.insert(
            Language::Zh,
            LanguageCaptions::new(vec![suggestion("一只狗在跑", true)], "caption-merge-zh".into()),
        );
        let shown = |photo: &Photo, language| {
            let c = photo.caption_for(language);
            (c.text.unwrap_or_default(), c.language, c.unsure)
        };
        assert_eq!(shown(&photo, Language::En), ("a dog runs".into(), Language::En, false));
        assert_eq!(shown(&photo, Language::Zh), ("一只狗在跑".into(), Language::Zh, true), "the model's Chinese");
        assert_eq!(shown(&photo, Language::De), ("a dog runs".into(), Language::En, false), "no German yet: English");

        // The owner's own caption, in German: German readers get it; the others their language's.
        photo.own_captions.insert(Language::De, "Rex am Strand".into());
        assert_eq!(shown(&photo, Language::De), ("Rex am Strand".into(), Language::De, false));
        assert_eq!(shown(&photo, Language::Zh).1, Language::Zh);
        assert_eq!(shown(&photo, Language::En), ("a dog runs".into(), Language::En, false));
        // Arabic has no caption of either kind: the owner's, whatever its language.
        assert_eq!(shown(&photo, Language::Ar), ("Rex am Strand".into(), Language::De, false));
        // With an English one too, that is the one readers without theirs get.
        photo.own_captions.insert(Language::En, "Rex on the beach".into());
        assert_eq!(shown(&photo, Language::Ar), ("Rex on the beach".into(), Language::En, false));
        assert_eq!(shown(&photo, Language::De).0, "Rex am Strand");

        // An own caption from before several were kept, without a language, counts as English.
        photo.own_captions.clear();
        photo.own_caption = Some("Rex".into());
        assert_eq!(shown(&photo, Language::En).0, "Rex");
        assert_eq!(photo.own_captions(), BTreeMap::from([(Language::En, "Rex".to_owned())]));
        assert_eq!(photo.summary(Language::Zh).caption_language, Language::Zh);
    }
}
