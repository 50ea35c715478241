//! Photo files over HTTP: the upload endpoint and the image routes. Plain axum routes rather
//! than server functions, so that uploads stream with progress and images stream from GridFS.

use app::ssr::{
    accounts::User,
    imaging::{self, ImageRejection},
    photos::{self, Variant},
    sessions, AppState,
};
use axum::{
    body::Body,
    extract::{multipart::MultipartError, Multipart, Path, State},
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use serde_json::json;
use tokio_util::{compat::FuturesAsyncReadCompatExt, io::ReaderStream};

/// The request body may exceed the file limit by this much (multipart boundaries and headers).
pub const MULTIPART_OVERHEAD: usize = 64 * 1024;

fn error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({ "error": message.into() }))).into_response()
}

fn rejection_status(rejection: &ImageRejection) -> StatusCode {
    match rejection {
        ImageRejection::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        ImageRejection::UnsupportedFormat => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ImageRejection::Empty | ImageRejection::TooManyPixels { .. } | ImageRejection::Corrupt => {
            StatusCode::UNPROCESSABLE_ENTITY
        }
    }
}

async fn user(state: &AppState, headers: &HeaderMap) -> Result<Option<User>, Response> {
    sessions::user_from_headers(&state.db, headers).await.map_err(|err| {
        tracing::error!(%err, "session lookup failed");
        error(StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong on our side. Please try again.")
    })
}

fn too_large() -> Response {
    error(StatusCode::PAYLOAD_TOO_LARGE, ImageRejection::TooLarge.to_string())
}

/// Reads the `file` field, stopping as soon as it passes the size limit.
async fn read_file_field(multipart: &mut Multipart) -> Result<(String, Vec<u8>), Response> {
    let body_error = |err: MultipartError| {
        if err.status() == StatusCode::PAYLOAD_TOO_LARGE {
            too_large()
        } else {
            error(StatusCode::BAD_REQUEST, format!("The upload could not be read: {}", err.body_text()))
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
    Err(error(StatusCode::BAD_REQUEST, "No file was sent."))
}

/// `POST /api/photos`: one photo per request, as multipart field `file`.
pub async fn upload(State(state): State<AppState>, headers: HeaderMap, mut multipart: Multipart) -> Response {
    let user = match user(&state, &headers).await {
        Ok(Some(user)) => user,
        Ok(None) => return error(StatusCode::UNAUTHORIZED, "Please log in to upload photos."),
        Err(response) => return response,
    };
    let declared = headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
    if declared.is_some_and(|len| len > imaging::MAX_BYTES + MULTIPART_OVERHEAD) {
        return too_large();
    }
    let (file_name, bytes) = match read_file_field(&mut multipart).await {
        Ok(file) => file,
        Err(response) => return response,
    };
    let (bytes, processed) = match tokio::task::spawn_blocking(move || {
        let processed = imaging::process(&bytes);
        (bytes, processed)
    })
    .await
    {
        Ok((bytes, Ok(processed))) => (bytes, processed),
        Ok((_, Err(rejection))) => {
            tracing::info!(%rejection, file_name, "upload refused");
            return error(rejection_status(&rejection), format!("{file_name}: {rejection}"));
        }
        Err(join) => {
            tracing::error!(%join, "image processing panicked");
            return error(StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong on our side. Please try again.");
        }
    };
    match photos::store(&state.db, user.id, &file_name, &bytes, &processed).await {
        Ok(photo) => {
            tracing::info!(photo = %photo.id, bytes = bytes.len(), "photo stored");
            state.caption_queued.notify_waiters();
            (StatusCode::CREATED, Json(json!({ "photo": photo.summary() }))).into_response()
        }
        Err(err) => {
            tracing::error!(%err, "storing a photo failed");
            error(StatusCode::INTERNAL_SERVER_ERROR, "The photo could not be stored. Please try again.")
        }
    }
}

/// `GET /media/{id}/{variant}`: streams a stored copy to its owner; everyone else gets 404.
pub async fn image(
    State(state): State<AppState>,
    Path((id, variant)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let not_found = || error(StatusCode::NOT_FOUND, "Not found.");
    let Some(variant) = Variant::parse(&variant) else { return not_found() };
    let user = match user(&state, &headers).await {
        Ok(Some(user)) => user,
        Ok(None) => return not_found(),
        Err(response) => return response,
    };
    let photo = match photos::find_owned(&state.db, user.id, &id).await {
        Ok(Some(photo)) => photo,
        Ok(None) => return not_found(),
        Err(err) => {
            tracing::error!(%err, "photo lookup failed");
            return error(StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong on our side.");
        }
    };
    // A stored copy never changes, so its GridFS id is a strong validator.
    let etag = format!("\"{}\"", photo.file_id(variant).to_hex());
    let cache = "private, max-age=31536000, immutable";
    if headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(etag.as_str()) {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag), (header::CACHE_CONTROL, cache.to_owned())]).into_response();
    }
    match photos::open(&state.db, &photo, variant).await {
        Ok(stream) => {
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
            response
        }
        Err(err) => {
            tracing::error!(%err, "opening a stored photo failed");
            error(StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong on our side.")
        }
    }
}
