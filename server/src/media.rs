//! Photo files over HTTP: the upload endpoint and the image routes. Plain axum routes rather
//! than server functions, so that uploads stream with progress and images stream from GridFS.

use app::{
    error::{AppError, Problem},
    ssr::{
        access::{self, Viewer},
        imaging::{self, ImageRejection},
        photos::{self, Variant},
        rate_limit, request, AppState,
    },
};
use axum::{
    body::Body,
    extract::{multipart::MultipartError, Multipart, Path, State},
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use std::time::Duration;

use serde_json::json;
use tokio_util::{compat::FuturesAsyncReadCompatExt, io::ReaderStream};

/// The request body may exceed the file limit by this much (multipart boundaries and headers).
pub const MULTIPART_OVERHEAD: usize = 64 * 1024;

fn too_large() -> AppError {
    AppError::PayloadTooLarge(Problem::Image { file: String::new(), rejection: ImageRejection::TooLarge })
}

/// Reads the `file` field, stopping as soon as it passes the size limit.
async fn read_file_field(multipart: &mut Multipart) -> Result<(String, Vec<u8>), AppError> {
    let body_error = |err: MultipartError| {
        if err.status() == StatusCode::PAYLOAD_TOO_LARGE {
            too_large()
        } else {
            tracing::info!(%err, "unreadable upload");
            AppError::BadRequest(Problem::UploadUnreadable)
        }
    };
    while let Some(mut field) = multipart.next_field().await.map_err(body_error)? {
        if field.name() != Some("file") {
            continue;
        }
        let file_name = field.file_name().unwrap_or("photo").chars().filter(|c| !c.is_control()).take(255).collect();
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(body_error)? {
            if bytes.len() + chunk.len() > imaging::MAX_BYTES {
                return Err(too_large());
            }
            bytes.extend_from_slice(&chunk);
        }
        return Ok((file_name, bytes));
    }
    Err(AppError::BadRequest(Problem::NoFile))
}

/// The longest an upload may take, from the first byte to the stored photo. The orphan sweep
/// leaves alone whatever is younger than twice this.
pub const UPLOAD_TIMEOUT: Duration = Duration::from_secs(10 * 60);

/// `POST /api/photos`: one photo per request, as multipart field `file`.
pub async fn upload(state: State<AppState>, headers: HeaderMap, multipart: Multipart) -> Result<Response, AppError> {
    tokio::time::timeout(UPLOAD_TIMEOUT, receive(state, headers, multipart)).await.map_err(|_| AppError::TimedOut)?
}

async fn receive(
    State(state): State<AppState>,
    headers: HeaderMap,
    mut multipart: Multipart,
) -> Result<Response, AppError> {
    let (Viewer { user, language, .. }, _) = request::viewer_from(&state.db, &headers, None).await?;
    let user = user.ok_or(AppError::Unauthorized)?;
    let declared = headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
    if declared.is_some_and(|len| len > imaging::MAX_BYTES + MULTIPART_OVERHEAD) {
        return Err(too_large());
    }
    let limits = &state.upload_settings;
    let hourly = [rate_limit::Window { seconds: 3600, limit: limits.per_hour }];
    if let Err(retry_after_secs) =
        rate_limit::hit(&state.db, &format!("upload:{}", user.id), &hourly).await.map_err(AppError::internal)?
    {
        return Err(AppError::RateLimited { retry_after_secs });
    }
    // This user's earlier uploads first: the body is read only when it is this one's turn.
    let _user_turn = state.uploads.user_turn(user.id).await;
    let (file_name, bytes) = read_file_field(&mut multipart).await?;
    let used = photos::stored_bytes(&state.db, user.id).await.map_err(AppError::internal)?;
    if used + bytes.len() as u64 > limits.quota_bytes {
        const MB: u64 = 1024 * 1024;
        return Err(AppError::QuotaExceeded { used_mb: used.div_ceil(MB), quota_mb: limits.quota_bytes / MB });
    }
    let decode_turn = state.uploads.decode_turn().await;
    let (bytes, processed) = tokio::task::spawn_blocking(move || {
        let processed = imaging::process(&bytes);
        (bytes, processed)
    })
    .await
    .map_err(|join| AppError::internal(format!("image processing panicked: {join}")))?;
    drop(decode_turn);
    let processed = processed.map_err(|rejection| {
        tracing::info!(%rejection, file_name, "upload refused");
        rejection.for_file(&file_name)
    })?;
    let stored = photos::store(&state.db, user.id, &file_name, &bytes, &processed, user.default_visibility).await;
    let photo = stored.map_err(|err| {
        tracing::error!(%err, "storing a photo failed");
        AppError::NotStored
    })?;
    tracing::info!(photo = %photo.id, bytes = bytes.len(), "photo stored");
    state.caption_queued.notify_waiters();
    Ok((StatusCode::CREATED, Json(json!({ "photo": photo.summary(language) }))).into_response())
}

/// `GET /media/{id}/{variant}`: streams a stored copy to whoever `access` lets see it (the owner,
/// anyone for a public photo's display copy and thumbnail); everyone else gets 404.
pub async fn image(
    State(state): State<AppState>,
    Path((id, variant)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let (viewer, _) = request::viewer_from(&state.db, &headers, None).await?;
    serve(&state, &viewer, &id, &variant, &headers).await
}

/// `GET /s/{token}/{variant}`: a copy of the photo of a share link, to the link's holders (after
/// its password, if it has one), while `access` allows it.
pub async fn shared_image(
    State(state): State<AppState>,
    Path((token, variant)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let (viewer, _) = request::viewer_from(&state.db, &headers, Some(&token)).await?;
    let photo_id = viewer.link.as_ref().ok_or(AppError::NotFound)?.photo_id.to_hex();
    serve(&state, &viewer, &photo_id, &variant, &headers).await
}

async fn serve(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
    variant: &str,
    headers: &HeaderMap,
) -> Result<Response, AppError> {
    let variant = Variant::parse(variant).ok_or(AppError::NotFound)?;
    let (photo, access) = access::find_viewable(&state.db, viewer, id)
        .await
        .map_err(AppError::database)?
        .filter(|(_, access)| access.may_see(variant))
        .ok_or(AppError::NotFound)?;
    // A stored copy never changes, so its GridFS id is a strong validator.
    let etag = format!("\"{}\"", photo.file_id(variant).to_hex());
    let cache = access.cache_control();
    if headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(etag.as_str()) {
        return Ok((StatusCode::NOT_MODIFIED, [(header::ETAG, etag), (header::CACHE_CONTROL, cache.to_owned())])
            .into_response());
    }
    let stream = photos::open(&state.db, &photo, variant).await.map_err(AppError::internal)?;
    let body = Body::from_stream(ReaderStream::new(stream.compat()));
    let mut response = (
        [
            (header::CONTENT_TYPE, photo.content_type_of(variant).to_owned()),
            (header::ETAG, etag),
            (header::CACHE_CONTROL, cache.to_owned()),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
        ],
        body,
    )
        .into_response();
    if variant == Variant::Original {
        let name = photo.file_name.replace(['"', '\\'], "_");
        if let Ok(value) = format!("inline; filename=\"{name}\"").parse() {
            response.headers_mut().insert(header::CONTENT_DISPOSITION, value);
        }
    }
    Ok(response)
}
