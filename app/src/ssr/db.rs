//! The MongoDB connection and the indexes every query relies on.

use std::time::Duration;

use bson::doc;
use mongodb::{
    options::{ClientOptions, IndexOptions, WriteConcern},
    Client, Database, IndexModel,
};

pub const USERS: &str = "users";
pub const SESSIONS: &str = "sessions";

/// Connects to any MongoDB server (mongod, Atlas, or the embedded default).
pub async fn connect(uri: &str, database: &str) -> mongodb::error::Result<Database> {
    let mut options = ClientOptions::parse(uri).await?;
    options.app_name = Some("captioned".into());
    options.server_selection_timeout = Some(Duration::from_secs(5));
    // What the app acknowledges ("uploaded", "saved", an account) must survive a crash of the
    // database the moment after: each write waits for the journal. A URI's own choice stands.
    options.write_concern.get_or_insert_with(|| WriteConcern::builder().journal(true).build());
    let client = Client::with_options(options)?;
    Ok(client.database(database))
}

/// Creates the indexes the queries need; safe to run at every start.
pub async fn ensure_indexes(db: &Database) -> mongodb::error::Result<()> {
    let unique = |name: &str| IndexOptions::builder().unique(true).name(name.to_owned()).build();
    let users = db.collection::<bson::Document>(USERS);
    users.create_index(IndexModel::builder().keys(doc! { "email": 1 }).options(unique("unique_email")).build()).await?;
    users
        .create_index(IndexModel::builder().keys(doc! { "username_key": 1 }).options(unique("unique_username")).build())
        .await?;
    let sessions = db.collection::<bson::Document>(SESSIONS);
    // The server deletes expired sessions by itself; lookups also check the expiry, because
    // the TTL monitor runs only every minute or so.
    sessions
        .create_index(
            IndexModel::builder()
                .keys(doc! { "expires_at": 1 })
                .options(
                    IndexOptions::builder()
                        .expire_after(Duration::from_secs(0))
                        .name("session_expiry".to_owned())
                        .build(),
                )
                .build(),
        )
        .await?;
    sessions.create_index(IndexModel::builder().keys(doc! { "user_id": 1 }).build()).await?;
    super::rate_limit::ensure_indexes(db).await?;
    super::share_links::ensure_indexes(db).await?;
    super::likes::ensure_indexes(db).await?;
    super::photos::ensure_indexes(db).await
}

/// Brings documents written by older versions up to date; logs what it changed. Run at start-up.
pub async fn migrate(db: &Database) -> mongodb::error::Result<()> {
    let queued = super::caption_jobs::enqueue_missing(&super::photos::collection(db)).await?;
    if queued > 0 {
        tracing::info!(
            photos = queued,
            "migration: photos stored before caption jobs existed were queued for captions"
        );
    }
    Ok(())
}

/// True when the database answers a ping within two seconds.
pub async fn is_reachable(db: &Database) -> bool {
    matches!(tokio::time::timeout(Duration::from_secs(2), db.run_command(doc! { "ping": 1 })).await, Ok(Ok(_)))
}
