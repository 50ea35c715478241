//! How a page's data reaches the browser: the server functions' JSON answers and the resources
//! that a server-rendered page hands to the wasm read one JSON reader, `serde_json::from_slice`.
//! Leptos' default resource codec reads with `from_str` instead, and every type read both ways was
//! compiled into the wasm twice (a reader each).

use leptos::prelude::*;
use leptos::server::codee::{Decoder, Encoder};
use serde::{de::DeserializeOwned, Serialize};

/// JSON, read from bytes as the server functions' answers are.
pub struct PageJson;

impl<T: Serialize> Encoder<T> for PageJson {
    type Error = serde_json::Error;
    type Encoded = String;

    fn encode(val: &T) -> Result<String, serde_json::Error> {
        serde_json::to_string(val)
    }
}

impl<T: DeserializeOwned> Decoder<T> for PageJson {
    type Error = serde_json::Error;
    type Encoded = str;

    fn decode(val: &str) -> Result<T, serde_json::Error> {
        read_json(val)
    }
}

/// JSON read in the browser: from bytes, the one reader the wasm has for every type.
pub fn read_json<T: DeserializeOwned>(text: &str) -> Result<T, serde_json::Error> {
    serde_json::from_slice(text.as_bytes())
}

/// A page's data, loaded on the server and handed to the browser with the page.
pub type PageResource<T> = Resource<T, PageJson>;

/// `Resource::new` with [`PageJson`].
#[track_caller]
pub fn page_resource<S, T, Fut>(
    source: impl Fn() -> S + Send + Sync + 'static,
    fetcher: impl Fn(S) -> Fut + Send + Sync + 'static,
) -> PageResource<T>
where
    S: Send + Sync + Clone + PartialEq + 'static,
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
    Fut: std::future::Future<Output = T> + Send + 'static,
{
    Resource::new_with_options(source, fetcher, false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{AppError, Problem};

    #[test]
    fn page_data_round_trips() {
        let value: Result<Option<String>, AppError> = Err(AppError::BadRequest(Problem::CaptionMissing));
        let encoded = <PageJson as Encoder<_>>::encode(&value).unwrap();
        let decoded: Result<Option<String>, AppError> = <PageJson as Decoder<_>>::decode(&encoded).unwrap();
        assert_eq!(decoded, value);
    }
}
