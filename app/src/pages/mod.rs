//! One module per route, each with the server functions its forms call.

pub mod dashboard;
pub mod explore;
pub mod home;
pub mod links;
pub mod login;
pub mod photo;
pub mod profile;
pub mod settings;
pub mod shared_link;
pub mod signup;
